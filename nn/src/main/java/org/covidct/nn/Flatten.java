package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/** nn.Flatten(): [N, ...] to [N, rest], as torch.flatten(x, 1) in VGG's forward. */
public final class Flatten extends Module {
    /** A flatten layer. */
    public Flatten() {
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.flatten(x);
    }
}
