package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/** nn.ReLU6: min(max(x, 0), 6). */
public final class ReLU6 extends Module {
    /** A ReLU6 layer. */
    public ReLU6() {
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.relu6(x);
    }
}
