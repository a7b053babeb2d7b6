package org.covidct.nn;

import java.util.Objects;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.GeluApproximation;

/** nn.GELU: x * Phi(x), exact by default, or nn.GELU(approximate='tanh'). */
public final class GELU extends Module {
    private final GeluApproximation approximation;

    public GELU(GeluApproximation approximation) {
        this.approximation = Objects.requireNonNull(approximation, "GELU: approximation (NONE or TANH)");
    }

    /** The exact form, PyTorch's default. */
    public GELU() {
        this(GeluApproximation.NONE);
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.gelu(x, approximation);
    }
}
