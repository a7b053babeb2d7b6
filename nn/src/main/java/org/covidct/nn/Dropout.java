package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/**
 * nn.Dropout: in training, zeroes elements with probability p and scales the rest by 1/(1-p);
 * in eval mode, and when p is 0, it is the identity. Each call draws a fresh mask seed from its
 * generator, so a run is reproducible from the generator's state.
 */
public final class Dropout extends Module {
    private final float p;
    private final Generator gen;

    public Dropout(float p, Generator gen) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("Dropout: probability " + p + " is not in [0, 1)");
        }
        this.p = p;
        this.gen = gen;
    }

    /** Seeds drawn from the global generator. */
    public Dropout(float p) {
        this(p, Generator.global());
    }

    @Override
    public Variable forward(Variable x) {
        if (!isTraining() || p == 0f) {
            return x;
        }
        return Functional.dropout(x, p, gen.nextLong());
    }
}
