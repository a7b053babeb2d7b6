package org.covidct.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The checked entry point to every tensor op. Each method validates ranks, shapes and devices,
 * naming the op and the shapes in its exception, allocates the outputs on the inputs' device, and
 * runs the device's {@link Backend} kernel. No gradient tracking happens here; that is nn's job.
 */
public final class Ops {
    private Ops() {
    }

    // ---- elementwise ----------------------------------------------------------------------------

    public static Tensor copy(Tensor x) {
        Backend b = backendOf("copy", x);
        Tensor out = like(x);
        b.copy(x, out);
        return out;
    }

    public static Tensor add(Tensor a, Tensor b) {
        Backend be = backendOf("add", a, b);
        sameShape("add", a, b);
        Tensor out = like(a);
        be.add(a, b, out);
        return out;
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Backend be = backendOf("mul", a, b);
        sameShape("mul", a, b);
        Tensor out = like(a);
        be.mul(a, b, out);
        return out;
    }

    public static Tensor scale(Tensor a, float alpha) {
        Backend be = backendOf("scale", a);
        Tensor out = like(a);
        be.scale(a, alpha, out);
        return out;
    }

    /** y += alpha * x, in place. */
    public static void axpyInPlace(float alpha, Tensor x, Tensor y) {
        Backend be = backendOf("axpy", x, y);
        sameShape("axpy", x, y);
        written("axpy", y);
        be.axpy(alpha, x, y);
    }

    public static void fillInPlace(Tensor t, float value) {
        Backend be = backendOf("fill", t);
        written("fill", t);
        be.fill(t, value);
    }

    /** dst = src, in place; the shapes must agree. */
    public static void copyInto(Tensor src, Tensor dst) {
        Backend be = backendOf("copy", src, dst);
        sameShape("copy", src, dst);
        written("copy", dst);
        be.copy(src, dst);
    }

    public static Tensor relu(Tensor x) {
        Backend be = backendOf("relu", x);
        Tensor out = like(x);
        be.relu(x, out);
        return out;
    }

    /** out = min(max(x, min), max): ReLU6 is clamp(x, 0, 6). */
    public static Tensor clamp(Tensor x, float min, float max) {
        Backend be = backendOf("clamp", x);
        if (!(min <= max)) {
            throw new IllegalArgumentException("clamp: bounds [" + min + ", " + max + "] are empty");
        }
        Tensor out = like(x);
        be.clamp(x, min, max, out);
        return out;
    }

    /** Gradient of {@link #clamp} from its output {@code y}: dy where {@code min < y < max}, else 0. */
    public static Tensor clampBackward(Tensor y, Tensor dy, float min, float max) {
        Backend be = backendOf("clamp_backward", y, dy);
        sameShape("clamp_backward", y, dy);
        Tensor dx = like(y);
        be.clampBackward(y, dy, min, max, dx);
        return dx;
    }

    public static Tensor reluBackward(Tensor y, Tensor dy) {
        Backend be = backendOf("relu_backward", y, dy);
        sameShape("relu_backward", y, dy);
        Tensor dx = like(y);
        be.reluBackward(y, dy, dx);
        return dx;
    }

    // ---- activations and elementwise functions ----------------------------------------------------

    public static Tensor sigmoid(Tensor x) {
        Backend be = backendOf("sigmoid", x);
        Tensor out = like(x);
        be.sigmoid(x, out);
        return out;
    }

    /** Gradient of {@link #sigmoid} from its output {@code y}. */
    public static Tensor sigmoidBackward(Tensor y, Tensor dy) {
        Backend be = backendOf("sigmoid_backward", y, dy);
        sameShape("sigmoid_backward", y, dy);
        Tensor dx = like(y);
        be.sigmoidBackward(y, dy, dx);
        return dx;
    }

    public static Tensor tanh(Tensor x) {
        Backend be = backendOf("tanh", x);
        Tensor out = like(x);
        be.tanh(x, out);
        return out;
    }

    /** Gradient of {@link #tanh} from its output {@code y}. */
    public static Tensor tanhBackward(Tensor y, Tensor dy) {
        Backend be = backendOf("tanh_backward", y, dy);
        sameShape("tanh_backward", y, dy);
        Tensor dx = like(y);
        be.tanhBackward(y, dy, dx);
        return dx;
    }

    /** GELU, exact (PyTorch's default) or in its tanh approximation. */
    public static Tensor gelu(Tensor x, GeluApproximation approximation) {
        Backend be = backendOf("gelu", x);
        requireApproximation("gelu", approximation, x);
        Tensor out = like(x);
        be.gelu(x, approximation, out);
        return out;
    }

    /** Gradient of {@link #gelu} from its input {@code x}. */
    public static Tensor geluBackward(Tensor x, Tensor dy, GeluApproximation approximation) {
        Backend be = backendOf("gelu_backward", x, dy);
        sameShape("gelu_backward", x, dy);
        requireApproximation("gelu_backward", approximation, x);
        Tensor dx = like(x);
        be.geluBackward(x, dy, approximation, dx);
        return dx;
    }

    private static void requireApproximation(String op, GeluApproximation approximation, Tensor x) {
        if (approximation == null) {
            throw new IllegalArgumentException(op + ": no approximation given (NONE or TANH) for input " + x.shape());
        }
    }

    /** exp(x); its gradient is {@code mul(dy, exp(x))}. */
    public static Tensor exp(Tensor x) {
        Backend be = backendOf("exp", x);
        Tensor out = like(x);
        be.exp(x, out);
        return out;
    }

    /** The natural logarithm: NaN below 0 and -infinity at 0, as torch.log. */
    public static Tensor log(Tensor x) {
        Backend be = backendOf("log", x);
        Tensor out = like(x);
        be.log(x, out);
        return out;
    }

    /** Gradient of {@link #log} from its input {@code x}: dy / x. */
    public static Tensor logBackward(Tensor x, Tensor dy) {
        Backend be = backendOf("log_backward", x, dy);
        sameShape("log_backward", x, dy);
        Tensor dx = like(x);
        be.logBackward(x, dy, dx);
        return dx;
    }

    // ---- reductions -----------------------------------------------------------------------------

    /** The sum of all elements, as a rank-0 tensor. */
    public static Tensor sum(Tensor x) {
        Backend be = backendOf("sum", x);
        Tensor out = alloc(x.device());
        be.sum(x, out);
        return out;
    }

    /** The mean of all elements, as a rank-0 tensor. */
    public static Tensor mean(Tensor x) {
        if (x.numel() == 0) {
            throw new IllegalArgumentException("mean: empty tensor of shape " + x.shape());
        }
        try (Tensor s = sum(x)) {
            return scale(s, 1f / x.numel());
        }
    }

    /** Sum over every dimension but 1: [N, C, ...] to [C]. */
    public static Tensor sumPerChannel(Tensor x) {
        Backend be = backendOf("sum_per_channel", x);
        requireRankAtLeast("sum_per_channel", "input", x, 2);
        Tensor out = alloc(x.device(), x.dim(1));
        be.sumPerChannel(x, out);
        return out;
    }

    /** Index of the first maximum of each row of a 2-d tensor. */
    public static int[] argmaxRows(Tensor x) {
        Backend be = backendOf("argmax", x);
        requireRank("argmax", "input", x, 2);
        if (x.dim(1) == 0) {
            throw new IllegalArgumentException("argmax: rows of shape " + x.shape() + " are empty");
        }
        int[] out = new int[x.dim(0)];
        be.argmaxRows(x, out);
        return out;
    }

    // ---- dense layers -----------------------------------------------------------------------------

    public static Tensor matmul(Tensor a, boolean transposeA, Tensor b, boolean transposeB) {
        Backend be = backendOf("matmul", a, b);
        requireRank("matmul", "left operand", a, 2);
        requireRank("matmul", "right operand", b, 2);
        int m = transposeA ? a.dim(1) : a.dim(0);
        int k = transposeA ? a.dim(0) : a.dim(1);
        int k2 = transposeB ? b.dim(1) : b.dim(0);
        int n = transposeB ? b.dim(0) : b.dim(1);
        if (k != k2) {
            throw new IllegalArgumentException("matmul: " + a.shape() + (transposeA ? "^T" : "") + " x "
                    + b.shape() + (transposeB ? "^T" : "") + " have inner sizes " + k + " and " + k2);
        }
        Tensor out = alloc(a.device(), m, n);
        be.matmul(a, transposeA, b, transposeB, out);
        return out;
    }

    /** x [N, I] times weight [O, I] transposed, plus bias [O] (or null): [N, O]. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Backend be = bias == null ? backendOf("linear", x, weight) : backendOf("linear", x, weight, bias);
        requireRank("linear", "input", x, 2);
        requireRank("linear", "weight", weight, 2);
        if (x.dim(1) != weight.dim(1)) {
            throw new IllegalArgumentException("linear: input " + x.shape() + " has " + x.dim(1)
                    + " features but weight " + weight.shape() + " expects " + weight.dim(1));
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
            throw new IllegalArgumentException("linear: bias " + bias.shape() + " does not match weight "
                    + weight.shape());
        }
        Tensor y = alloc(x.device(), x.dim(0), weight.dim(0));
        be.linear(x, weight, bias, y);
        return y;
    }

    // ---- convolution ------------------------------------------------------------------------------

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec) {
        Tensor y = conv2dOutput("conv2d", x, weight, bias, spec);
        y.device().backend().conv2d(x, weight, bias, spec, y);
        return y;
    }

    /**
     * clamp(conv2d(x, weight, bias, spec), min, max) in one call: a convolution and the ReLU
     * (min 0, max infinity) or ReLU6 after it, with the same bits as the two ops.
     */
    public static Tensor conv2dClamped(Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec, float min, float max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("conv2d_clamped: bounds [" + min + ", " + max + "] are empty");
        }
        Tensor y = conv2dOutput("conv2d_clamped", x, weight, bias, spec);
        y.device().backend().conv2dClamped(x, weight, bias, spec, min, max, y);
        return y;
    }

    /** A fresh output of the convolution's shape, on the operands' device, once they are checked. */
    private static Tensor conv2dOutput(String op, Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec) {
        if (bias == null) {
            backendOf(op, x, weight);
        } else {
            backendOf(op, x, weight, bias);
        }
        int[] out = conv2dOutput(x.shape(), weight.shape(), spec);
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
            throw new IllegalArgumentException(op + ": bias " + bias.shape() + " does not match weight "
                    + weight.shape());
        }
        return alloc(x.device(), out);
    }

    /** Gradient of conv2d with respect to an input of shape {@code inputShape}. */
    public static Tensor conv2dBackwardData(Tensor dy, Tensor weight, Shape inputShape, Conv2dSpec spec) {
        Backend be = backendOf("conv2d_backward_data", dy, weight);
        requireShape("conv2d_backward_data", "output gradient", dy,
                conv2dOutput(inputShape, weight.shape(), spec));
        Tensor dx = alloc(dy.device(), inputShape.dims());
        be.conv2dBackwardData(dy, weight, spec, dx);
        return dx;
    }

    /** Gradient of conv2d with respect to a weight of shape {@code weightShape}. */
    public static Tensor conv2dBackwardWeight(Tensor dy, Tensor x, Shape weightShape, Conv2dSpec spec) {
        Backend be = backendOf("conv2d_backward_weight", dy, x);
        requireShape("conv2d_backward_weight", "output gradient", dy,
                conv2dOutput(x.shape(), weightShape, spec));
        Tensor dw = alloc(dy.device(), weightShape.dims());
        be.conv2dBackwardWeight(dy, x, spec, dw);
        return dw;
    }

    private static int[] conv2dOutput(Shape x, Shape w, Conv2dSpec spec) {
        if (x.rank() != 4 || w.rank() != 4) {
            throw new IllegalArgumentException("conv2d: expected input [N, C, H, W] and weight [K, C, R, S], got "
                    + x + " and " + w);
        }
        int groups = spec.groups();
        if ((long) w.dim(1) * groups != x.dim(1)) {
            throw new IllegalArgumentException("conv2d: input " + x + " has " + x.dim(1)
                    + " channels but weight " + w + " expects " + (long) w.dim(1) * groups
                    + (groups > 1 ? " (" + groups + " groups of " + w.dim(1) + ")" : ""));
        }
        if (w.dim(0) % groups != 0) {
            throw new IllegalArgumentException("conv2d: weight " + w + " has " + w.dim(0)
                    + " output channels, not a multiple of " + groups + " groups");
        }
        int p = spec.outH(x.dim(2), w.dim(2));
        int q = spec.outW(x.dim(3), w.dim(3));
        if (x.dim(2) + 2 * spec.padH() < w.dim(2) || x.dim(3) + 2 * spec.padW() < w.dim(3)) {
            throw new IllegalArgumentException("conv2d: kernel " + w + " is larger than the padded input " + x
                    + " with " + spec);
        }
        return new int[] {x.dim(0), w.dim(0), p, q};
    }

    /** Zero padding of the two spatial axes of [N, C, H, W], each side by its own amount. */
    public static Tensor pad2d(Tensor x, int top, int bottom, int left, int right) {
        Backend be = backendOf("pad2d", x);
        requireRank("pad2d", "input", x, 4);
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("pad2d: negative padding (top " + top + ", bottom " + bottom
                    + ", left " + left + ", right " + right + ") of input " + x.shape());
        }
        Tensor y = alloc(x.device(), x.dim(0), x.dim(1), Math.addExact(x.dim(2), top + bottom),
                Math.addExact(x.dim(3), left + right));
        be.pad2d(x, top, left, y);
        return y;
    }

    /** Gradient of {@link #pad2d}: the window of dy at (top, left) the size of {@code inputShape}. */
    public static Tensor pad2dBackward(Tensor dy, Shape inputShape, int top, int left) {
        Backend be = backendOf("pad2d_backward", dy);
        requireRank("pad2d_backward", "output gradient", dy, 4);
        if (inputShape.rank() != 4 || inputShape.dim(0) != dy.dim(0) || inputShape.dim(1) != dy.dim(1)
                || top < 0 || left < 0 || top + inputShape.dim(2) > dy.dim(2) || left + inputShape.dim(3) > dy.dim(3)) {
            throw new IllegalArgumentException("pad2d_backward: output gradient " + dy.shape()
                    + " does not hold input " + inputShape + " at (" + top + ", " + left + ")");
        }
        Tensor dx = alloc(dy.device(), inputShape.dims());
        be.pad2dBackward(dy, top, left, dx);
        return dx;
    }

    // ---- batch normalisation ----------------------------------------------------------------------

    /** Outputs of training-mode batch normalisation: y and the statistics the backward pass needs. */
    public record BatchNormOutput(Tensor y, Tensor mean, Tensor invStd) {
    }

    /** Gradients of batch normalisation. */
    public record BatchNormGrads(Tensor dx, Tensor dgamma, Tensor dbeta) {
    }

    public static BatchNormOutput batchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                                    Tensor runningVar, float momentum, float eps) {
        Backend be = backendOf("batch_norm", x, gamma, beta, runningMean, runningVar);
        int c = checkBatchNorm(x, gamma, beta, runningMean, runningVar);
        if (x.numel() / c < 2) {
            throw new IllegalArgumentException("batch_norm: training needs more than one value per channel, got input "
                    + x.shape());
        }
        Tensor y = like(x);
        Tensor mean = alloc(x.device(), c);
        Tensor invStd = alloc(x.device(), c);
        written("batch_norm", runningMean, runningVar);
        be.batchNormTraining(x, gamma, beta, runningMean, runningVar, momentum, eps, y, mean, invStd);
        return new BatchNormOutput(y, mean, invStd);
    }

    public static Tensor batchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                            Tensor runningVar, float eps) {
        Backend be = backendOf("batch_norm", x, gamma, beta, runningMean, runningVar);
        checkBatchNorm(x, gamma, beta, runningMean, runningVar);
        Tensor y = like(x);
        be.batchNormInference(x, gamma, beta, runningMean, runningVar, eps, y);
        return y;
    }

    public static BatchNormGrads batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor mean, Tensor invStd,
                                                   boolean batchStatistics) {
        Backend be = backendOf("batch_norm_backward", x, dy, gamma, mean, invStd);
        sameShape("batch_norm_backward", x, dy);
        int c = checkBatchNorm(x, gamma, gamma, mean, invStd);
        Tensor dx = like(x);
        Tensor dgamma = alloc(x.device(), c);
        Tensor dbeta = alloc(x.device(), c);
        be.batchNormBackward(x, dy, gamma, mean, invStd, batchStatistics, dx, dgamma, dbeta);
        return new BatchNormGrads(dx, dgamma, dbeta);
    }

    private static int checkBatchNorm(Tensor x, Tensor... perChannel) {
        requireRank("batch_norm", "input", x, 4);
        int c = x.dim(1);
        for (Tensor t : perChannel) {
            if (t.rank() != 1 || t.dim(0) != c) {
                throw new IllegalArgumentException("batch_norm: per-channel tensor " + t.shape()
                        + " does not match the " + c + " channels of input " + x.shape());
            }
        }
        return c;
    }

    // ---- layer normalisation ----------------------------------------------------------------------

    /** Outputs of layer normalisation: y and the per-row statistics the backward pass needs. */
    public record LayerNormOutput(Tensor y, Tensor mean, Tensor invStd) {
    }

    /** Gradients of layer normalisation. */
    public record LayerNormGrads(Tensor dx, Tensor dweight, Tensor dbias) {
    }

    /**
     * Layer normalisation over the trailing dimensions of x that weight and bias span (PyTorch's
     * normalized_shape), with elementwise affine weight and bias. The statistics are one per row, [rows].
     */
    public static LayerNormOutput layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        Backend be = backendOf("layer_norm", x, weight, bias);
        sameShape("layer_norm", weight, bias);
        int rows = layerNormRows("layer_norm", x, weight);
        if (!(eps >= 0f)) {
            throw new IllegalArgumentException("layer_norm: eps " + eps + " is not a non-negative number, input "
                    + x.shape());
        }
        Tensor y = like(x);
        Tensor mean = alloc(x.device(), rows);
        Tensor invStd = alloc(x.device(), rows);
        be.layerNorm(x, weight, bias, eps, y, mean, invStd);
        return new LayerNormOutput(y, mean, invStd);
    }

    public static LayerNormGrads layerNormBackward(Tensor x, Tensor dy, Tensor weight, Tensor mean, Tensor invStd) {
        Backend be = backendOf("layer_norm_backward", x, dy, weight, mean, invStd);
        sameShape("layer_norm_backward", x, dy);
        int rows = layerNormRows("layer_norm_backward", x, weight);
        requireShape("layer_norm_backward", "mean", mean, new int[] {rows});
        requireShape("layer_norm_backward", "inverse standard deviation", invStd, new int[] {rows});
        Tensor dx = like(x);
        Tensor dweight = like(weight);
        Tensor dbias = like(weight);
        be.layerNormBackward(x, dy, weight, mean, invStd, dx, dweight, dbias);
        return new LayerNormGrads(dx, dweight, dbias);
    }

    /** The rows of x over whose trailing dimensions, those of weight, layer norm normalises. */
    private static int layerNormRows(String op, Tensor x, Tensor weight) {
        int k = weight.rank();
        boolean trailing = k >= 1 && x.rank() >= k && weight.numel() > 0;
        for (int i = 1; trailing && i <= k; i++) {
            trailing = x.dim(-i) == weight.dim(-i);
        }
        if (!trailing) {
            throw new IllegalArgumentException(op + ": weight " + weight.shape()
                    + " is not the non-empty trailing dimensions of input " + x.shape());
        }
        return Math.toIntExact(x.numel() / weight.numel());
    }

    // ---- pooling ----------------------------------------------------------------------------------

    public static Tensor maxPool2d(Tensor x, Pool2dSpec spec) {
        Backend be = backendOf("max_pool2d", x);
        Tensor y = alloc(x.device(), poolOutput("max_pool2d", x.shape(), spec));
        be.maxPool2d(x, spec, y);
        return y;
    }

    public static Tensor maxPool2dBackward(Tensor x, Tensor dy, Pool2dSpec spec) {
        Backend be = backendOf("max_pool2d_backward", x, dy);
        requireShape("max_pool2d_backward", "output gradient", dy, poolOutput("max_pool2d", x.shape(), spec));
        Tensor dx = like(x);
        be.maxPool2dBackward(x, dy, spec, dx);
        return dx;
    }

    /** Average pooling with PyTorch's defaults count_include_pad=True and ceil_mode=False. */
    public static Tensor avgPool2d(Tensor x, Pool2dSpec spec) {
        Backend be = backendOf("avg_pool2d", x);
        Tensor y = alloc(x.device(), poolOutput("avg_pool2d", x.shape(), spec));
        be.avgPool2d(x, spec, y);
        return y;
    }

    /** Gradient of {@link #avgPool2d} with respect to an input of shape {@code inputShape}. */
    public static Tensor avgPool2dBackward(Tensor dy, Shape inputShape, Pool2dSpec spec) {
        Backend be = backendOf("avg_pool2d_backward", dy);
        requireShape("avg_pool2d_backward", "output gradient", dy, poolOutput("avg_pool2d", inputShape, spec));
        Tensor dx = alloc(dy.device(), inputShape.dims());
        be.avgPool2dBackward(dy, spec, dx);
        return dx;
    }

    private static int[] poolOutput(String op, Shape x, Pool2dSpec spec) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(op + ": expected input [N, C, H, W], got " + x);
        }
        if (x.dim(2) + 2 * spec.padH() < spec.kernelH() || x.dim(3) + 2 * spec.padW() < spec.kernelW()) {
            throw new IllegalArgumentException(op + ": input " + x + (spec.padH() + spec.padW() > 0
                    ? " padded by (" + spec.padH() + ", " + spec.padW() + ")" : "") + " is smaller than the window "
                    + spec.kernelH() + "x" + spec.kernelW());
        }
        return new int[] {x.dim(0), x.dim(1), spec.outH(x.dim(2)), spec.outW(x.dim(3))};
    }

    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        Backend be = backendOf("adaptive_avg_pool2d", x);
        requireRank("adaptive_avg_pool2d", "input", x, 4);
        if (outH < 1 || outW < 1 || x.dim(2) < 1 || x.dim(3) < 1) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: cannot pool input " + x.shape() + " to "
                    + outH + "x" + outW);
        }
        Tensor y = alloc(x.device(), x.dim(0), x.dim(1), outH, outW);
        be.adaptiveAvgPool2d(x, y);
        return y;
    }

    public static Tensor adaptiveAvgPool2dBackward(Tensor dy, Shape inputShape) {
        Backend be = backendOf("adaptive_avg_pool2d_backward", dy);
        requireRank("adaptive_avg_pool2d_backward", "output gradient", dy, 4);
        if (inputShape.rank() != 4 || inputShape.dim(0) != dy.dim(0) || inputShape.dim(1) != dy.dim(1)) {
            throw new IllegalArgumentException("adaptive_avg_pool2d_backward: output gradient " + dy.shape()
                    + " does not match input " + inputShape);
        }
        Tensor dx = alloc(dy.device(), inputShape.dims());
        be.adaptiveAvgPool2dBackward(dy, dx);
        return dx;
    }

    // ---- dropout ----------------------------------------------------------------------------------

    /** A mask of 0 and 1/(1-p) with the given shape; see {@link Backend#dropoutMask}. */
    public static Tensor dropoutMask(Device device, Shape shape, float p, long seed) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout: probability " + p + " is not in [0, 1)");
        }
        Tensor mask = alloc(device, shape.dims());
        device.backend().dropoutMask(seed, p, mask);
        return mask;
    }

    // ---- classification loss ----------------------------------------------------------------------

    /** Mean cross-entropy loss (rank 0) and the row softmax it came from. */
    public record CrossEntropyOutput(Tensor loss, Tensor probs) {
    }

    public static Tensor softmax(Tensor logits) {
        Backend be = backendOf("softmax", logits);
        requireRank("softmax", "logits", logits, 2);
        Tensor probs = like(logits);
        be.softmax(logits, probs);
        return probs;
    }

    public static CrossEntropyOutput crossEntropy(Tensor logits, int[] targets) {
        Backend be = backendOf("cross_entropy", logits);
        checkTargets(logits, targets);
        Tensor probs = like(logits);
        Tensor loss = alloc(logits.device());
        be.crossEntropy(logits, targets, probs, loss);
        return new CrossEntropyOutput(loss, probs);
    }

    public static Tensor crossEntropyBackward(Tensor probs, int[] targets, float gradScale) {
        Backend be = backendOf("cross_entropy_backward", probs);
        checkTargets(probs, targets);
        Tensor dlogits = like(probs);
        be.crossEntropyBackward(probs, targets, gradScale, dlogits);
        return dlogits;
    }

    private static void checkTargets(Tensor logits, int[] targets) {
        requireRank("cross_entropy", "logits", logits, 2);
        if (targets.length != logits.dim(0) || logits.dim(0) == 0) {
            throw new IllegalArgumentException("cross_entropy: logits " + logits.shape() + " but "
                    + targets.length + " targets");
        }
        for (int t : targets) {
            if (t < 0 || t >= logits.dim(1)) {
                throw new IllegalArgumentException("cross_entropy: target " + t + " out of range for logits "
                        + logits.shape());
            }
        }
    }

    // ---- elementwise losses ---------------------------------------------------------------------------

    /** Mean binary cross-entropy of sigmoid(logits) against target probabilities, as a rank-0 tensor. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
        Backend be = backendOf("binary_cross_entropy_with_logits", logits, target);
        checkLoss("binary_cross_entropy_with_logits", logits, target);
        Tensor loss = alloc(logits.device());
        be.binaryCrossEntropyWithLogits(logits, target, loss);
        return loss;
    }

    /** (sigmoid(logits) - target) * gradScale: the gradient of the mean loss is gradScale = dloss / numel. */
    public static Tensor binaryCrossEntropyWithLogitsBackward(Tensor logits, Tensor target, float gradScale) {
        Backend be = backendOf("binary_cross_entropy_with_logits_backward", logits, target);
        checkLoss("binary_cross_entropy_with_logits_backward", logits, target);
        Tensor dlogits = like(logits);
        be.binaryCrossEntropyWithLogitsBackward(logits, target, gradScale, dlogits);
        return dlogits;
    }

    /** Mean squared error, as a rank-0 tensor. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        Backend be = backendOf("mse_loss", input, target);
        checkLoss("mse_loss", input, target);
        Tensor loss = alloc(input.device());
        be.mseLoss(input, target, loss);
        return loss;
    }

    /** 2 * (input - target) * gradScale: the gradient of the mean loss is gradScale = dloss / numel. */
    public static Tensor mseLossBackward(Tensor input, Tensor target, float gradScale) {
        Backend be = backendOf("mse_loss_backward", input, target);
        checkLoss("mse_loss_backward", input, target);
        Tensor dinput = like(input);
        be.mseLossBackward(input, target, gradScale, dinput);
        return dinput;
    }

    private static void checkLoss(String op, Tensor input, Tensor target) {
        sameShape(op, input, target);
        if (input.numel() == 0) {
            throw new IllegalArgumentException(op + ": the mean of empty input " + input.shape() + " is undefined");
        }
    }

    // ---- optimiser --------------------------------------------------------------------------------

    /** One in-place torch.optim.SGD update; see {@link Backend#sgdStep}. */
    public static void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum,
                               float weightDecay, boolean firstStep) {
        Backend be = momentumBuffer == null ? backendOf("sgd_step", param, grad)
                : backendOf("sgd_step", param, grad, momentumBuffer);
        sameShape("sgd_step", param, grad);
        if (momentum != 0f) {
            if (momentumBuffer == null) {
                throw new IllegalArgumentException("sgd_step: momentum " + momentum + " needs a momentum buffer");
            }
            sameShape("sgd_step", param, momentumBuffer);
        }
        written("sgd_step", momentumBuffer == null ? new Tensor[] {param} : new Tensor[] {param, momentumBuffer});
        be.sgdStep(param, grad, momentumBuffer, lr, momentum, weightDecay, firstStep);
    }

    /**
     * {@link #sgdStep} of many parameters at once (one kernel launch on a GPU); element t of each
     * list belongs together, and {@code momentumBuffers} may hold nulls only when momentum is 0.
     */
    public static void sgdStepAll(List<Tensor> params, List<Tensor> grads, List<Tensor> momentumBuffers, float lr,
                                  float momentum, float weightDecay, boolean firstStep) {
        if (grads.size() != params.size() || momentumBuffers.size() != params.size()) {
            throw new IllegalArgumentException("sgd_step: " + params.size() + " parameters, " + grads.size()
                    + " gradients and " + momentumBuffers.size() + " momentum buffers");
        }
        if (params.isEmpty()) {
            return;
        }
        List<Tensor> all = new ArrayList<>(params);
        all.addAll(grads);
        for (Tensor buf : momentumBuffers) {
            if (buf != null) {
                all.add(buf);
            }
        }
        Backend be = backendOf("sgd_step", all.toArray(new Tensor[0]));
        for (int t = 0; t < params.size(); t++) {
            sameShape("sgd_step", params.get(t), grads.get(t));
            if (momentum != 0f) {
                Tensor buf = momentumBuffers.get(t);
                if (buf == null) {
                    throw new IllegalArgumentException("sgd_step: momentum " + momentum
                            + " needs a momentum buffer for parameter " + t + " " + params.get(t).shape());
                }
                sameShape("sgd_step", params.get(t), buf);
            }
        }
        List<Tensor> updated = new ArrayList<>(params);
        momentumBuffers.stream().filter(Objects::nonNull).forEach(updated::add);
        written("sgd_step", updated.toArray(new Tensor[0]));
        be.sgdStepAll(params, grads, momentumBuffers, lr, momentum, weightDecay, firstStep);
    }

    // ---- checks -----------------------------------------------------------------------------------

    /**
     * Before an in-place write to {@code targets}: refuses a frozen one (before anything is
     * written), then moves each one's version, so that values computed from them go stale.
     */
    private static void written(String op, Tensor... targets) {
        for (Tensor t : targets) {
            if (t.storage().isFrozen()) {
                throw new IllegalStateException(op + ": tensor of shape " + t.shape() + " is frozen (read-only)");
            }
        }
        for (Tensor t : targets) {
            t.storage().markWritten();
        }
    }

    /** Checks that every tensor is open and on one device, and returns that device's backend. */
    private static Backend backendOf(String op, Tensor... tensors) {
        Device device = null;
        for (Tensor t : tensors) {
            if (t == null) {
                throw new IllegalArgumentException(op + ": a required tensor is null");
            }
            t.requireOpen(op);
            Device d = t.storage().device();
            if (device == null) {
                device = d;
            } else if (!device.equals(d)) {
                throw new IllegalArgumentException(op + ": tensors on different devices (" + device + " and " + d
                        + "), shapes " + shapes(tensors));
            }
        }
        return device.backend();
    }

    private static String shapes(Tensor... tensors) {
        StringBuilder sb = new StringBuilder();
        for (Tensor t : tensors) {
            sb.append(sb.isEmpty() ? "" : ", ").append(t.shape());
        }
        return sb.toString();
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": shapes " + a.shape() + " and " + b.shape() + " differ");
        }
    }

    private static void requireRank(String op, String what, Tensor t, int rank) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": " + what + " must have rank " + rank + ", got shape "
                    + t.shape());
        }
    }

    private static void requireRankAtLeast(String op, String what, Tensor t, int rank) {
        if (t.rank() < rank) {
            throw new IllegalArgumentException(op + ": " + what + " must have rank at least " + rank
                    + ", got shape " + t.shape());
        }
    }

    private static void requireShape(String op, String what, Tensor t, int[] dims) {
        if (!t.shape().equals(Shape.of(dims))) {
            throw new IllegalArgumentException(op + ": " + what + " has shape " + t.shape() + ", expected "
                    + Arrays.toString(dims));
        }
    }

    private static Tensor like(Tensor t) {
        return alloc(t.device(), t.dims());
    }

    /** An output tensor: its kernel writes every element, so it need not be zeroed first. */
    private static Tensor alloc(Device device, int... dims) {
        Shape shape = Shape.of(dims);
        return new Tensor(shape, device.backend().allocateOutput(shape.numel()));
    }
}
