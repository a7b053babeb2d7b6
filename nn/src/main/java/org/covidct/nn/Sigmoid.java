package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/** nn.Sigmoid: 1 / (1 + exp(-x)). */
public final class Sigmoid extends Module {
    /** A sigmoid layer; it has no parameters. */
    public Sigmoid() {
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.sigmoid(x);
    }
}
