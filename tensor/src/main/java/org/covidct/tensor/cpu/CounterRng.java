package org.covidct.tensor.cpu;

/**
 * A counter-based random generator: the value at index i depends only on (seed, i), so a kernel
 * can draw element i on any thread, or any device, and get the same number. The mixing function
 * is SplitMix64's finaliser, which passes BigCrush when fed an arithmetic sequence.
 */
public final class CounterRng {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private CounterRng() {
    }

    /**
     * A 64-bit hash of (seed, index). The seed is mixed first, so that nearby seeds (s and
     * s + gamma) do not give the same stream shifted by one.
     */
    public static long bits(long seed, long index) {
        return mix(mix(seed) + (index + 1) * GOLDEN_GAMMA);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform float in [0, 1) with 24 random bits. */
    public static float uniform(long seed, long index) {
        return (bits(seed, index) >>> 40) * 0x1.0p-24f;
    }
}
