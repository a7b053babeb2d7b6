package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;

/** nn.Linear: y = x W^T + b, weight [out, in], bias [out]. */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator gen) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear: invalid features " + inFeatures + " -> " + outFeatures);
        }
        this.weight = registerParameter("weight", Tensor.of(
                Init.defaultUniform(outFeatures * inFeatures, inFeatures, gen), outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.of(Init.defaultUniform(outFeatures, inFeatures, gen),
                outFeatures)) : null;
    }

    /** With bias, initialised from the global generator. */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Generator.global());
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
        return Functional.linear(x, weight, bias);
    }
}
