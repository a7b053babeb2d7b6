package org.covidct.nn.models;

import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/**
 * torchvision's InvertedResidual: {@code conv} is [1x1 expansion, 3x3 depthwise, 1x1 linear
 * projection] (the expansion left out at ratio 1), and the input is added back when the block keeps
 * both the stride (1) and the width.
 */
public final class InvertedResidual extends Module {
    private final Sequential conv;
    private final boolean residual;

    InvertedResidual(Sequential conv, boolean residual) {
        this.conv = registerModule("conv", conv);
        this.residual = residual;
    }

    public Sequential conv() {
        return conv;
    }

    /** Whether the block adds its input to its output. */
    public boolean isResidual() {
        return residual;
    }

    @Override
    public Variable forward(Variable x) {
        Variable y = conv.call(x);
        return residual ? Functional.add(x, y) : y;
    }
}
