package org.covidct.nn;

import org.covidct.tensor.cpu.CounterRng;

/**
 * A seedable random stream for initialisation and dropout seeds. Its whole state is two longs
 * (seed and position), so a checkpoint can save and restore it exactly.
 */
public final class Generator {
    private static final Generator GLOBAL = new Generator(0);

    private long seed;
    private long position;

    public Generator(long seed) {
        this.seed = seed;
    }

    /** The generator layers use when none is given, like torch's default generator. */
    public static Generator global() {
        return GLOBAL;
    }

    /** Reseeds the global generator, like torch.manual_seed. */
    public static void manualSeed(long seed) {
        GLOBAL.setState(seed, 0);
    }

    public synchronized long seed() {
        return seed;
    }

    public synchronized long position() {
        return position;
    }

    public synchronized void setState(long seed, long position) {
        this.seed = seed;
        this.position = position;
    }

    public synchronized long nextLong() {
        return CounterRng.bits(seed, position++);
    }

    /** Uniform in [0, 1). */
    public synchronized float nextFloat() {
        return CounterRng.uniform(seed, position++);
    }

    /** Uniform in [low, high). */
    public float uniform(float low, float high) {
        return low + (high - low) * nextFloat();
    }

    /** Standard normal, by Box-Muller on two uniforms. */
    public double nextGaussian() {
        double u1 = 1.0 - nextFloat(); // in (0, 1], so the log is finite
        double u2 = nextFloat();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
