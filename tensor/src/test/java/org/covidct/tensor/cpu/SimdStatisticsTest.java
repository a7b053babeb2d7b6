package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector sums against the scalar double loops they replace. */
class SimdStatisticsTest {
    private static final int[] LENGTHS = {1, 5, 8, 9, 49, 300, 3136, 12544};

    /** The forward sums widen every element: equal up to summation order. */
    @Test
    void forwardSumsMatchScalarDoubleLoops() {
        assumeTrue(CpuKernelPaths.VECTOR_API_PRESENT, "the Vector API module is not present");
        Random r = new Random(3);
        for (int len : LENGTHS) {
            float[] x = new float[len + 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (100 + r.nextGaussian()); // a large mean, where float sums would lose digits
            }
            double sum = 0, ss = 0, mean = 100.25;
            for (int i = 3; i < len + 3; i++) {
                sum += x[i];
                ss += (x[i] - mean) * (x[i] - mean);
            }
            double tolerance = 1e-12 * len;
            assertEquals(sum, SimdStatistics.sum(x, 3, len), tolerance * 100, "sum of " + len);
            assertEquals(ss, SimdStatistics.sumSquaredDeviations(x, 3, len, mean), tolerance, "squares of " + len);
        }
    }

    /**
     * The backward sums add float blocks: within a few float roundings of the terms' magnitudes, with
     * a mean that float cannot hold (10000.3 rounds 2e-4 away), so the centre's offset must be added back.
     */
    @Test
    void gradientSumsMatchScalarDoubleLoops() {
        assumeTrue(CpuKernelPaths.VECTOR_API_PRESENT, "the Vector API module is not present");
        Random r = new Random(4);
        double mean = 10000.3;
        for (int len : LENGTHS) {
            float[] x = new float[len + 3], dy = new float[len + 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (mean + r.nextGaussian());
                dy[i] = (float) (0.5 + r.nextGaussian());
            }
            double sumDy = 0, sumDyXc = 0, absDy = 0, absDyXc = 0;
            for (int i = 3; i < len + 3; i++) {
                sumDy += dy[i];
                sumDyXc += dy[i] * (x[i] - mean);
                absDy += Math.abs(dy[i]);
                absDyXc += Math.abs(dy[i] * (x[i] - mean));
            }
            double[] sums = {1, 2};
            SimdStatistics.accumulateGradientSums(dy, x, 3, len, mean, sums);
            assertEquals(1 + sumDy, sums[0], 1e-6 * absDy, "sum of dy, " + len);
            assertEquals(2 + sumDyXc, sums[1], 1e-6 * absDyXc, "sum of dy (x - mean), " + len);
        }
    }
}
