package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Pool2dSpec;

/** nn.MaxPool2d with a square window and no padding. */
public final class MaxPool2d extends Module {
    private final Pool2dSpec spec;

    public MaxPool2d(int kernel, int stride) {
        this.spec = Pool2dSpec.of(kernel, stride);
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.maxPool2d(x, spec);
    }
}
