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

    /**
     * Takes the next {@code count} positions of the stream at once and returns the first: draw i of
     * the block is {@code CounterRng} at (seed, first + i), so a block can be filled in parallel
     * with exactly the values that {@code count} sequential calls would give.
     */
    public synchronized long reserve(long count) {
        long first = position;
        position += count;
        return first;
    }

    public synchronized long nextLong() {
        return CounterRng.bits(seed, position++);
    }

    /** Uniform in [0, 1). */
    public synchronized float nextFloat() {
        return CounterRng.uniform(seed, position++);
    }
}
