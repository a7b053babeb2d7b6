package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The double-lane sums against the scalar double loops they replace: equal up to summation order. */
class SimdStatisticsTest {
    @Test
    void sumsMatchScalarDoubleLoops() {
        assumeTrue(Sgemm.SIMD, "the Vector API module is not present");
        Random r = new Random(3);
        for (int len : new int[] {1, 5, 8, 9, 49, 3136, 12544}) {
            float[] x = new float[len + 3], dy = new float[len + 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (100 + r.nextGaussian()); // a large mean, where float sums would lose digits
                dy[i] = (float) r.nextGaussian();
            }
            double sum = 0, ss = 0, sumDy = 0, sumDyXc = 0, mean = 100.25;
            for (int i = 3; i < len + 3; i++) {
                sum += x[i];
                ss += (x[i] - mean) * (x[i] - mean);
                sumDy += dy[i];
                sumDyXc += dy[i] * (x[i] - mean);
            }
            double tolerance = 1e-12 * len;
            assertEquals(sum, SimdStatistics.sum(x, 3, len), tolerance * 100, "sum of " + len);
            assertEquals(ss, SimdStatistics.sumSquaredDeviations(x, 3, len, mean), tolerance, "squares of " + len);
            double[] sums = {1, 2};
            SimdStatistics.accumulateGradientSums(dy, x, 3, len, mean, sums);
            assertEquals(1 + sumDy, sums[0], tolerance, "sum of dy, " + len);
            assertEquals(2 + sumDyXc, sums[1], tolerance, "sum of dy (x - mean), " + len);
        }
    }
}
