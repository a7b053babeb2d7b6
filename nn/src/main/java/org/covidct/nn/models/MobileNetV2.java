package org.covidct.nn.models;

import java.util.ArrayList;
import java.util.List;
import org.covidct.nn.BatchNorm2d;
import org.covidct.nn.Conv2d;
import org.covidct.nn.Dropout;
import org.covidct.nn.Generator;
import org.covidct.nn.Init;
import org.covidct.nn.Linear;
import org.covidct.nn.Module;
import org.covidct.nn.Parameter;
import org.covidct.nn.ReLU6;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;

/**
 * torchvision.models.MobileNetV2 at width 1.0: {@code features} (a stride-2 3x3 stem, 17 inverted
 * residual blocks, a 1x1 convolution to 1280 channels), global average pooling, and
 * {@code classifier} (Dropout(0.2), Linear(1280, classes)), with torchvision's module indices, so
 * state-dict keys (features.0.0.weight, features.1.conv.0.0.weight, ..., classifier.1.bias) match
 * its weight files. Parameters start as torchvision initialises them.
 *
 * <p>{@link Variant#TENSORFLOW} is the same network as TensorFlow's MobileNetV2 files hold it, with
 * batch norm folded into the convolutions: every convolution has a bias and no BatchNorm follows
 * it (the keys are torchvision's Conv2dNormActivation without a norm layer: features.0.0.bias, and
 * no features.0.1.*), and padding is TensorFlow's SAME. Folding leaves nothing for batch statistics
 * to change, so fine-tuning starts from, and in training mode keeps, exactly the function the file
 * computes; an identity BatchNorm instead would renormalise every layer with batch statistics the
 * moment training starts.
 */
public final class MobileNetV2 extends Module {
    /** Where the weights come from, which fixes batch norm and padding. */
    public enum Variant {
        /** torchvision's: convolutions without bias, each followed by BatchNorm2d; PyTorch padding. */
        TORCHVISION,
        /** TensorFlow's with batch norm folded: convolutions with bias, no BatchNorm; SAME padding. */
        TENSORFLOW
    }

    /** Expansion t, output channels c, repeats n, first stride s of each stage (torchvision's setting). */
    private static final int[][] SETTING = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
    };
    private static final int STEM = 32;
    /** Channels of the last convolution, the classifier's input. */
    public static final int LAST_CHANNEL = 1280;
    private static final float DROPOUT = 0.2f;
    private static final int HEAD = 1;

    private final Variant variant;
    private final Sequential features;
    private final Sequential classifier;
    private float inputScale = 1f;
    private float inputShift = 0f;

    /** torchvision.models.mobilenet_v2(num_classes=numClasses) in the given variant. */
    public MobileNetV2(int numClasses, Variant variant, Generator gen) {
        this(numClasses, STEM, SETTING, DROPOUT, variant, gen);
    }

    /**
     * torchvision's MobileNetV2 with another stem width and inverted_residual_setting (rows of
     * expansion t, channels c, repeats n, stride s, the channels taken as they are), for small
     * test networks.
     */
    public MobileNetV2(int numClasses, int stem, int[][] setting, float dropout, Variant variant, Generator gen) {
        if (numClasses < 1 || stem < 1 || setting.length == 0) {
            throw new IllegalArgumentException("MobileNetV2: invalid class count " + numClasses + ", stem " + stem
                    + " or empty setting");
        }
        this.variant = variant;
        Generator scratch = new Generator(0); // the layers' own init is overwritten below
        features = registerModule("features", new Sequential());
        features.add(convAct(3, stem, 3, 2, 1, scratch));
        int channels = stem;
        for (int[] stage : setting) {
            if (stage.length != 4 || stage[0] < 1 || stage[1] < 1 || stage[2] < 1 || stage[3] < 1) {
                throw new IllegalArgumentException("MobileNetV2: a setting row is [t, c, n, s] of positive values, got "
                        + java.util.Arrays.toString(stage));
            }
            for (int i = 0; i < stage[2]; i++) {
                features.add(block(channels, stage[1], i == 0 ? stage[3] : 1, stage[0], scratch));
                channels = stage[1];
            }
        }
        features.add(convAct(channels, LAST_CHANNEL, 1, 1, 1, scratch));
        classifier = registerModule("classifier", new Sequential(new Dropout(dropout, gen),
                new Linear(LAST_CHANNEL, numClasses, true, scratch)));
        initialise(gen);
    }

    /** The {@link Footprint} of the torchvision variant with {@code numClasses} outputs on images of {@code size} pixels. */
    static Footprint footprint(int numClasses, int size) {
        Footprint.Counter count = new Footprint.Counter();
        long side = Math.ceilDiv(size, 2);
        convBnRelu(count, 27L * STEM, 3L * size * size, STEM * side * side, STEM);
        int channels = STEM;
        for (int[] stage : SETTING) {
            for (int i = 0; i < stage[2]; i++) {
                int hidden = channels * stage[0], out = stage[1];
                if (stage[0] != 1) {
                    convBnRelu(count, (long) channels * hidden, channels * side * side, hidden * side * side, hidden);
                }
                long depthwiseIn = hidden * side * side;
                side = i == 0 ? Math.ceilDiv(side, stage[3]) : side;
                convBnRelu(count, 9L * hidden, depthwiseIn, hidden * side * side, hidden);
                long projected = out * side * side;
                count.layer((long) hidden * out, hidden * side * side, projected).sameShape(4L * out, projected);
                channels = out;
            }
        }
        long last = LAST_CHANNEL * side * side;
        convBnRelu(count, (long) channels * LAST_CHANNEL, channels * side * side, last, LAST_CHANNEL);
        count.layer(0, last, LAST_CHANNEL).sameShape(0, LAST_CHANNEL); // global pooling, dropout
        return count.layer((long) LAST_CHANNEL * numClasses + numClasses, LAST_CHANNEL, numClasses).footprint();
    }

    /** A convolution without bias, its batch norm and ReLU6, from in to out floats with {@code channels} outputs. */
    private static void convBnRelu(Footprint.Counter count, long weights, long in, long out, int channels) {
        count.layer(weights, in, out).sameShape(4L * channels, out).sameShape(0, out);
    }

    /** Conv2dNormActivation(in, out, kernel, stride, groups, ReLU6): [conv, bn, relu6], or [conv, relu6] folded. */
    private Sequential convAct(int in, int out, int kernel, int stride, int groups, Generator gen) {
        Sequential s = new Sequential(conv(in, out, kernel, stride, groups, gen));
        if (variant == Variant.TORCHVISION) {
            s.add(new BatchNorm2d(out));
        }
        return s.add(new ReLU6());
    }

    private Conv2d conv(int in, int out, int kernel, int stride, int groups, Generator gen) {
        return variant == Variant.TORCHVISION
                ? new Conv2d(in, out, kernel, stride, (kernel - 1) / 2, groups, false, gen)
                : Conv2d.tfSame(in, out, kernel, stride, groups, true, gen);
    }

    private InvertedResidual block(int in, int out, int stride, int expand, Generator gen) {
        int hidden = in * expand;
        Sequential layers = new Sequential();
        if (expand != 1) {
            layers.add(convAct(in, hidden, 1, 1, 1, gen));
        }
        layers.add(convAct(hidden, hidden, 3, stride, hidden, gen));
        layers.add(conv(hidden, out, 1, 1, 1, gen));
        if (variant == Variant.TORCHVISION) {
            layers.add(new BatchNorm2d(out));
        }
        return new InvertedResidual(layers, stride == 1 && in == out);
    }

    /** torchvision's init: kaiming_normal_(fan_out) convolutions, zero biases, N(0, 0.01) linear weights. */
    private void initialise(Generator gen) {
        for (Module m : modules(this, new ArrayList<>())) {
            if (m instanceof Conv2d conv) {
                int[] w = conv.weight().data().dims();
                fill(conv.weight(), Init.kaimingNormalFanOut(w[0] * w[1] * w[2] * w[3], w[0] * w[2] * w[3], gen));
                if (conv.bias() != null) {
                    fill(conv.bias(), Init.constant(w[0], 0f));
                }
            } else if (m instanceof Linear linear) {
                int[] w = linear.weight().data().dims();
                fill(linear.weight(), Init.normal(w[0] * w[1], 0, 0.01, gen));
                fill(linear.bias(), Init.constant(w[0], 0f));
            }
        }
    }

    /** Every module below {@code m}, depth first in registration order, as torch's modules(). */
    private static List<Module> modules(Module m, List<Module> out) {
        out.add(m);
        m.children().values().forEach(c -> modules(c, out));
        return out;
    }

    private static void fill(Parameter p, float[] values) {
        try (Tensor src = Tensor.of(p.data().device(), values, p.data().dims())) {
            Ops.copyInto(src, p.data());
        }
    }

    public Variant variant() {
        return variant;
    }

    public Sequential features() {
        return features;
    }

    public Sequential classifier() {
        return classifier;
    }

    public int numClasses() {
        return ((Linear) classifier.get(HEAD)).weight().data().dim(0);
    }

    /** {@code model.classifier[1] = nn.Linear(1280, numClasses)}, with nn.Linear's default init. */
    public void replaceHead(int numClasses, Generator gen) {
        classifier.set(HEAD, new Linear(LAST_CHANNEL, numClasses, true, gen));
        classifier.get(HEAD).train(isTraining());
    }

    /**
     * Maps each input value v to {@code scale * v + shift} before the network, so that the model
     * takes the pipeline's input range (ToTensor's [0, 1]) and sees its own (TensorFlow's [-1, 1]).
     * Not part of the state dict. The default (1, 0) leaves the input alone, as torchvision's does.
     */
    public void setInputScaling(float scale, float shift) {
        this.inputScale = scale;
        this.inputShift = shift;
    }

    public float inputScale() {
        return inputScale;
    }

    public float inputShift() {
        return inputShift;
    }

    @Override
    public Variable forward(Variable x) {
        Variable h = x;
        if (inputScale != 1f || inputShift != 0f) {
            h = Functional.scale(h, inputScale);
            if (inputShift != 0f) {
                h = Functional.add(h, Variable.constant(Tensor.full(x.data().device(), inputShift, x.shape().dims())));
            }
        }
        h = Functional.adaptiveAvgPool2d(features.call(h), 1, 1);
        return classifier.call(Functional.flatten(h));
    }
}
