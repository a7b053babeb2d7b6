package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

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

    /** A linear layer on a small batch: A B^T with at most 8 rows, as dot products of rows (any k, any n). */
    @Property(tries = 60)
    void matchesNaiveProductForFewRowsTimesTransposed(@ForAll @IntRange(min = 1, max = 8) int m,
                                                      @ForAll @IntRange(min = 1, max = 70) int n,
                                                      @ForAll @IntRange(min = 1, max = 200) int k,
                                                      @ForAll @IntRange(min = 0, max = 3) int betaKind,
                                                      @ForAll long seed) {
        check(m, n, k, false, true, betaKind, seed);
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

    /**
     * Sizes one either side of multiples of the micro-tile (MR x NR) and the k block, with every
     * kernel height the machine has (12 and 6 rows with the Vector API, so both tile shapes are
     * checked whichever one this CPU picks).
     */
    @Property(tries = 40)
    void matchesNaiveProductAtTileEdges(@ForAll @IntRange(min = 0, max = 3) int mTiles,
                                        @ForAll @IntRange(min = -1, max = 1) int mDelta,
                                        @ForAll @IntRange(min = 0, max = 2) int nTiles,
                                        @ForAll @IntRange(min = -1, max = 1) int nDelta,
                                        @ForAll @IntRange(min = 0, max = 2) int kBlocks,
                                        @ForAll @IntRange(min = -1, max = 1) int kDelta,
                                        @ForAll boolean otherKernel,
                                        @ForAll boolean transA, @ForAll boolean transB,
                                        @ForAll @IntRange(min = 0, max = 3) int betaKind,
                                        @ForAll long seed) {
        int mr = otherKernel && Sgemm.SIMD ? (Sgemm.MR == 12 ? 6 : 12) : Sgemm.MR;
        int m = Math.max(1, mTiles * mr + mDelta), n = Math.max(1, nTiles * Sgemm.NR + nDelta);
        int k = Math.max(1, kBlocks * Sgemm.KC + kDelta);
        check(mr, m, n, k, transA, transB, betaKind, seed);
    }

    /** Every height of the last row panel (1 .. MR rows left over), so every edge kernel runs. */
    @Example
    void everyLeftoverRowCount() {
        int[] mrs = Sgemm.SIMD ? new int[] {12, 6} : new int[] {Sgemm.MR};
        for (int mr : mrs) {
            for (int m = 1; m <= 2 * mr + 1; m++) {
                check(mr, m, Sgemm.NR + 3, 37, false, false, 2, m);
                check(mr, m, 2 * Sgemm.NR, 5, true, true, 0, m);
            }
        }
    }

    /** Big enough to run parallel, with several column and row blocks, split by columns and by rows. */
    @Example
    void matchesNaiveProductOnALargerProduct() {
        check(Sgemm.MR, 801, 45, 70, false, true, 3, 10);
        check(Sgemm.MR, 1000, Sgemm.NR + 1, Sgemm.KC + 1, true, false, 1, 11);
        check(Sgemm.MR, Sgemm.MC + 13, Sgemm.NC + Sgemm.NR + 5, Sgemm.KC + 7, false, false, 2, 7);
        check(Sgemm.MR, 5, 3 * Sgemm.NC + 1, 300, true, false, 1, 8);
        check(Sgemm.MR, 2 * Sgemm.MC + 1, 20, 300, false, true, 0, 9);
    }

    /**
     * Deeper than one packed depth of B (Sgemm.KD), so C tiles are merged into C more than once (with
     * beta, then with 1); the threads split the rows of the first product and the columns of the second.
     */
    @Example
    void matchesNaiveProductDeeperThanOnePackedDepth() {
        check(Sgemm.MR, 2 * Sgemm.MC + 25, 2 * Sgemm.NR + 7, Sgemm.KD + Sgemm.KC + 3, false, false, 2, 12);
        check(Sgemm.MR, Sgemm.MC + 1, Sgemm.NC + 5, Sgemm.KD + 1, true, true, 3, 13);
        // beta == 0 within one packed depth, C's rows less than a page apart: the last k block writes
        // whole tiles straight into C.
        check(Sgemm.MR, Sgemm.MC + 13, Sgemm.DIRECT_LDC - 2 * Sgemm.NR + 3, Sgemm.KD - 5, false, false, 0, 14);
        // ... a page or more apart: the tiles are merged into C, as for deeper products.
        check(Sgemm.MR, Sgemm.MC + 13, Sgemm.DIRECT_LDC + 2 * Sgemm.NR + 3, Sgemm.KD - 5, false, false, 0, 18);
        // ... and with A packed block by block, each thread taking more rows than one block.
        check(Sgemm.MR, 2 * Sgemm.MC + 13, Sgemm.MC, Sgemm.KD - 5, false, false, 0, 15);
    }

    /** Columns enough for each thread to pack its own A (two column blocks and more), several k blocks deep. */
    @Example
    void matchesNaiveProductWithAColumnBlockPerThread() {
        check(Sgemm.MR, Sgemm.MC + 13, 2 * Sgemm.NC + 5, Sgemm.KC + 7, false, false, 0, 16);
        check(Sgemm.MR, 29, 2 * Sgemm.NC + Sgemm.NR + 1, 2 * Sgemm.KC + 3, true, true, 2, 17);
    }

    /**
     * PlainA's panels against their definition, exactly (whole 12-row panels are transposed 16
     * steps at a time, the rest gathered), with nothing written outside the mr * kc floats each
     * panel is given.
     */
    @Property(tries = 60)
    void packsPlainAPanels(@ForAll @IntRange(min = 1, max = 30) int mc, @ForAll @IntRange(min = 1, max = 70) int kc,
                           @ForAll @IntRange(min = 0, max = 5) int pc, @ForAll long seed) {
        checkPlainAPack(mc, kc, pc, seed);
    }

    /**
     * The 12-row kernel's loads ahead, one word per two k steps 16 floats apart from {@link Sgemm#ahead}:
     * for the first four A micro-panels of a B micro-panel that has a next one, they stay inside that
     * next micro-panel and, between them, reach each of its cache lines (kc even); otherwise they stay
     * inside the micro-panel itself.
     */
    @Property(tries = 60)
    @AddLifecycleHook(SixteenLanes.class)
    void loadsAheadReachEveryLineOfTheNextMicroPanel(@ForAll @IntRange(min = 1, max = 256) int kc,
                                                     @ForAll @IntRange(min = 1, max = 33) int panels,
                                                     @ForAll @IntRange(min = 0, max = 32) int u,
                                                     @ForAll @IntRange(min = 0, max = 31) int shortBy) {
        int nr = Sgemm.NR, nc = Math.max(1, panels * nr - shortBy), jr = Math.min(u, panels - 1) * nr;
        boolean hasNext = jr + nr < nc;
        boolean[] reached = new boolean[panels * nr * kc / 16 + 1];
        for (int i = 0; i < 6; i++) {
            int next = Sgemm.ahead(i, jr, nc, kc);
            int lo = (i < 4 && hasNext ? jr + nr : jr) * kc, hi = lo + nr * kc;
            for (int p = 0; p < (kc & ~1); p += 2) {
                int word = next + p * 8;
                assertTrue(word >= lo && word < hi, "call " + i + " loads " + word + " outside [" + lo + ", " + hi + ")");
                reached[word / 16] = true;
            }
        }
        if (hasNext && kc % 2 == 0) {
            for (int line = (jr + nr) * kc / 16; line < (jr + 2 * nr) * kc / 16; line++) {
                assertTrue(reached[line], "line " + line + " of the next micro-panel is never loaded");
            }
        }
    }

    /** Skips a property of the 12-row kernel, which exists only with 16-lane vectors, on machines without them. */
    static final class SixteenLanes implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            return Sgemm.NR == 32 ? SkipResult.doNotSkip()
                    : SkipResult.skip("the 12-row kernel needs 16-lane vectors (AVX-512); this machine's have " + Sgemm.VL);
        }
    }

    /** Whole panels whose steps are all transposed: the last store of the last panel must stop at its end. */
    @Example
    void packsWholePanelsUpToTheirLastStep() {
        checkPlainAPack(2 * Sgemm.MR, 32, 0, 3);
        checkPlainAPack(Sgemm.MR, 16, 3, 4);
    }

    private static void checkPlainAPack(int mc, int kc, int pc, long seed) {
        Random rnd = new Random(seed);
        int mr = Sgemm.MR, ic = 1, ld = pc + kc + 3, off = 2, dOff = 5;
        float alpha = rnd.nextFloat() * 4f - 2f;
        float[] a = random(rnd, off + (ic + mc) * ld);
        int panels = (mc + mr - 1) / mr, end = dOff + panels * mr * kc;
        float[] dst = new float[end + 40];
        Arrays.fill(dst, Float.NaN);

        new Sgemm.PlainA(alpha, a, off, ld).pack(ic, mc, pc, kc, mr, dst, dOff);

        for (int r0 = 0; r0 < mc; r0 += mr) {
            int rows = Math.min(mr, mc - r0), h = Sgemm.height(mr, rows);
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < h; i++) {
                    float expected = i < rows ? alpha * a[off + (ic + r0 + i) * ld + pc + p] : 0f;
                    float got = dst[dOff + r0 * kc + p * h + i];
                    assertTrue(Float.compare(expected, got) == 0,
                            "panel " + r0 / mr + " step " + p + " row " + i + ": " + got + " instead of " + expected);
                }
            }
        }
        for (int idx = 0; idx < dst.length; idx++) {
            if (idx < dOff || idx >= end) {
                assertTrue(Float.isNaN(dst[idx]), "written outside the panels at " + idx);
            }
        }
    }

    private static void check(int m, int n, int k, boolean transA, boolean transB, int betaKind, long seed) {
        check(Sgemm.MR, m, n, k, transA, transB, betaKind, seed);
    }

    private static void check(int mr, int m, int n, int k, boolean transA, boolean transB, int betaKind, long seed) {
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

        // The reference in double, and per entry the sum of the terms' magnitudes: float rounding
        // is bounded relative to that sum, not to the result, which cancellation can make tiny.
        double[] ref = new double[m * n];
        double[] magnitude = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                    abs += Math.abs(av * bv);
                }
                double cv = beta == 0f ? 0 : beta * (double) c[cOff + i * ldc + j];
                ref[i * n + j] = alpha * s + cv;
                magnitude[i * n + j] = Math.abs(alpha) * abs + Math.abs(cv);
            }
        }

        Sgemm.sgemm(mr, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);

        double rel = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double err = Math.abs(c[cOff + i * ldc + j] - ref[i * n + j]);
                rel = Math.max(rel, err / Math.max(magnitude[i * n + j], 1e-30));
            }
        }
        assertTrue(rel <= 1e-5, "error relative to the sum of magnitudes " + rel + " for mr=" + mr + " m=" + m + " n=" + n + " k=" + k
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
