package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/** nn.CrossEntropyLoss with mean reduction: logits [N, classes] against class indices. */
public final class CrossEntropyLoss {
    /** A mean cross-entropy loss. */
    public CrossEntropyLoss() {
    }

    public Variable forward(Variable logits, int[] targets) {
        return Functional.crossEntropy(logits, targets);
    }
}
