package org.covidct.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD micro-kernels behind {@link Sgemm}, on the JDK Vector API. Only {@link Sgemm} touches
 * this class, and only when the jdk.incubator.vector module is present, so a JVM started without
 * it never links it.
 *
 * <p>Kernels exist for 12, 8, 6 and 4 rows: 12 (or 6 without AVX-512) is the main tile, the
 * others finish the last rows of a matrix without computing a whole tile of zeros.
 *
 * <p>The "i" kernels (8, 6 and 4 rows) read each B row through a table of offsets instead of a
 * packed panel, for products with so few rows that packing B would cost more than it saves.
 *
 * <p>A kernel keeps an MR x NR tile of C in 2 * MR vector registers (NR = two vectors) and
 * walks kc steps of packed A (MR floats per step) and packed B (NR floats per step), one
 * broadcast and two FMAs per row per step. The accumulators must stay local variables: stored
 * into an array or a field they are boxed and C2 stops intrinsifying.
 */
final class SimdGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int NR = 2 * VL;
    /** 12 rows need 24 accumulators: only with the 32 registers of AVX-512; 6 rows fit 16 (AVX2). */
    static final int MR = S.vectorBitSize() >= 512 ? 12 : 6;

    /** Rows of A that {@link #dots} takes at once. */
    static final int DOT_ROWS = 8;

    private SimdGemm() {
    }

    /**
     * out[2i + e] = dot(a[rows[i], + k), b[e == 0 ? b0 : b1, + k)) for i < 8: eight rows of A against
     * two rows of B, each B vector loaded once for all eight.
     */
    static void dots(float[] a, int[] rows, float[] b, int b0, int b1, int k, float[] out) {
        int r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3], r4 = rows[4], r5 = rows[5], r6 = rows[6];
        int r7 = rows[7];
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        int bound = S.loopBound(k);
        for (int p = 0; p < bound; p += VL) {
            FloatVector w0 = FloatVector.fromArray(S, b, b0 + p), w1 = FloatVector.fromArray(S, b, b1 + p);
            FloatVector x = FloatVector.fromArray(S, a, r0 + p);
            c00 = x.fma(w0, c00);
            c01 = x.fma(w1, c01);
            x = FloatVector.fromArray(S, a, r1 + p);
            c10 = x.fma(w0, c10);
            c11 = x.fma(w1, c11);
            x = FloatVector.fromArray(S, a, r2 + p);
            c20 = x.fma(w0, c20);
            c21 = x.fma(w1, c21);
            x = FloatVector.fromArray(S, a, r3 + p);
            c30 = x.fma(w0, c30);
            c31 = x.fma(w1, c31);
            x = FloatVector.fromArray(S, a, r4 + p);
            c40 = x.fma(w0, c40);
            c41 = x.fma(w1, c41);
            x = FloatVector.fromArray(S, a, r5 + p);
            c50 = x.fma(w0, c50);
            c51 = x.fma(w1, c51);
            x = FloatVector.fromArray(S, a, r6 + p);
            c60 = x.fma(w0, c60);
            c61 = x.fma(w1, c61);
            x = FloatVector.fromArray(S, a, r7 + p);
            c70 = x.fma(w0, c70);
            c71 = x.fma(w1, c71);
        }
        out[0] = c00.reduceLanes(VectorOperators.ADD);
        out[1] = c01.reduceLanes(VectorOperators.ADD);
        out[2] = c10.reduceLanes(VectorOperators.ADD);
        out[3] = c11.reduceLanes(VectorOperators.ADD);
        out[4] = c20.reduceLanes(VectorOperators.ADD);
        out[5] = c21.reduceLanes(VectorOperators.ADD);
        out[6] = c30.reduceLanes(VectorOperators.ADD);
        out[7] = c31.reduceLanes(VectorOperators.ADD);
        out[8] = c40.reduceLanes(VectorOperators.ADD);
        out[9] = c41.reduceLanes(VectorOperators.ADD);
        out[10] = c50.reduceLanes(VectorOperators.ADD);
        out[11] = c51.reduceLanes(VectorOperators.ADD);
        out[12] = c60.reduceLanes(VectorOperators.ADD);
        out[13] = c61.reduceLanes(VectorOperators.ADD);
        out[14] = c70.reduceLanes(VectorOperators.ADD);
        out[15] = c71.reduceLanes(VectorOperators.ADD);
        for (int p = bound; p < k; p++) {
            for (int i = 0; i < 8; i++) {
                out[2 * i] = Math.fma(a[rows[i] + p], b[b0 + p], out[2 * i]);
                out[2 * i + 1] = Math.fma(a[rows[i] + p], b[b1 + p], out[2 * i + 1]);
            }
        }
    }

    /** dst[d, d + NR) = src[s, s + NR). */
    static void copyRow(float[] src, int s, float[] dst, int d) {
        FloatVector.fromArray(S, src, s).intoArray(dst, d);
        FloatVector.fromArray(S, src, s + VL).intoArray(dst, d + VL);
    }

    /** c[d, d + NR) = tile[t, t + NR) + beta * c[d, d + NR); c unread when beta == 0. */
    static void mergeRow(float[] tile, int t, float beta, float[] c, int d) {
        FloatVector t0 = FloatVector.fromArray(S, tile, t), t1 = FloatVector.fromArray(S, tile, t + VL);
        if (beta != 0f) {
            FloatVector b = FloatVector.broadcast(S, beta);
            t0 = FloatVector.fromArray(S, c, d).fma(b, t0);
            t1 = FloatVector.fromArray(S, c, d + VL).fma(b, t1);
        }
        t0.intoArray(c, d);
        t1.intoArray(c, d + VL);
    }

    /** dst[d + j] = alpha * src[base + idx[j]] for j < VL. */
    static void gatherVector(float[] src, int base, int[] idx, float alpha, float[] dst, int d) {
        FloatVector.fromArray(S, src, base, idx, 0).mul(alpha).intoArray(dst, d);
    }

    /** dst[d + j] = alpha * src[s + j] for j < VL. */
    static void copyVector(float[] src, int s, float alpha, float[] dst, int d) {
        FloatVector.fromArray(S, src, s).mul(alpha).intoArray(dst, d);
    }

    /** dst[d + j] = src[base + idx[io + j]] for j < NR. */
    static void gatherRow(float[] src, int base, int[] idx, int io, float[] dst, int d) {
        FloatVector.fromArray(S, src, base, idx, io).intoArray(dst, d);
        FloatVector.fromArray(S, src, base, idx, io + VL).intoArray(dst, d + VL);
    }

    /** C[0, 12) x [0, NR) = beta * C + sum over p of a[ao + p * 12 + i] * b[bo + p * NR + j]; C unread when beta == 0. */
    static void kernel12(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, float beta) {
        FloatVector z = FloatVector.zero(S);
        boolean load = beta != 0f;
        FloatVector c00 = load ? FloatVector.fromArray(S, c, co + 0 * ldc).mul(beta) : z;
        FloatVector c01 = load ? FloatVector.fromArray(S, c, co + 0 * ldc + VL).mul(beta) : z;
        FloatVector c10 = load ? FloatVector.fromArray(S, c, co + 1 * ldc).mul(beta) : z;
        FloatVector c11 = load ? FloatVector.fromArray(S, c, co + 1 * ldc + VL).mul(beta) : z;
        FloatVector c20 = load ? FloatVector.fromArray(S, c, co + 2 * ldc).mul(beta) : z;
        FloatVector c21 = load ? FloatVector.fromArray(S, c, co + 2 * ldc + VL).mul(beta) : z;
        FloatVector c30 = load ? FloatVector.fromArray(S, c, co + 3 * ldc).mul(beta) : z;
        FloatVector c31 = load ? FloatVector.fromArray(S, c, co + 3 * ldc + VL).mul(beta) : z;
        FloatVector c40 = load ? FloatVector.fromArray(S, c, co + 4 * ldc).mul(beta) : z;
        FloatVector c41 = load ? FloatVector.fromArray(S, c, co + 4 * ldc + VL).mul(beta) : z;
        FloatVector c50 = load ? FloatVector.fromArray(S, c, co + 5 * ldc).mul(beta) : z;
        FloatVector c51 = load ? FloatVector.fromArray(S, c, co + 5 * ldc + VL).mul(beta) : z;
        FloatVector c60 = load ? FloatVector.fromArray(S, c, co + 6 * ldc).mul(beta) : z;
        FloatVector c61 = load ? FloatVector.fromArray(S, c, co + 6 * ldc + VL).mul(beta) : z;
        FloatVector c70 = load ? FloatVector.fromArray(S, c, co + 7 * ldc).mul(beta) : z;
        FloatVector c71 = load ? FloatVector.fromArray(S, c, co + 7 * ldc + VL).mul(beta) : z;
        FloatVector c80 = load ? FloatVector.fromArray(S, c, co + 8 * ldc).mul(beta) : z;
        FloatVector c81 = load ? FloatVector.fromArray(S, c, co + 8 * ldc + VL).mul(beta) : z;
        FloatVector c90 = load ? FloatVector.fromArray(S, c, co + 9 * ldc).mul(beta) : z;
        FloatVector c91 = load ? FloatVector.fromArray(S, c, co + 9 * ldc + VL).mul(beta) : z;
        FloatVector c100 = load ? FloatVector.fromArray(S, c, co + 10 * ldc).mul(beta) : z;
        FloatVector c101 = load ? FloatVector.fromArray(S, c, co + 10 * ldc + VL).mul(beta) : z;
        FloatVector c110 = load ? FloatVector.fromArray(S, c, co + 11 * ldc).mul(beta) : z;
        FloatVector c111 = load ? FloatVector.fromArray(S, c, co + 11 * ldc + VL).mul(beta) : z;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * 12, bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            FloatVector a8 = FloatVector.broadcast(S, a[ai + 8]);
            c80 = a8.fma(b0, c80);
            c81 = a8.fma(b1, c81);
            FloatVector a9 = FloatVector.broadcast(S, a[ai + 9]);
            c90 = a9.fma(b0, c90);
            c91 = a9.fma(b1, c91);
            FloatVector a10 = FloatVector.broadcast(S, a[ai + 10]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            FloatVector a11 = FloatVector.broadcast(S, a[ai + 11]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
        }
        c00.intoArray(c, co + 0 * ldc);
        c01.intoArray(c, co + 0 * ldc + VL);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + VL);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + VL);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + VL);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + VL);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + VL);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + VL);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + VL);
        c80.intoArray(c, co + 8 * ldc);
        c81.intoArray(c, co + 8 * ldc + VL);
        c90.intoArray(c, co + 9 * ldc);
        c91.intoArray(c, co + 9 * ldc + VL);
        c100.intoArray(c, co + 10 * ldc);
        c101.intoArray(c, co + 10 * ldc + VL);
        c110.intoArray(c, co + 11 * ldc);
        c111.intoArray(c, co + 11 * ldc + VL);
    }

    /** C[0, 8) x [0, NR) = beta * C + sum over p of a[ao + p * 8 + i] * b[bo + p * NR + j]; C unread when beta == 0. */
    static void kernel8(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, float beta) {
        FloatVector z = FloatVector.zero(S);
        boolean load = beta != 0f;
        FloatVector c00 = load ? FloatVector.fromArray(S, c, co + 0 * ldc).mul(beta) : z;
        FloatVector c01 = load ? FloatVector.fromArray(S, c, co + 0 * ldc + VL).mul(beta) : z;
        FloatVector c10 = load ? FloatVector.fromArray(S, c, co + 1 * ldc).mul(beta) : z;
        FloatVector c11 = load ? FloatVector.fromArray(S, c, co + 1 * ldc + VL).mul(beta) : z;
        FloatVector c20 = load ? FloatVector.fromArray(S, c, co + 2 * ldc).mul(beta) : z;
        FloatVector c21 = load ? FloatVector.fromArray(S, c, co + 2 * ldc + VL).mul(beta) : z;
        FloatVector c30 = load ? FloatVector.fromArray(S, c, co + 3 * ldc).mul(beta) : z;
        FloatVector c31 = load ? FloatVector.fromArray(S, c, co + 3 * ldc + VL).mul(beta) : z;
        FloatVector c40 = load ? FloatVector.fromArray(S, c, co + 4 * ldc).mul(beta) : z;
        FloatVector c41 = load ? FloatVector.fromArray(S, c, co + 4 * ldc + VL).mul(beta) : z;
        FloatVector c50 = load ? FloatVector.fromArray(S, c, co + 5 * ldc).mul(beta) : z;
        FloatVector c51 = load ? FloatVector.fromArray(S, c, co + 5 * ldc + VL).mul(beta) : z;
        FloatVector c60 = load ? FloatVector.fromArray(S, c, co + 6 * ldc).mul(beta) : z;
        FloatVector c61 = load ? FloatVector.fromArray(S, c, co + 6 * ldc + VL).mul(beta) : z;
        FloatVector c70 = load ? FloatVector.fromArray(S, c, co + 7 * ldc).mul(beta) : z;
        FloatVector c71 = load ? FloatVector.fromArray(S, c, co + 7 * ldc + VL).mul(beta) : z;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * 8, bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(c, co + 0 * ldc);
        c01.intoArray(c, co + 0 * ldc + VL);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + VL);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + VL);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + VL);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + VL);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + VL);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + VL);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + VL);
    }

    /** C[0, 6) x [0, NR) = beta * C + sum over p of a[ao + p * 6 + i] * b[bo + p * NR + j]; C unread when beta == 0. */
    static void kernel6(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, float beta) {
        FloatVector z = FloatVector.zero(S);
        boolean load = beta != 0f;
        FloatVector c00 = load ? FloatVector.fromArray(S, c, co + 0 * ldc).mul(beta) : z;
        FloatVector c01 = load ? FloatVector.fromArray(S, c, co + 0 * ldc + VL).mul(beta) : z;
        FloatVector c10 = load ? FloatVector.fromArray(S, c, co + 1 * ldc).mul(beta) : z;
        FloatVector c11 = load ? FloatVector.fromArray(S, c, co + 1 * ldc + VL).mul(beta) : z;
        FloatVector c20 = load ? FloatVector.fromArray(S, c, co + 2 * ldc).mul(beta) : z;
        FloatVector c21 = load ? FloatVector.fromArray(S, c, co + 2 * ldc + VL).mul(beta) : z;
        FloatVector c30 = load ? FloatVector.fromArray(S, c, co + 3 * ldc).mul(beta) : z;
        FloatVector c31 = load ? FloatVector.fromArray(S, c, co + 3 * ldc + VL).mul(beta) : z;
        FloatVector c40 = load ? FloatVector.fromArray(S, c, co + 4 * ldc).mul(beta) : z;
        FloatVector c41 = load ? FloatVector.fromArray(S, c, co + 4 * ldc + VL).mul(beta) : z;
        FloatVector c50 = load ? FloatVector.fromArray(S, c, co + 5 * ldc).mul(beta) : z;
        FloatVector c51 = load ? FloatVector.fromArray(S, c, co + 5 * ldc + VL).mul(beta) : z;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * 6, bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(c, co + 0 * ldc);
        c01.intoArray(c, co + 0 * ldc + VL);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + VL);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + VL);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + VL);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + VL);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + VL);
    }

    /** C[0, 4) x [0, NR) = beta * C + sum over p of a[ao + p * 4 + i] * b[bo + p * NR + j]; C unread when beta == 0. */
    static void kernel4(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, float beta) {
        FloatVector z = FloatVector.zero(S);
        boolean load = beta != 0f;
        FloatVector c00 = load ? FloatVector.fromArray(S, c, co + 0 * ldc).mul(beta) : z;
        FloatVector c01 = load ? FloatVector.fromArray(S, c, co + 0 * ldc + VL).mul(beta) : z;
        FloatVector c10 = load ? FloatVector.fromArray(S, c, co + 1 * ldc).mul(beta) : z;
        FloatVector c11 = load ? FloatVector.fromArray(S, c, co + 1 * ldc + VL).mul(beta) : z;
        FloatVector c20 = load ? FloatVector.fromArray(S, c, co + 2 * ldc).mul(beta) : z;
        FloatVector c21 = load ? FloatVector.fromArray(S, c, co + 2 * ldc + VL).mul(beta) : z;
        FloatVector c30 = load ? FloatVector.fromArray(S, c, co + 3 * ldc).mul(beta) : z;
        FloatVector c31 = load ? FloatVector.fromArray(S, c, co + 3 * ldc + VL).mul(beta) : z;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * 4, bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(c, co + 0 * ldc);
        c01.intoArray(c, co + 0 * ldc + VL);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + VL);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + VL);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + VL);
    }

    /** As kernel8, with B row p read at b[rows[p] + add]: B straight from its source, unpacked. */
    static void kernel8i(float[] a, int ao, float[] b, int[] rows, int add, int kc, float[] c, int co, int ldc,
                          float beta) {
        FloatVector z = FloatVector.zero(S);
        boolean load = beta != 0f;
        FloatVector c00 = load ? FloatVector.fromArray(S, c, co + 0 * ldc).mul(beta) : z;
        FloatVector c01 = load ? FloatVector.fromArray(S, c, co + 0 * ldc + VL).mul(beta) : z;
        FloatVector c10 = load ? FloatVector.fromArray(S, c, co + 1 * ldc).mul(beta) : z;
        FloatVector c11 = load ? FloatVector.fromArray(S, c, co + 1 * ldc + VL).mul(beta) : z;
        FloatVector c20 = load ? FloatVector.fromArray(S, c, co + 2 * ldc).mul(beta) : z;
        FloatVector c21 = load ? FloatVector.fromArray(S, c, co + 2 * ldc + VL).mul(beta) : z;
        FloatVector c30 = load ? FloatVector.fromArray(S, c, co + 3 * ldc).mul(beta) : z;
        FloatVector c31 = load ? FloatVector.fromArray(S, c, co + 3 * ldc + VL).mul(beta) : z;
        FloatVector c40 = load ? FloatVector.fromArray(S, c, co + 4 * ldc).mul(beta) : z;
        FloatVector c41 = load ? FloatVector.fromArray(S, c, co + 4 * ldc + VL).mul(beta) : z;
        FloatVector c50 = load ? FloatVector.fromArray(S, c, co + 5 * ldc).mul(beta) : z;
        FloatVector c51 = load ? FloatVector.fromArray(S, c, co + 5 * ldc + VL).mul(beta) : z;
        FloatVector c60 = load ? FloatVector.fromArray(S, c, co + 6 * ldc).mul(beta) : z;
        FloatVector c61 = load ? FloatVector.fromArray(S, c, co + 6 * ldc + VL).mul(beta) : z;
        FloatVector c70 = load ? FloatVector.fromArray(S, c, co + 7 * ldc).mul(beta) : z;
        FloatVector c71 = load ? FloatVector.fromArray(S, c, co + 7 * ldc + VL).mul(beta) : z;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * 8, bi = rows[p] + add;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(c, co + 0 * ldc);
        c01.intoArray(c, co + 0 * ldc + VL);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + VL);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + VL);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + VL);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + VL);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + VL);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + VL);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + VL);
    }

    /** As kernel6, with B row p read at b[rows[p] + add]: B straight from its source, unpacked. */
    static void kernel6i(float[] a, int ao, float[] b, int[] rows, int add, int kc, float[] c, int co, int ldc,
                          float beta) {
        FloatVector z = FloatVector.zero(S);
        boolean load = beta != 0f;
        FloatVector c00 = load ? FloatVector.fromArray(S, c, co + 0 * ldc).mul(beta) : z;
        FloatVector c01 = load ? FloatVector.fromArray(S, c, co + 0 * ldc + VL).mul(beta) : z;
        FloatVector c10 = load ? FloatVector.fromArray(S, c, co + 1 * ldc).mul(beta) : z;
        FloatVector c11 = load ? FloatVector.fromArray(S, c, co + 1 * ldc + VL).mul(beta) : z;
        FloatVector c20 = load ? FloatVector.fromArray(S, c, co + 2 * ldc).mul(beta) : z;
        FloatVector c21 = load ? FloatVector.fromArray(S, c, co + 2 * ldc + VL).mul(beta) : z;
        FloatVector c30 = load ? FloatVector.fromArray(S, c, co + 3 * ldc).mul(beta) : z;
        FloatVector c31 = load ? FloatVector.fromArray(S, c, co + 3 * ldc + VL).mul(beta) : z;
        FloatVector c40 = load ? FloatVector.fromArray(S, c, co + 4 * ldc).mul(beta) : z;
        FloatVector c41 = load ? FloatVector.fromArray(S, c, co + 4 * ldc + VL).mul(beta) : z;
        FloatVector c50 = load ? FloatVector.fromArray(S, c, co + 5 * ldc).mul(beta) : z;
        FloatVector c51 = load ? FloatVector.fromArray(S, c, co + 5 * ldc + VL).mul(beta) : z;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * 6, bi = rows[p] + add;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(c, co + 0 * ldc);
        c01.intoArray(c, co + 0 * ldc + VL);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + VL);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + VL);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + VL);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + VL);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + VL);
    }

    /** As kernel4, with B row p read at b[rows[p] + add]: B straight from its source, unpacked. */
    static void kernel4i(float[] a, int ao, float[] b, int[] rows, int add, int kc, float[] c, int co, int ldc,
                          float beta) {
        FloatVector z = FloatVector.zero(S);
        boolean load = beta != 0f;
        FloatVector c00 = load ? FloatVector.fromArray(S, c, co + 0 * ldc).mul(beta) : z;
        FloatVector c01 = load ? FloatVector.fromArray(S, c, co + 0 * ldc + VL).mul(beta) : z;
        FloatVector c10 = load ? FloatVector.fromArray(S, c, co + 1 * ldc).mul(beta) : z;
        FloatVector c11 = load ? FloatVector.fromArray(S, c, co + 1 * ldc + VL).mul(beta) : z;
        FloatVector c20 = load ? FloatVector.fromArray(S, c, co + 2 * ldc).mul(beta) : z;
        FloatVector c21 = load ? FloatVector.fromArray(S, c, co + 2 * ldc + VL).mul(beta) : z;
        FloatVector c30 = load ? FloatVector.fromArray(S, c, co + 3 * ldc).mul(beta) : z;
        FloatVector c31 = load ? FloatVector.fromArray(S, c, co + 3 * ldc + VL).mul(beta) : z;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * 4, bi = rows[p] + add;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(c, co + 0 * ldc);
        c01.intoArray(c, co + 0 * ldc + VL);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + VL);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + VL);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + VL);
    }
}
