package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Pool2dSpec;

/**
 * nn.AvgPool2d with a square window, with PyTorch's defaults count_include_pad=True (padded cells
 * count as zeros) and ceil_mode=False; ceil_mode=True, count_include_pad=False and divisor_override
 * are not supported.
 */
public final class AvgPool2d extends Module {
    private final Pool2dSpec spec;

    public AvgPool2d(int kernel, int stride, int padding) {
        this.spec = Pool2dSpec.of(kernel, stride, padding);
    }

    /** Stride equal to the window and no padding, PyTorch's defaults. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.avgPool2d(x, spec);
    }
}
