package org.covidct.nn.autograd;

import java.util.Arrays;
import java.util.Objects;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.GeluApproximation;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Pool2dSpec;
import org.covidct.tensor.Shape;
import org.covidct.tensor.Tensor;

/**
 * Differentiable ops, like torch.nn.functional: each runs the forward kernel through {@link Ops}
 * and, when gradients are enabled and an input requires one, records a {@link Node} whose backward
 * calls the matching backward kernels. Gradients are only computed for inputs that need them.
 */
public final class Functional {
    private Functional() {
    }

    public static Variable conv2d(Variable x, Variable weight, Variable bias, Conv2dSpec spec) {
        Tensor y = Ops.conv2d(x.data(), weight.data(), bias == null ? null : bias.data(), spec);
        Shape inShape = x.shape(), wShape = weight.shape();
        return record(Node.Reads.INPUTS, "conv2d", y, g -> new Tensor[] {
            x.requiresGrad() ? Ops.conv2dBackwardData(g, weight.data(), inShape, spec) : null,
            weight.requiresGrad() ? Ops.conv2dBackwardWeight(g, x.data(), wShape, spec) : null,
            bias != null && bias.requiresGrad() ? Ops.sumPerChannel(g) : null,
        }, x, weight, bias);
    }

    /** x [N, I] times weight [O, I] transposed plus bias [O]. */
    public static Variable linear(Variable x, Variable weight, Variable bias) {
        Tensor y = Ops.linear(x.data(), weight.data(), bias == null ? null : bias.data());
        return record(Node.Reads.INPUTS, "linear", y, g -> new Tensor[] {
            x.requiresGrad() ? Ops.matmul(g, false, weight.data(), false) : null,
            weight.requiresGrad() ? Ops.matmul(g, true, x.data(), false) : null,
            bias != null && bias.requiresGrad() ? Ops.sumPerChannel(g) : null,
        }, x, weight, bias);
    }

    /**
     * Batch normalisation. In training mode it normalises with the batch statistics and updates
     * the running ones in place; otherwise it normalises with the running statistics.
     */
    public static Variable batchNorm(Variable x, Variable gamma, Variable beta, Tensor runningMean,
                                     Tensor runningVar, boolean training, float momentum, float eps) {
        if (training) {
            Ops.BatchNormOutput out = Ops.batchNormTraining(x.data(), gamma.data(), beta.data(), runningMean,
                    runningVar, momentum, eps);
            return record(Node.Reads.INPUTS, "batch_norm", out.y(), g -> batchNormGrads(x, g, gamma, beta, out.mean(), out.invStd(),
                    true), x, gamma, beta);
        }
        Tensor y = Ops.batchNormInference(x.data(), gamma.data(), beta.data(), runningMean, runningVar, eps);
        return record(Node.Reads.INPUTS, "batch_norm", y, g -> {
            try (Tensor invStd = inverseStd(runningVar, eps)) {
                return batchNormGrads(x, g, gamma, beta, runningMean, invStd, false);
            }
        }, x, gamma, beta);
    }

    private static Tensor[] batchNormGrads(Variable x, Tensor g, Variable gamma, Variable beta, Tensor mean,
                                           Tensor invStd, boolean batchStatistics) {
        Ops.BatchNormGrads grads = Ops.batchNormBackward(x.data(), g, gamma.data(), mean, invStd, batchStatistics);
        return new Tensor[] {
            keepIf(x.requiresGrad(), grads.dx()),
            keepIf(gamma.requiresGrad(), grads.dgamma()),
            keepIf(beta.requiresGrad(), grads.dbeta()),
        };
    }

    /** 1 / sqrt(var + eps) for a per-channel vector: small, so computed on the host. */
    private static Tensor inverseStd(Tensor var, float eps) {
        float[] v = var.toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (1.0 / Math.sqrt((double) v[i] + eps));
        }
        return Tensor.of(var.device(), v, var.dims());
    }

    public static Variable relu(Variable x) {
        Tensor y = Ops.relu(x.data());
        return record(Node.Reads.OUTPUT, "relu", y, g -> new Tensor[] {Ops.reluBackward(y, g)}, x);
    }

    /** min(max(x, min), max); ReLU6 is clamp(x, 0, 6). The gradient passes where {@code min < x < max}. */
    public static Variable clamp(Variable x, float min, float max) {
        Tensor y = Ops.clamp(x.data(), min, max);
        return record(Node.Reads.OUTPUT, "clamp", y, g -> new Tensor[] {Ops.clampBackward(y, g, min, max)}, x);
    }

    public static Variable relu6(Variable x) {
        return clamp(x, 0f, 6f);
    }

    public static Variable sigmoid(Variable x) {
        Tensor y = Ops.sigmoid(x.data());
        return record(Node.Reads.OUTPUT, "sigmoid", y, g -> new Tensor[] {Ops.sigmoidBackward(y, g)}, x);
    }

    public static Variable tanh(Variable x) {
        Tensor y = Ops.tanh(x.data());
        return record(Node.Reads.OUTPUT, "tanh", y, g -> new Tensor[] {Ops.tanhBackward(y, g)}, x);
    }

    /** GELU, exact (F.gelu's default, approximate='none') or in its tanh approximation. */
    public static Variable gelu(Variable x, GeluApproximation approximation) {
        Tensor y = Ops.gelu(x.data(), approximation);
        return record("gelu", y, g -> new Tensor[] {Ops.geluBackward(x.data(), g, approximation)}, x);
    }

    public static Variable exp(Variable x) {
        Tensor y = Ops.exp(x.data());
        return record(Node.Reads.OUTPUT, "exp", y, g -> new Tensor[] {Ops.mul(g, y)}, x);
    }

    public static Variable log(Variable x) {
        Tensor y = Ops.log(x.data());
        return record("log", y, g -> new Tensor[] {Ops.logBackward(x.data(), g)}, x);
    }

    /**
     * Layer normalisation over the trailing dimensions of x that weight and bias span, as
     * F.layer_norm with elementwise affine weight and bias.
     */
    public static Variable layerNorm(Variable x, Variable weight, Variable bias, float eps) {
        Ops.LayerNormOutput out = Ops.layerNorm(x.data(), weight.data(), bias.data(), eps);
        return record("layer_norm", out.y(), g -> {
            Ops.LayerNormGrads grads = Ops.layerNormBackward(x.data(), g, weight.data(), out.mean(), out.invStd());
            return new Tensor[] {
                keepIf(x.requiresGrad(), grads.dx()),
                keepIf(weight.requiresGrad(), grads.dweight()),
                keepIf(bias.requiresGrad(), grads.dbias()),
            };
        }, x, weight, bias);
    }

    /** Zero padding of the spatial axes of [N, C, H, W], each side by its own amount, as F.pad. */
    public static Variable pad2d(Variable x, int top, int bottom, int left, int right) {
        Tensor y = Ops.pad2d(x.data(), top, bottom, left, right);
        Shape inShape = x.shape();
        return record("pad2d", y, g -> new Tensor[] {Ops.pad2dBackward(g, inShape, top, left)}, x);
    }

    public static Variable maxPool2d(Variable x, Pool2dSpec spec) {
        Tensor y = Ops.maxPool2d(x.data(), spec);
        return record("max_pool2d", y, g -> new Tensor[] {Ops.maxPool2dBackward(x.data(), g, spec)}, x);
    }

    /** Average pooling with PyTorch's defaults count_include_pad=True and ceil_mode=False. */
    public static Variable avgPool2d(Variable x, Pool2dSpec spec) {
        Tensor y = Ops.avgPool2d(x.data(), spec);
        Shape inShape = x.shape();
        return record("avg_pool2d", y, g -> new Tensor[] {Ops.avgPool2dBackward(g, inShape, spec)}, x);
    }

    public static Variable adaptiveAvgPool2d(Variable x, int outH, int outW) {
        Tensor y = Ops.adaptiveAvgPool2d(x.data(), outH, outW);
        Shape inShape = x.shape();
        return record("adaptive_avg_pool2d", y, g -> new Tensor[] {Ops.adaptiveAvgPool2dBackward(g, inShape)}, x);
    }

    /** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p). */
    public static Variable dropout(Variable x, float p, long seed) {
        Tensor mask = Ops.dropoutMask(x.data().device(), x.shape(), p, seed);
        Tensor y = Ops.mul(x.data(), mask);
        return record("dropout", y, g -> new Tensor[] {Ops.mul(g, mask)}, x);
    }

    /** [N, d1, d2, ...] to [N, d1*d2*...], a view. */
    public static Variable flatten(Variable x) {
        if (x.shape().rank() < 1) {
            throw new IllegalArgumentException("flatten: needs a batch dimension, got shape " + x.shape());
        }
        return reshape(x, x.shape().dim(0), x.shape().sizeFrom(1));
    }

    /** A view with other dimensions; its gradient is viewed back. */
    public static Variable reshape(Variable x, int... dims) {
        Tensor y = x.data().reshape(dims);
        int[] inDims = x.shape().dims();
        return record("reshape", y, g -> new Tensor[] {g.reshape(inDims)}, x);
    }

    /** Mean cross-entropy of logits [N, classes] against class indices, as nn.CrossEntropyLoss. */
    public static Variable crossEntropy(Variable logits, int[] targets) {
        Ops.CrossEntropyOutput out = Ops.crossEntropy(logits.data(), targets);
        int n = targets.length;
        return record("cross_entropy", out.loss(),
                g -> new Tensor[] {Ops.crossEntropyBackward(out.probs(), targets, g.item() / n)}, logits);
    }

    /**
     * Mean cross-entropy with label smoothing, as nn.CrossEntropyLoss(label_smoothing=eps): the
     * target of row i is (1 - eps) on its class plus eps / C on every class, so the loss is
     * (1 - eps) * CE + eps * mean_i(-mean_c log p_ic). Computed as CE + sum(W * logits) with the
     * constant W_ic = (eps / N) * ([c == y_i] - 1 / C), which is the same function (the two differ
     * by eps * mean_i(logit_iy - mean_c logit_ic)); its gradient is (p - smoothed target) / N.
     * A smoothing of 0 is the plain {@link #crossEntropy(Variable, int[])}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= labelSmoothing <= 1}
     */
    public static Variable crossEntropy(Variable logits, int[] targets, float labelSmoothing) {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("cross_entropy: label smoothing " + labelSmoothing + " must be in [0, 1]");
        }
        Variable ce = crossEntropy(logits, targets);
        if (labelSmoothing == 0f) {
            return ce;
        }
        int n = targets.length;
        int classes = logits.shape().dim(1);
        float[] w = new float[n * classes];
        double scale = (double) labelSmoothing / n;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                w[i * classes + c] = (float) (scale * ((c == targets[i] ? 1.0 : 0.0) - 1.0 / classes));
            }
        }
        Variable weights = Variable.constant(Tensor.of(logits.data().device(), w, n, classes));
        return add(ce, sum(mul(logits, weights)));
    }

    /**
     * Mean binary cross-entropy of sigmoid(logits) against target probabilities of the same shape, as
     * nn.BCEWithLogitsLoss without weights. The target's gradient is -logits * dloss / numel.
     */
    public static Variable binaryCrossEntropyWithLogits(Variable logits, Variable target) {
        Tensor loss = Ops.binaryCrossEntropyWithLogits(logits.data(), target.data());
        long n = logits.data().numel();
        return record("binary_cross_entropy_with_logits", loss, g -> {
            float scale = g.item() / n;
            return new Tensor[] {
                logits.requiresGrad() ? Ops.binaryCrossEntropyWithLogitsBackward(logits.data(), target.data(), scale)
                        : null,
                target.requiresGrad() ? Ops.scale(logits.data(), -scale) : null,
            };
        }, logits, target);
    }

    /** Mean squared error of input against a target of the same shape, as nn.MSELoss. */
    public static Variable mseLoss(Variable input, Variable target) {
        Tensor loss = Ops.mseLoss(input.data(), target.data());
        long n = input.data().numel();
        return record("mse_loss", loss, g -> {
            Tensor dinput = Ops.mseLossBackward(input.data(), target.data(), g.item() / n);
            Tensor dtarget = target.requiresGrad() ? Ops.scale(dinput, -1f) : null;
            return new Tensor[] {keepIf(input.requiresGrad(), dinput), dtarget};
        }, input, target);
    }

    public static Variable add(Variable a, Variable b) {
        Tensor y = Ops.add(a.data(), b.data());
        return record("add", y, g -> new Tensor[] {
            a.requiresGrad() ? Ops.copy(g) : null,
            b.requiresGrad() ? Ops.copy(g) : null,
        }, a, b);
    }

    public static Variable mul(Variable a, Variable b) {
        Tensor y = Ops.mul(a.data(), b.data());
        return record("mul", y, g -> new Tensor[] {
            a.requiresGrad() ? Ops.mul(g, b.data()) : null,
            b.requiresGrad() ? Ops.mul(g, a.data()) : null,
        }, a, b);
    }

    public static Variable scale(Variable a, float alpha) {
        Tensor y = Ops.scale(a.data(), alpha);
        return record("scale", y, g -> new Tensor[] {Ops.scale(g, alpha)}, a);
    }

    /** Sum of all elements, rank 0. */
    public static Variable sum(Variable a) {
        Tensor y = Ops.sum(a.data());
        int[] dims = a.shape().dims();
        return record("sum", y, g -> new Tensor[] {Tensor.full(g.device(), g.item(), dims)}, a);
    }

    /** Mean of all elements, rank 0. */
    public static Variable mean(Variable a) {
        Tensor y = Ops.mean(a.data());
        int[] dims = a.shape().dims();
        long n = a.data().numel();
        return record("mean", y, g -> new Tensor[] {Tensor.full(g.device(), g.item() / n, dims)}, a);
    }

    private static Tensor keepIf(boolean needed, Tensor t) {
        if (needed) {
            return t;
        }
        t.close();
        return null;
    }

    /**
     * Wraps an op's output. Null inputs (an absent bias) are skipped; {@code backward} returns one
     * gradient per input in the order given, nulls included.
     */
    private static Variable record(String op, Tensor out, Node.BackwardFn backward, Variable... inputs) {
        return record(Node.Reads.BOTH, op, out, backward, inputs);
    }

    /** As above, for an op whose backward reads only what {@code reads} says. */
    private static Variable record(Node.Reads reads, String op, Tensor out, Node.BackwardFn backward,
                                   Variable... inputs) {
        boolean needsGrad = Arrays.stream(inputs).anyMatch(v -> v != null && v.requiresGrad());
        int present = (int) Arrays.stream(inputs).filter(Objects::nonNull).count();
        if (!needsGrad || !GradMode.isEnabled()) {
            return new Variable(out, false, null);
        }
        if (present == inputs.length) {
            return new Variable(out, true, new Node(op, inputs, out.shape(), reads, backward));
        }
        Variable[] kept = new Variable[present];
        int[] slot = new int[present];
        for (int i = 0, k = 0; i < inputs.length; i++) {
            if (inputs[i] != null) {
                slot[k] = i;
                kept[k++] = inputs[i];
            }
        }
        Node.BackwardFn compacted = g -> {
            Tensor[] all = backward.apply(g);
            Tensor[] grads = new Tensor[present];
            for (int k = 0; k < present; k++) {
                grads[k] = all[slot[k]];
            }
            return grads;
        };
        return new Variable(out, true, new Node(op, kept, out.shape(), reads, compacted));
    }
}
