package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;

/**
 * nn.Conv2d with square kernel and stride, channel groups, and optional bias; weight
 * [out, in/groups, k, k], bias [out]. Padding is PyTorch's symmetric {@code padding}, or
 * TensorFlow's SAME ({@link #tfSame}), which depends on the input size and pads the bottom and
 * right one more than the top and left when the total is odd (stride 2 on an even input).
 */
public final class Conv2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Conv2dSpec spec;
    private final boolean tfSame;

    private Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, int groups, boolean tfSame,
                   boolean bias, Generator gen) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || groups < 1 || inChannels % groups != 0
                || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d: invalid channels " + inChannels + " -> " + outChannels
                    + ", kernel " + kernel + " or groups " + groups);
        }
        this.spec = new Conv2dSpec(stride, stride, padding, padding, groups);
        this.tfSame = tfSame;
        int fanIn = inChannels / groups * kernel * kernel;
        this.weight = registerParameter("weight", Tensor.of(Init.defaultUniform(outChannels * fanIn, fanIn, gen),
                outChannels, inChannels / groups, kernel, kernel));
        this.bias = bias ? registerParameter("bias", Tensor.of(Init.defaultUniform(outChannels, fanIn, gen),
                outChannels)) : null;
    }

    /** nn.Conv2d(in, out, kernel, stride, padding, groups=groups, bias=bias). */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, int groups, boolean bias,
                  Generator gen) {
        this(inChannels, outChannels, kernel, stride, padding, groups, false, bias, gen);
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias, Generator gen) {
        this(inChannels, outChannels, kernel, stride, padding, 1, false, bias, gen);
    }

    /** With bias, initialised from the global generator. */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding) {
        this(inChannels, outChannels, kernel, stride, padding, true, Generator.global());
    }

    /** A convolution with TensorFlow's padding="SAME": output side ceil(input / stride). */
    public static Conv2d tfSame(int inChannels, int outChannels, int kernel, int stride, int groups, boolean bias,
                                Generator gen) {
        return new Conv2d(inChannels, outChannels, kernel, stride, 0, groups, true, bias, gen);
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when the layer has none. */
    public Parameter bias() {
        return bias;
    }

    public Conv2dSpec spec() {
        return spec;
    }

    public boolean isTfSame() {
        return tfSame;
    }

    @Override
    public Variable forward(Variable x) {
        return convolve(x, weight, bias);
    }

    /** This layer's convolution of x, with its geometry and padding, by the given weight and bias. */
    Variable convolve(Variable x, Variable weight, Variable bias) {
        return convolve(x, weight, bias, null);
    }

    /**
     * As above, and where {@code clamp} is given, the activation after it (ReLU, ReLU6) applied in the
     * same call: inference only, as the clamped result records no gradient.
     */
    Variable convolve(Variable x, Variable weight, Variable bias, Clamp clamp) {
        Variable input = x;
        Conv2dSpec s = spec;
        if (tfSame) {
            int kernel = weight.shape().dim(2);
            int padH = samePadding(x.shape().dim(2), kernel, spec.strideH());
            int padW = samePadding(x.shape().dim(3), kernel, spec.strideW());
            int top = padH / 2, left = padW / 2;
            if (padH % 2 == 0 && padW % 2 == 0) {
                s = new Conv2dSpec(spec.strideH(), spec.strideW(), top, left, spec.groups());
            } else {
                // Our convolutions pad symmetrically, so the extra bottom row and right column come first.
                input = Functional.pad2d(x, top, padH - top, left, padW - left);
            }
        }
        if (clamp == null) {
            return Functional.conv2d(input, weight, bias, s);
        }
        if (GradMode.isEnabled()) {
            throw new IllegalStateException("Conv2d: a convolution clamped in the same call records no gradient");
        }
        return Variable.constant(Ops.conv2dClamped(input.data(), weight.data(), bias == null ? null : bias.data(), s,
                clamp.min(), clamp.max()));
    }

    /** TensorFlow's total SAME padding of one axis: enough for ceil(in / stride) outputs. */
    static int samePadding(int in, int kernel, int stride) {
        int out = (in + stride - 1) / stride;
        return Math.max((out - 1) * stride + kernel - in, 0);
    }
}
