package org.covidct.nn.gradcam;

import java.util.ArrayList;
import java.util.List;
import org.covidct.nn.Module;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * Grad-CAM as jacobgil/pytorch-grad-cam computes it, for a batch of images at once. The target is
 * the raw logit of each image's class (by default its predicted one); the channel weights are the
 * spatial mean of that logit's gradient with respect to the layer's output; the map is
 * ReLU(sum over channels of weight times activation), shifted to a minimum of 0, divided by its
 * maximum + 1e-7, then resized bilinearly (half-pixel centres) to the input size.
 *
 * <p>The layer's output is caught by a forward hook, so the model's code is unchanged. The model
 * is put in eval mode (as the reference does), gradients must be enabled, and every parameter
 * gradient is cleared afterwards (the backward pass fills them, as model.zero_grad() would).
 */
public final class GradCam {
    /** Added to the map's maximum before dividing, as the reference's scale_cam_image does. */
    public static final double EPSILON = 1e-7;

    private final Module model;
    private final Module layer;
    private final String layerName;

    /** Maps {@code layer} (a dotted module name; null for {@link LayerPath#DEFAULT}) of {@code model}. */
    public GradCam(Module model, String layer) {
        String name = layer == null ? LayerPath.DEFAULT : layer;
        this.model = model;
        this.layer = LayerPath.resolve(model, name);
        this.layerName = LayerPath.canonical(model, name);
    }

    /** The target layer's name, with negative indices resolved (features.52 for vgg19_bn's features.-1). */
    public String layerName() {
        return layerName;
    }

    /**
     * The maps of {@code images} [N, C, H, W]: one H x W map per image, row-major, in [0, 1).
     * {@code classes} holds one target class per image, or is null for the predicted classes
     * (the first maximal logit, as argmax).
     */
    public Result compute(Tensor images, int[] classes) {
        if (images.rank() != 4) {
            throw new IllegalArgumentException("Grad-CAM: images must be [N, C, H, W], got " + images.shape());
        }
        model.eval();
        List<Variable> outputs = new ArrayList<>();
        Variable activation = null;
        try (Module.HookHandle hook = layer.registerForwardHook((m, in, out) -> outputs.add(out));
             TensorScope scope = TensorScope.open()) {
            Variable logits = model.call(Variable.constant(images));
            activation = caught(outputs);
            int[] targets = targets(logits, classes);
            activation.retainGrad();
            target(logits, targets).backward();
            return new Result(layerName, images.dim(2), images.dim(3), targets, rows(logits.data()),
                    maps(activation.data(), activation.grad(), images.dim(2), images.dim(3)));
        } finally {
            if (activation != null) {
                activation.zeroGrad();
            }
            model.zeroGrad();
        }
    }

    private Variable caught(List<Variable> outputs) {
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("Grad-CAM: layer '" + layerName + "' gave no output through "
                    + "Module.call during the forward pass (its parent runs its forward directly), so no hook "
                    + "can see it; choose one of its children, such as " + layerName + ".-1, or a layer of a Sequential");
        }
        if (outputs.size() > 1) {
            throw new IllegalArgumentException("Grad-CAM: layer '" + layerName + "' ran " + outputs.size()
                    + " times in one forward pass; choose a layer that runs once");
        }
        Variable out = outputs.get(0);
        if (out.shape().rank() != 4) {
            throw new IllegalArgumentException("Grad-CAM: layer '" + layerName + "' outputs shape " + out.shape()
                    + "; Grad-CAM needs a [N, C, H, W] activation (a convolutional block)");
        }
        if (!out.requiresGrad()) {
            throw new IllegalStateException("Grad-CAM: the output of layer '" + layerName + "' has no gradient; "
                    + "run Grad-CAM outside GradMode.noGrad()");
        }
        return out;
    }

    private static int[] targets(Variable logits, int[] classes) {
        if (logits.shape().rank() != 2) {
            throw new IllegalArgumentException("Grad-CAM: the model must output logits [N, classes], got "
                    + logits.shape());
        }
        int n = logits.shape().dim(0), k = logits.shape().dim(1);
        if (classes == null) {
            return Ops.argmaxRows(logits.data());
        }
        if (classes.length != n) {
            throw new IllegalArgumentException("Grad-CAM: " + classes.length + " target classes for " + n + " images");
        }
        for (int c : classes) {
            if (c < 0 || c >= k) {
                throw new IllegalArgumentException("Grad-CAM: target class " + c + " is not in [0, " + k + ")");
            }
        }
        return classes.clone();
    }

    /** The sum over the batch of each image's target logit: one backward gives every image its gradient. */
    private static Variable target(Variable logits, int[] targets) {
        int k = logits.shape().dim(1);
        float[] oneHot = new float[targets.length * k];
        for (int i = 0; i < targets.length; i++) {
            oneHot[i * k + targets[i]] = 1f;
        }
        Tensor mask = Tensor.of(logits.data().device(), oneHot, targets.length, k);
        return Functional.sum(Functional.mul(logits, Variable.constant(mask)));
    }

    private static float[][] maps(Tensor activation, Tensor gradient, int outH, int outW) {
        int n = activation.dim(0), c = activation.dim(1), h = activation.dim(2), w = activation.dim(3);
        float[] a = activation.toArray();
        float[] g = gradient.toArray();
        float[][] maps = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] cam = normalise(weightedSum(a, g, i * c * h * w, c, h * w));
            maps[i] = CamResize.bilinear(cam, h, w, outH, outW);
        }
        return maps;
    }

    /** ReLU(sum over channels of mean(gradient) times activation) for the image starting at {@code offset}. */
    private static double[] weightedSum(float[] a, float[] g, int offset, int channels, int plane) {
        double[] cam = new double[plane];
        for (int ch = 0; ch < channels; ch++) {
            int base = offset + ch * plane;
            double weight = 0;
            for (int p = 0; p < plane; p++) {
                weight += g[base + p];
            }
            weight /= plane;
            for (int p = 0; p < plane; p++) {
                cam[p] += weight * a[base + p];
            }
        }
        for (int p = 0; p < plane; p++) {
            cam[p] = Math.max(cam[p], 0);
        }
        return cam;
    }

    /** (cam - min) / (max(cam - min) + 1e-7). */
    static float[] normalise(double[] cam) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double v : cam) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] out = new float[cam.length];
        double scale = 1 / (max - min + EPSILON);
        for (int p = 0; p < cam.length; p++) {
            out[p] = (float) ((cam[p] - min) * scale);
        }
        return out;
    }

    private static float[][] rows(Tensor logits) {
        int n = logits.dim(0), k = logits.dim(1);
        float[] flat = logits.toArray();
        float[][] out = new float[n][k];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * k, out[i], 0, k);
        }
        return out;
    }

    /**
     * The maps of one batch: {@code maps[i]} is image i's map, {@code height} rows of {@code width}
     * values; {@code classes[i]} the class it explains and {@code logits[i]} the model's output.
     */
    public record Result(String layer, int height, int width, int[] classes, float[][] logits, float[][] maps) {
    }
}
