package org.covidct.nn.data.image;

import java.util.random.RandomGenerator;

/** A generator that returns the given doubles in turn and counts the draws; any other draw fails. */
final class ScriptedRandom implements RandomGenerator {
    private final double[] values;
    int draws;

    ScriptedRandom(double... values) {
        this.values = values;
    }

    @Override
    public double nextDouble() {
        return values[draws++];
    }

    @Override
    public long nextLong() {
        throw new UnsupportedOperationException("this step draws nextDouble only");
    }
}
