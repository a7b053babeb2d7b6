package org.covidct.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The parallel block fills draw exactly what sequential draws from the generator would. */
class InitTest {
    private static final int[] SIZES = {1, 10, 200_000, 1_000_003};

    @Test
    void uniformMatchesSequentialDraws() {
        for (int n : SIZES) {
            Generator block = new Generator(42), sequential = new Generator(42);
            block.nextFloat();
            sequential.nextFloat();
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                expected[i] = -0.25f + 0.5f * sequential.nextFloat();
            }
            assertArrayEquals(expected, Init.uniform(n, 0.25f, block));
            assertEquals(sequential.position(), block.position(), "the generator moved past every draw");
        }
    }

    @Test
    void normalMatchesSequentialBoxMuller() {
        for (int n : SIZES) {
            Generator block = new Generator(7), sequential = new Generator(7);
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                double u1 = 1.0 - sequential.nextFloat(), u2 = sequential.nextFloat();
                expected[i] = (float) (0.5 + 0.01 * Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2));
            }
            assertArrayEquals(expected, Init.normal(n, 0.5, 0.01, block));
            assertEquals(sequential.position(), block.position());
        }
    }

    @Test
    void normalHasTheRequestedMoments() {
        float[] v = Init.normal(1_000_000, 1.0, 2.0, new Generator(3));
        double mean = 0, sq = 0;
        for (float x : v) {
            mean += x;
            sq += x * x;
        }
        mean /= v.length;
        double std = Math.sqrt(sq / v.length - mean * mean);
        assertTrue(Math.abs(mean - 1.0) < 0.01 && Math.abs(std - 2.0) < 0.01, "mean " + mean + ", std " + std);
    }
}
