package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/**
 * nn.BCEWithLogitsLoss with mean reduction: sigmoid and binary cross-entropy in one stable step, of
 * logits against target probabilities of the same shape. The weight and pos_weight options and the
 * other reductions are not supported.
 */
public final class BCEWithLogitsLoss {
    /** The loss with mean reduction; it has no parameters. */
    public BCEWithLogitsLoss() {
    }

    public Variable forward(Variable logits, Variable target) {
        return Functional.binaryCrossEntropyWithLogits(logits, target);
    }
}
