package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/** nn.ReLU. */
public final class ReLU extends Module {
    /** A ReLU layer. */
    public ReLU() {
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.relu(x);
    }
}
