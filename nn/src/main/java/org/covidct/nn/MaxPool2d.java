package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Pool2dSpec;

/**
 * nn.MaxPool2d with a square window; padded cells never win (PyTorch pads with -infinity). With
 * ceil_mode=False; ceil_mode=True, dilation and return_indices are not supported.
 */
public final class MaxPool2d extends Module {
    private final Pool2dSpec spec;

    public MaxPool2d(int kernel, int stride, int padding) {
        this.spec = Pool2dSpec.of(kernel, stride, padding);
    }

    /** Without padding. */
    public MaxPool2d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.maxPool2d(x, spec);
    }
}
