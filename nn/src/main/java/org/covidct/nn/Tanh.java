package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/** nn.Tanh. */
public final class Tanh extends Module {
    /** A tanh layer; it has no parameters. */
    public Tanh() {
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.tanh(x);
    }
}
