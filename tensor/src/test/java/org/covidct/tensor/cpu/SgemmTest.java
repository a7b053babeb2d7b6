package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Sgemm against a naive double-precision triple loop. */
class SgemmTest {

    @Property(tries = 60)
    void matchesNaiveProduct(@ForAll @IntRange(min = 1, max = 70) int m,
                             @ForAll @IntRange(min = 1, max = 70) int n,
                             @ForAll @IntRange(min = 1, max = 70) int k,
                             @ForAll boolean transA, @ForAll boolean transB,
                             @ForAll @IntRange(min = 0, max = 3) int betaKind,
                             @ForAll long seed) {
        check(m, n, k, transA, transB, betaKind, seed);
    }

    /** Sizes past the packing blocks (Sgemm.KC, NC, MC), so several panels and their tails meet. */
    @Property(tries = 12)
    void matchesNaiveProductAcrossBlocks(@ForAll @IntRange(min = 1, max = 300) int m,
                                         @ForAll @IntRange(min = 1, max = 300) int n,
                                         @ForAll @IntRange(min = 100, max = 300) int k,
                                         @ForAll boolean transA, @ForAll boolean transB,
                                         @ForAll @IntRange(min = 0, max = 3) int betaKind,
                                         @ForAll long seed) {
        check(m, n, k, transA, transB, betaKind, seed);
    }

    private static void check(int m, int n, int k, boolean transA, boolean transB, int betaKind, long seed) {
        Random rnd = new Random(seed);
        float alpha = rnd.nextFloat() * 4f - 2f;
        float beta = switch (betaKind) {
            case 0 -> 0f;
            case 1 -> 1f;
            default -> rnd.nextFloat() * 4f - 2f;
        };
        // Stored shapes: A is m x k (k x m transposed), B is k x n (n x k), padded leading dimensions.
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + rnd.nextInt(5), ldb = bCols + rnd.nextInt(5), ldc = n + rnd.nextInt(5);
        int aOff = rnd.nextInt(7), bOff = rnd.nextInt(7), cOff = rnd.nextInt(7);
        float[] a = random(rnd, aOff + aRows * lda);
        float[] b = random(rnd, bOff + bRows * ldb);
        float[] c = random(rnd, cOff + m * ldc);
        if (beta == 0f) {
            Arrays.fill(c, Float.NaN); // must be overwritten, never read
        }
        float[] before = c.clone();

        double[] ref = new double[m * n];
        double refMax = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                double v = alpha * s + (beta == 0f ? 0 : beta * (double) c[cOff + i * ldc + j]);
                ref[i * n + j] = v;
                refMax = Math.max(refMax, Math.abs(v));
            }
        }

        Sgemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);

        double err = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                err = Math.max(err, Math.abs(c[cOff + i * ldc + j] - ref[i * n + j]));
            }
        }
        double rel = err / Math.max(refMax, 1e-30);
        assertTrue(rel <= 1e-5, "relative error " + rel + " for m=" + m + " n=" + n + " k=" + k
                + " transA=" + transA + " transB=" + transB + " alpha=" + alpha + " beta=" + beta);
        // Outside the m x n window (offset, row padding) C is untouched.
        for (int idx = 0; idx < c.length; idx++) {
            int rel0 = idx - cOff;
            boolean inside = rel0 >= 0 && rel0 / ldc < m && rel0 % ldc < n;
            if (!inside) {
                assertTrue(Float.compare(c[idx], before[idx]) == 0, "C changed outside the result at " + idx);
            }
        }
    }

    @Example
    void emptyDimensions() {
        float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8};
        // m == 0 or n == 0: nothing to write.
        float[] c = {9, 9, 9, 9};
        Sgemm.sgemm(false, false, 0, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        Sgemm.sgemm(false, false, 2, 0, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[] {9, 9, 9, 9}, c);
        // k == 0: the product is empty, so C = beta * C, and beta == 0 clears even NaN.
        Sgemm.sgemm(false, false, 2, 2, 0, 1f, a, 0, 1, b, 0, 2, 0.5f, c, 0, 2);
        assertArrayEquals(new float[] {4.5f, 4.5f, 4.5f, 4.5f}, c);
        float[] nan = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        Sgemm.sgemm(true, true, 2, 2, 0, 1f, a, 0, 2, b, 0, 1, 0f, nan, 0, 2);
        assertArrayEquals(new float[4], nan);
    }

    private static float[] random(Random rnd, int size) {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = rnd.nextFloat() * 2f - 1f;
        }
        return out;
    }
}
