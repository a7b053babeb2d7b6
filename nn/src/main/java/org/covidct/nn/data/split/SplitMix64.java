package org.covidct.nn.data.split;

/**
 * Steele, Lea and Flood's SplitMix64, written out so that a seed gives the same numbers on every JVM
 * and in any language (the JDK does not promise {@code SplittableRandom}'s bounded draws).
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        state += 0x9e3779b97f4a7c15L;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** {@code nextLong()} as an unsigned number, modulo {@code bound} (bias below 2^-32 for any int bound). */
    int nextInt(int bound) {
        return (int) Long.remainderUnsigned(nextLong(), bound);
    }
}
