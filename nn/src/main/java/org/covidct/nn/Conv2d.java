package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Tensor;

/** nn.Conv2d with square kernel, stride and padding; weight [out, in, k, k] and optional bias [out]. */
public final class Conv2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Conv2dSpec spec;

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias, Generator gen) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1) {
            throw new IllegalArgumentException("Conv2d: invalid channels " + inChannels + " -> " + outChannels
                    + " or kernel " + kernel);
        }
        this.spec = Conv2dSpec.of(stride, padding);
        int fanIn = inChannels * kernel * kernel;
        this.weight = registerParameter("weight", Tensor.of(
                Init.defaultUniform(outChannels * fanIn, fanIn, gen), outChannels, inChannels, kernel, kernel));
        this.bias = bias ? registerParameter("bias", Tensor.of(Init.defaultUniform(outChannels, fanIn, gen),
                outChannels)) : null;
    }

    /** With bias, initialised from the global generator. */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding) {
        this(inChannels, outChannels, kernel, stride, padding, true, Generator.global());
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when the layer has none. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.conv2d(x, weight, bias, spec);
    }
}
