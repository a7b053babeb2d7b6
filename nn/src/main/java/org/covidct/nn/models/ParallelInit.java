package org.covidct.nn.models;

import org.covidct.nn.Generator;
import org.covidct.nn.Init;
import org.covidct.tensor.cpu.Parallel;

/**
 * {@link Init#normal} for the 100M-element layers of full-size VGGs, split over the CPU pool.
 * The generator is counter-based and each normal draw takes exactly two positions, so every chunk
 * can start its own generator where the sequential loop would be: the values, and the generator's
 * state afterwards, are exactly those of {@code Init.normal(n, mean, std, gen)}.
 */
final class ParallelInit {
    static final int POSITIONS_PER_NORMAL = 2;
    private static final int GRAIN = 1 << 16;

    private ParallelInit() {
    }

    static float[] normal(int n, double mean, double std, Generator gen) {
        if (n < 2 * GRAIN) {
            return Init.normal(n, mean, std, gen);
        }
        long seed;
        long start;
        synchronized (gen) {
            seed = gen.seed();
            start = gen.position();
            gen.setState(seed, start + (long) POSITIONS_PER_NORMAL * n);
        }
        float[] out = new float[n];
        Parallel.forRange(n, GRAIN, (from, to) -> {
            Generator chunk = new Generator(seed);
            chunk.setState(seed, start + (long) POSITIONS_PER_NORMAL * from);
            System.arraycopy(Init.normal(to - from, mean, std, chunk), 0, out, from, to - from);
        });
        return out;
    }
}
