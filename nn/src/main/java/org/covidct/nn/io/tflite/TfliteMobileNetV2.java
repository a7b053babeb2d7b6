package org.covidct.nn.io.tflite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.Conv2d;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.ReLU6;
import org.covidct.nn.io.WeightFileException;
import org.covidct.nn.io.WeightFiles;
import org.covidct.nn.models.MobileNetV2;
import org.covidct.tensor.Tensor;

/**
 * Maps a TFLite MobileNetV2 1.0 (TensorFlow's slim or Keras graph, 8-bit quantized or float) onto
 * {@link MobileNetV2.Variant#TENSORFLOW}: the file's 52 convolutions, in execution order, become
 * our convolutions in module order, and its 1x1 logits convolution becomes classifier.1. Weights
 * are dequantized to float32 and transposed from OHWI (1HWC for depthwise) to [K, C/G, R, S]; the
 * folded biases become the convolution biases. Each operator's kind, shapes, strides, padding and
 * fused activation are checked against the layer it fills, so another network is refused.
 */
public final class TfliteMobileNetV2 {
    private static final int RESIDUAL_ADDS = 10;

    /**
     * What the file gives: the state dict of a {@link MobileNetV2.Variant#TENSORFLOW} model with the
     * file's class count (1001 for ImageNet with a background class), and the input quantization:
     * pixel byte v is fed as {@code inputScale * (v - inputZeroPoint)}. Closing frees the tensors.
     */
    public record Weights(Map<String, Tensor> stateDict, int numClasses, float inputScale, float inputZeroPoint)
            implements AutoCloseable {
        /** The {@link MobileNetV2#setInputScaling} that maps ToTensor's v / 255 to the file's input. */
        public float[] unitRangeScaling() {
            return new float[] {255f * inputScale, -inputScale * inputZeroPoint};
        }

        @Override
        public void close() {
            stateDict.values().forEach(Tensor::close);
        }
    }

    private TfliteMobileNetV2() {
    }

    public static Weights read(Path file) throws WeightFileException {
        Weights weights = read(TfliteModel.read(file));
        try {
            WeightFiles.requireFinite(file, weights.stateDict());
        } catch (WeightFileException e) {
            weights.close();
            throw e;
        }
        return weights;
    }

    public static Weights read(TfliteModel model) throws WeightFileException {
        List<TfliteOperator> convs = new ArrayList<>();
        int adds = 0;
        for (TfliteOperator op : model.operators()) {
            if (op.isConvolution()) {
                convs.add(op);
            } else if (op.builtinCode() == TfliteOperator.ADD) {
                adds++;
            }
        }
        if (convs.isEmpty()) {
            throw notMobileNet(model, "it has no convolution");
        }
        TfliteOperator head = convs.getLast();
        int classes = headClasses(model, head);
        Map<String, Tensor> state = new LinkedHashMap<>();
        try (MobileNetV2 template = new MobileNetV2(classes, MobileNetV2.Variant.TENSORFLOW, new Generator(0))) {
            List<Layer> layers = new ArrayList<>();
            layers(template.features(), "features.", layers);
            if (convs.size() != layers.size() + 1 || adds != RESIDUAL_ADDS) {
                throw notMobileNet(model, "it has " + convs.size() + " convolutions and " + adds
                        + " additions, MobileNetV2 1.0 has " + (layers.size() + 1) + " and " + RESIDUAL_ADDS);
            }
            for (int i = 0; i < layers.size(); i++) {
                putConv(model, convs.get(i), i, layers.get(i), state);
            }
            putHead(model, head, classes, state);
        } catch (WeightFileException | RuntimeException e) {
            state.values().forEach(Tensor::close);
            throw e;
        }
        float[] input = inputQuantization(model);
        return new Weights(state, classes, input[0], input[1]);
    }

    /** One of our convolutions: its dotted name, the layer, and whether a ReLU6 follows it. */
    private record Layer(String name, Conv2d conv, boolean relu6) {
    }

    /** Our convolutions below {@code m} in execution order. */
    private static void layers(Module m, String prefix, List<Layer> out) {
        List<Map.Entry<String, Module>> children = new ArrayList<>(m.children().entrySet());
        for (int i = 0; i < children.size(); i++) {
            String name = prefix + children.get(i).getKey();
            if (children.get(i).getValue() instanceof Conv2d conv) {
                boolean relu6 = i + 1 < children.size() && children.get(i + 1).getValue() instanceof ReLU6;
                out.add(new Layer(name, conv, relu6));
            } else {
                layers(children.get(i).getValue(), name + ".", out);
            }
        }
    }

    private static int headClasses(TfliteModel model, TfliteOperator head) throws WeightFileException {
        int[] w = weightShape(model, head, "logits");
        // Checked before a model of that many classes is built: a corrupt shape must not allocate.
        if (head.builtinCode() != TfliteOperator.CONV_2D || !model.tensor(head.inputs()[1]).dataFitsShape()
                || w.length != 4 || w[1] != 1 || w[2] != 1
                || w[3] != MobileNetV2.LAST_CHANNEL || w[0] < 1) {
            throw notMobileNet(model, "its last convolution has weights " + TfliteTensor.shapeText(w)
                    + ", expected a 1x1 convolution from " + MobileNetV2.LAST_CHANNEL + " channels to the classes");
        }
        return w[0];
    }

    private static void putConv(TfliteModel model, TfliteOperator op, int index, Layer layer, Map<String, Tensor> state)
            throws WeightFileException {
        int[] ours = layer.conv().weight().data().dims();
        int k = ours[0], cg = ours[1], r = ours[2], s = ours[3];
        int stride = layer.conv().spec().strideH();
        boolean depthwise = op.builtinCode() == TfliteOperator.DEPTHWISE_CONV_2D;
        boolean oursDepthwise = layer.conv().spec().groups() > 1;
        int[] w = weightShape(model, op, layer.name());
        int[] expected = oursDepthwise ? new int[] {1, r, s, k} : new int[] {k, r, s, cg};
        TfliteOperator.ConvOptions o = op.conv();
        int activation = layer.relu6() ? TfliteOperator.ACTIVATION_RELU6 : TfliteOperator.ACTIVATION_NONE;
        String where = "convolution " + (index + 1) + " (" + layer.name() + ")";
        if (depthwise != oursDepthwise || !Arrays.equals(w, expected)) {
            throw notMobileNet(model, where + " is " + (depthwise ? "depthwise" : "dense") + " with weights "
                    + TfliteTensor.shapeText(w) + ", expected " + (oursDepthwise ? "depthwise " : "dense ")
                    + Arrays.toString(expected));
        }
        if (o.strideH() != stride || o.strideW() != stride || o.dilationH() != 1 || o.dilationW() != 1
                || o.padding() != TfliteOperator.PADDING_SAME && r > 1 || o.activation() != activation
                || depthwise && o.depthMultiplier() != 1) {
            throw notMobileNet(model, where + " has stride (" + o.strideH() + ", " + o.strideW() + "), dilation ("
                    + o.dilationH() + ", " + o.dilationW() + "), padding " + o.padding() + ", activation "
                    + o.activation() + "; expected stride " + stride + ", SAME padding and activation " + activation);
        }
        float[] values = model.dequantize(model.tensor(op.inputs()[1]));
        float[] weight = new float[values.length];
        for (int ko = 0; ko < k; ko++) {
            for (int ri = 0; ri < r; ri++) {
                for (int si = 0; si < s; si++) {
                    for (int ci = 0; ci < cg; ci++) {
                        // OHWI [ko][r][s][ci], or 1HWC [0][r][s][ko] for depthwise, to [ko][ci][r][s].
                        int src = depthwise ? (ri * s + si) * k + ko : ((ko * r + ri) * s + si) * cg + ci;
                        weight[((ko * cg + ci) * r + ri) * s + si] = values[src];
                    }
                }
            }
        }
        state.put(layer.name() + ".weight", Tensor.of(weight, ours));
        state.put(layer.name() + ".bias", Tensor.of(bias(model, op, k, where), k));
    }

    private static void putHead(TfliteModel model, TfliteOperator head, int classes, Map<String, Tensor> state)
            throws WeightFileException {
        TfliteOperator.ConvOptions o = head.conv();
        if (o.activation() != TfliteOperator.ACTIVATION_NONE || o.strideH() != 1 || o.strideW() != 1) {
            throw notMobileNet(model, "the logits convolution has activation " + o.activation() + " and stride ("
                    + o.strideH() + ", " + o.strideW() + ")");
        }
        // [classes, 1, 1, 1280] in OHWI is already Linear's [classes, 1280].
        state.put("classifier.1.weight", Tensor.of(model.dequantize(model.tensor(head.inputs()[1])), classes,
                MobileNetV2.LAST_CHANNEL));
        state.put("classifier.1.bias", Tensor.of(bias(model, head, classes, "the logits convolution"), classes));
    }

    private static int[] weightShape(TfliteModel model, TfliteOperator op, String what) throws WeightFileException {
        if (op.inputs().length < 3 || op.inputs()[1] < 0 || op.inputs()[2] < 0) {
            throw notMobileNet(model, "the convolution for " + what + " lacks weights or a bias");
        }
        return model.tensor(op.inputs()[1]).shape();
    }

    private static float[] bias(TfliteModel model, TfliteOperator op, int k, String where) throws WeightFileException {
        TfliteTensor b = model.tensor(op.inputs()[2]);
        if (!Arrays.equals(b.shape(), new int[] {k})) {
            throw notMobileNet(model, where + " has a bias of shape " + TfliteTensor.shapeText(b.shape())
                    + ", expected [" + k + "]");
        }
        return model.dequantize(b);
    }

    /** The input's (scale, zero point); a float input is taken to be [-1, 1] already, as TF's float files are. */
    private static float[] inputQuantization(TfliteModel model) throws WeightFileException {
        int[] inputs = model.inputs();
        if (inputs.length != 1) {
            throw notMobileNet(model, "it has " + inputs.length + " inputs");
        }
        TfliteTensor in = model.tensor(inputs[0]);
        int[] shape = in.shape();
        if (shape.length != 4 || shape[3] != 3) {
            throw notMobileNet(model, "its input has shape " + TfliteTensor.shapeText(shape)
                    + ", expected [1, H, W, 3]");
        }
        Quantization q = in.quantization();
        if (q == null || q.scales().length == 0) {
            return new float[] {1f / 127.5f, 127.5f};
        }
        if (q.perChannel() || !(q.scale(0) > 0) || !Float.isFinite(q.scale(0))) {
            throw notMobileNet(model, "its input quantization is not one positive scale");
        }
        return new float[] {q.scale(0), q.zeroPoint(0)};
    }

    private static WeightFileException notMobileNet(TfliteModel model, String why) {
        return new WeightFileException(model.file() + ": not a MobileNetV2 1.0 TFLite file: " + why);
    }
}
