package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SimdElementwiseTest {
    private static final float[] SPECIAL = {Float.NaN, -0f, 0f, 6f, -6f, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 5.9999995f, 6.0000005f, 3f, -1f};

    /** Values around and at the bounds, specials included, in lengths that leave vector tails. */
    private static float[] values(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(4) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextGaussian() * 5);
        }
        return x;
    }

    @Test
    void clampAndTheGradientsEqualTheScalarLoopsBitForBit() {
        assumeTrue(CpuKernelPaths.VECTOR_API_PRESENT, "the Vector API module is not present");
        Random r = new Random(7);
        for (int n : new int[] {1, 7, 8, 17, 64, 1001}) {
            float[] x = values(r, n), g = values(r, n), y = new float[n], dx = new float[n];
            int from = n > 3 ? 2 : 0;
            SimdElementwise.clamp(x, 0f, 6f, y, from, n);
            SimdElementwise.clampBackward(x, g, 0f, 6f, dx, from, n);
            float[] reluDx = new float[n];
            SimdElementwise.reluBackward(x, g, reluDx, from, n);
            for (int i = from; i < n; i++) {
                float want = Math.min(Math.max(x[i], 0f), 6f);
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(y[i]), "clamp(" + x[i] + ")");
                float wantGrad = x[i] > 0f && x[i] < 6f ? g[i] : 0f;
                assertEquals(Float.floatToRawIntBits(wantGrad), Float.floatToRawIntBits(dx[i]),
                        "clamp_backward at y = " + x[i]);
                float wantRelu = x[i] > 0f ? g[i] : 0f;
                assertEquals(Float.floatToRawIntBits(wantRelu), Float.floatToRawIntBits(reluDx[i]),
                        "relu_backward at y = " + x[i]);
            }
            for (int i = 0; i < from; i++) {
                assertEquals(0f, y[i], "outside [from, to) is untouched");
            }
        }
    }

    @Test
    void rowUpdateEqualsTheScalarLoopAndDotMatchesADoubleSum() {
        assumeTrue(CpuKernelPaths.VECTOR_API_PRESENT, "the Vector API module is not present");
        Random r = new Random(11);
        for (int n : new int[] {1, 7, 8, 15, 112}) {
            float[] x = new float[n + 5], y = new float[n + 3], want;
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) r.nextGaussian();
            }
            want = y.clone();
            for (int i = 0; i < n; i++) {
                want[3 + i] += 0.37f * x[5 + i];
            }
            SimdElementwise.axpyRow(0.37f, x, 5, y, 3, n);
            for (int i = 0; i < y.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(y[i]), "element " + i);
            }
            double exact = 0, magnitude = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) x[2 + i] * y[1 + i];
                magnitude += Math.abs((double) x[2 + i] * y[1 + i]);
            }
            assertEquals(exact, SimdElementwise.dot(x, 2, y, 1, n), 1e-6 * magnitude, "dot of length " + n);
        }
    }
}
