package org.covidct.app.metrics;

/**
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014), the
 * bootstrap's random stream. It is chosen for being short enough to restate exactly in the Python
 * reference, so that both draw the same resamples from the same seed.
 *
 * <p>The state starts at the seed; each {@link #nextLong()} adds 0x9E3779B97F4A7C15 to it and
 * returns the state mixed by {@code z ^= z >>> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >>> 27;
 * z *= 0x94D049BB133111EB; z ^= z >>> 31} (arithmetic modulo 2^64).
 */
public final class SplitMix64 {
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** The next 64 bits. */
    public long nextLong() {
        long z = state += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A uniform integer in {@code [0, bound)} without modulo bias: {@code r = nextLong() >>> 1} is
     * drawn again while {@code r >= M - M % bound} (M = 2^63 - 1), then {@code r % bound} is returned.
     */
    public int nextInt(int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("bound must be at least 1, got " + bound);
        }
        long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound;
        long r;
        do {
            r = nextLong() >>> 1;
        } while (r >= limit);
        return (int) (r % bound);
    }
}
