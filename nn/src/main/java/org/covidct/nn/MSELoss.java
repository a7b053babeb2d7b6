package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/** nn.MSELoss with mean reduction, of input against a target of the same shape; other reductions are not supported. */
public final class MSELoss {
    /** The loss with mean reduction; it has no parameters. */
    public MSELoss() {
    }

    public Variable forward(Variable input, Variable target) {
        return Functional.mseLoss(input, target);
    }
}
