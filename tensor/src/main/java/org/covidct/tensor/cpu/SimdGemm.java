package org.covidct.tensor.cpu;

import jdk.incubator.vector.FloatVector;
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
        out[0] = SimdLanes.sum(c00);
        out[1] = SimdLanes.sum(c01);
        out[2] = SimdLanes.sum(c10);
        out[3] = SimdLanes.sum(c11);
        out[4] = SimdLanes.sum(c20);
        out[5] = SimdLanes.sum(c21);
        out[6] = SimdLanes.sum(c30);
        out[7] = SimdLanes.sum(c31);
        out[8] = SimdLanes.sum(c40);
        out[9] = SimdLanes.sum(c41);
        out[10] = SimdLanes.sum(c50);
        out[11] = SimdLanes.sum(c51);
        out[12] = SimdLanes.sum(c60);
        out[13] = SimdLanes.sum(c61);
        out[14] = SimdLanes.sum(c70);
        out[15] = SimdLanes.sum(c71);
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

    /**
     * Two-vector lane selections that transpose 16 x 16 in four stages (used with 16 lanes only):
     * stage s pairs vectors v and v + 2^s and swaps bit s of the vector index with bit s of the
     * lane index, LO[s] building the vector whose lanes had that bit clear, HI[s] the other.
     */
    private static final FloatVector[] TRANSPOSE_LO = new FloatVector[4], TRANSPOSE_HI = new FloatVector[4];

    static {
        if (VL == 16) {
            for (int s = 0; s < 4; s++) {
                float[] lo = new float[VL], hi = new float[VL];
                for (int lane = 0; lane < VL; lane++) {
                    int from = ((lane >> s) & 1) * VL, kept = lane & ~(1 << s);
                    lo[lane] = from + kept;
                    hi[lane] = from + (kept | 1 << s);
                }
                TRANSPOSE_LO[s] = FloatVector.fromArray(S, lo, 0);
                TRANSPOSE_HI[s] = FloatVector.fromArray(S, hi, 0);
            }
        }
    }

    /**
     * Sixteen steps of a 12-row A panel (16 lanes only): dst[d + p * 12 + i] = alpha * a[src + i * ld + p]
     * for p < 16, i < 12. Twelve row vectors are transposed in registers (rows 12-15 of the 16 x 16
     * are don't-cares) and each column is stored whole, its last four lanes overwritten by the next;
     * the sixteenth is stored masked when `last`, so nothing is written past the 192 floats.
     */
    static void transposeSteps12(float[] a, int src, int ld, float alpha, float[] dst, int d, boolean last) {
        FloatVector lo0 = TRANSPOSE_LO[0], hi0 = TRANSPOSE_HI[0], lo1 = TRANSPOSE_LO[1], hi1 = TRANSPOSE_HI[1];
        FloatVector lo2 = TRANSPOSE_LO[2], hi2 = TRANSPOSE_HI[2], lo3 = TRANSPOSE_LO[3], hi3 = TRANSPOSE_HI[3];
        FloatVector r0 = FloatVector.fromArray(S, a, src), r1 = FloatVector.fromArray(S, a, src + ld);
        FloatVector r2 = FloatVector.fromArray(S, a, src + 2 * ld), r3 = FloatVector.fromArray(S, a, src + 3 * ld);
        FloatVector r4 = FloatVector.fromArray(S, a, src + 4 * ld), r5 = FloatVector.fromArray(S, a, src + 5 * ld);
        FloatVector r6 = FloatVector.fromArray(S, a, src + 6 * ld), r7 = FloatVector.fromArray(S, a, src + 7 * ld);
        FloatVector r8 = FloatVector.fromArray(S, a, src + 8 * ld), r9 = FloatVector.fromArray(S, a, src + 9 * ld);
        FloatVector r10 = FloatVector.fromArray(S, a, src + 10 * ld), r11 = FloatVector.fromArray(S, a, src + 11 * ld);
        // Stages 0 and 1 within each group of four rows.
        FloatVector s0 = lo0.selectFrom(r0, r1), s1 = hi0.selectFrom(r0, r1), s2 = lo0.selectFrom(r2, r3);
        FloatVector s3 = hi0.selectFrom(r2, r3), s4 = lo0.selectFrom(r4, r5), s5 = hi0.selectFrom(r4, r5);
        FloatVector s6 = lo0.selectFrom(r6, r7), s7 = hi0.selectFrom(r6, r7), s8 = lo0.selectFrom(r8, r9);
        FloatVector s9 = hi0.selectFrom(r8, r9), s10 = lo0.selectFrom(r10, r11), s11 = hi0.selectFrom(r10, r11);
        r0 = lo1.selectFrom(s0, s2);
        r2 = hi1.selectFrom(s0, s2);
        r1 = lo1.selectFrom(s1, s3);
        r3 = hi1.selectFrom(s1, s3);
        r4 = lo1.selectFrom(s4, s6);
        r6 = hi1.selectFrom(s4, s6);
        r5 = lo1.selectFrom(s5, s7);
        r7 = hi1.selectFrom(s5, s7);
        r8 = lo1.selectFrom(s8, s10);
        r10 = hi1.selectFrom(s8, s10);
        r9 = lo1.selectFrom(s9, s11);
        r11 = hi1.selectFrom(s9, s11);
        // Stage 2: vectors 12-15 would be the missing rows, so rows 8-11 pair with themselves.
        s0 = lo2.selectFrom(r0, r4);
        s4 = hi2.selectFrom(r0, r4);
        s1 = lo2.selectFrom(r1, r5);
        s5 = hi2.selectFrom(r1, r5);
        s2 = lo2.selectFrom(r2, r6);
        s6 = hi2.selectFrom(r2, r6);
        s3 = lo2.selectFrom(r3, r7);
        s7 = hi2.selectFrom(r3, r7);
        s8 = lo2.selectFrom(r8, r8);
        FloatVector s12 = hi2.selectFrom(r8, r8);
        s9 = lo2.selectFrom(r9, r9);
        FloatVector s13 = hi2.selectFrom(r9, r9);
        s10 = lo2.selectFrom(r10, r10);
        FloatVector s14 = hi2.selectFrom(r10, r10);
        s11 = lo2.selectFrom(r11, r11);
        FloatVector s15 = hi2.selectFrom(r11, r11);
        // Stage 3 leaves step p in vector p, row i in lane i.
        lo3.selectFrom(s0, s8).mul(alpha).intoArray(dst, d);
        lo3.selectFrom(s1, s9).mul(alpha).intoArray(dst, d + 12);
        lo3.selectFrom(s2, s10).mul(alpha).intoArray(dst, d + 24);
        lo3.selectFrom(s3, s11).mul(alpha).intoArray(dst, d + 36);
        lo3.selectFrom(s4, s12).mul(alpha).intoArray(dst, d + 48);
        lo3.selectFrom(s5, s13).mul(alpha).intoArray(dst, d + 60);
        lo3.selectFrom(s6, s14).mul(alpha).intoArray(dst, d + 72);
        lo3.selectFrom(s7, s15).mul(alpha).intoArray(dst, d + 84);
        hi3.selectFrom(s0, s8).mul(alpha).intoArray(dst, d + 96);
        hi3.selectFrom(s1, s9).mul(alpha).intoArray(dst, d + 108);
        hi3.selectFrom(s2, s10).mul(alpha).intoArray(dst, d + 120);
        hi3.selectFrom(s3, s11).mul(alpha).intoArray(dst, d + 132);
        hi3.selectFrom(s4, s12).mul(alpha).intoArray(dst, d + 144);
        hi3.selectFrom(s5, s13).mul(alpha).intoArray(dst, d + 156);
        hi3.selectFrom(s6, s14).mul(alpha).intoArray(dst, d + 168);
        FloatVector step15 = hi3.selectFrom(s7, s15).mul(alpha);
        if (last) {
            step15.intoArray(dst, d + 180, S.indexInRange(0, 12));
        } else {
            step15.intoArray(dst, d + 180);
        }
    }

    /** dst[d + j] = src[base + idx[io + j]] for j < NR. */
    static void gatherRow(float[] src, int base, int[] idx, int io, float[] dst, int d) {
        FloatVector.fromArray(S, src, base, idx, io).intoArray(dst, d);
        FloatVector.fromArray(S, src, base, idx, io + VL).intoArray(dst, d + VL);
    }

    /**
     * C[0, 12) x [0, NR) = beta * IN[0, 12) x [0, NR) + sum over p of a[ao + p * 12 + i] * b[bo + p * NR + j]:
     * C rows ldc apart from co, IN rows ldi apart from io (unread when beta == 0); IN may be C itself.
     * Two steps per iteration halve the index arithmetic, which would otherwise take issue slots
     * from the FMAs (the 6-row AVX2 kernel keeps one step: in 16 registers, two would spill).
     *
     * <p>The sums start at zero and IN is added as they are stored: loaded first, a tile that has
     * left L2 would hold up the first FMAs, while loaded last it arrives as the final FMAs drain
     * (2048^3: 5% faster; 512^3, tiles in L2, 1% slower for the 24 extra FMAs). The stores are
     * written out: C2 stops inlining a helper this deep into so large a method (NodeCountInliningCutoff),
     * and every vector it takes becomes an object (a third slower).
     *
     * <p>Each iteration also loads one word of b, 16 floats further each time from next on, so kc / 2
     * cache lines the caller reads next arrive while the FMAs run (Java has no prefetch instruction;
     * with nothing to fetch, next = bo costs one L1 hit per iteration). The load is unconditional, so
     * the JIT still hoists every bounds check out of the loop. Returns those words XORed, for the
     * caller to keep, or the JIT would drop the loads.
     */
    static int kernel12(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, float beta,
                        float[] in, int io, int ldi, int next) {
        int touched = 0;
        FloatVector z = FloatVector.zero(S), betas = FloatVector.broadcast(S, beta);
        boolean load = beta != 0f;
        FloatVector c00 = z;
        FloatVector c01 = z;
        FloatVector c10 = z;
        FloatVector c11 = z;
        FloatVector c20 = z;
        FloatVector c21 = z;
        FloatVector c30 = z;
        FloatVector c31 = z;
        FloatVector c40 = z;
        FloatVector c41 = z;
        FloatVector c50 = z;
        FloatVector c51 = z;
        FloatVector c60 = z;
        FloatVector c61 = z;
        FloatVector c70 = z;
        FloatVector c71 = z;
        FloatVector c80 = z;
        FloatVector c81 = z;
        FloatVector c90 = z;
        FloatVector c91 = z;
        FloatVector c100 = z;
        FloatVector c101 = z;
        FloatVector c110 = z;
        FloatVector c111 = z;
        int even = kc & ~1;
        for (int p = 0; p < even; p += 2) {
            int ai = ao + p * 12, bi = bo + p * NR;
            touched ^= Float.floatToRawIntBits(b[next + p * 8]); // one cache line per iteration
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
            b0 = FloatVector.fromArray(S, b, bi + NR);
            b1 = FloatVector.fromArray(S, b, bi + NR + VL);
            a0 = FloatVector.broadcast(S, a[ai + 12]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            a1 = FloatVector.broadcast(S, a[ai + 13]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            a2 = FloatVector.broadcast(S, a[ai + 14]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            a3 = FloatVector.broadcast(S, a[ai + 15]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            a4 = FloatVector.broadcast(S, a[ai + 16]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            a5 = FloatVector.broadcast(S, a[ai + 17]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            a6 = FloatVector.broadcast(S, a[ai + 18]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            a7 = FloatVector.broadcast(S, a[ai + 19]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            a8 = FloatVector.broadcast(S, a[ai + 20]);
            c80 = a8.fma(b0, c80);
            c81 = a8.fma(b1, c81);
            a9 = FloatVector.broadcast(S, a[ai + 21]);
            c90 = a9.fma(b0, c90);
            c91 = a9.fma(b1, c91);
            a10 = FloatVector.broadcast(S, a[ai + 22]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            a11 = FloatVector.broadcast(S, a[ai + 23]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
        }
        for (int p = even; p < kc; p++) {
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
        (load ? FloatVector.fromArray(S, in, io + 0 * ldi).fma(betas, c00) : c00).intoArray(c, co + 0 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 0 * ldi + VL).fma(betas, c01) : c01).intoArray(c, co + 0 * ldc + VL);
        (load ? FloatVector.fromArray(S, in, io + 1 * ldi).fma(betas, c10) : c10).intoArray(c, co + 1 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 1 * ldi + VL).fma(betas, c11) : c11).intoArray(c, co + 1 * ldc + VL);
        (load ? FloatVector.fromArray(S, in, io + 2 * ldi).fma(betas, c20) : c20).intoArray(c, co + 2 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 2 * ldi + VL).fma(betas, c21) : c21).intoArray(c, co + 2 * ldc + VL);
        (load ? FloatVector.fromArray(S, in, io + 3 * ldi).fma(betas, c30) : c30).intoArray(c, co + 3 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 3 * ldi + VL).fma(betas, c31) : c31).intoArray(c, co + 3 * ldc + VL);
        (load ? FloatVector.fromArray(S, in, io + 4 * ldi).fma(betas, c40) : c40).intoArray(c, co + 4 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 4 * ldi + VL).fma(betas, c41) : c41).intoArray(c, co + 4 * ldc + VL);
        (load ? FloatVector.fromArray(S, in, io + 5 * ldi).fma(betas, c50) : c50).intoArray(c, co + 5 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 5 * ldi + VL).fma(betas, c51) : c51).intoArray(c, co + 5 * ldc + VL);
        (load ? FloatVector.fromArray(S, in, io + 6 * ldi).fma(betas, c60) : c60).intoArray(c, co + 6 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 6 * ldi + VL).fma(betas, c61) : c61).intoArray(c, co + 6 * ldc + VL);
        (load ? FloatVector.fromArray(S, in, io + 7 * ldi).fma(betas, c70) : c70).intoArray(c, co + 7 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 7 * ldi + VL).fma(betas, c71) : c71).intoArray(c, co + 7 * ldc + VL);
        (load ? FloatVector.fromArray(S, in, io + 8 * ldi).fma(betas, c80) : c80).intoArray(c, co + 8 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 8 * ldi + VL).fma(betas, c81) : c81).intoArray(c, co + 8 * ldc + VL);
        (load ? FloatVector.fromArray(S, in, io + 9 * ldi).fma(betas, c90) : c90).intoArray(c, co + 9 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 9 * ldi + VL).fma(betas, c91) : c91).intoArray(c, co + 9 * ldc + VL);
        (load ? FloatVector.fromArray(S, in, io + 10 * ldi).fma(betas, c100) : c100).intoArray(c, co + 10 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 10 * ldi + VL).fma(betas, c101) : c101).intoArray(c, co + 10 * ldc + VL);
        (load ? FloatVector.fromArray(S, in, io + 11 * ldi).fma(betas, c110) : c110).intoArray(c, co + 11 * ldc);
        (load ? FloatVector.fromArray(S, in, io + 11 * ldi + VL).fma(betas, c111) : c111).intoArray(c, co + 11 * ldc + VL);
        return touched;
    }

    /**
     * C[0, 8) x [0, NR) = beta * IN[0, 8) x [0, NR) + sum over p of a[ao + p * 8 + i] * b[bo + p * NR + j]:
     * C rows ldc apart from co, IN rows ldi apart from io (unread when beta == 0); IN may be C itself.
     */
    static void kernel8(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, float beta,
                         float[] in, int io, int ldi) {
        FloatVector z = FloatVector.zero(S);
        boolean load = beta != 0f;
        FloatVector c00 = load ? FloatVector.fromArray(S, in, io + 0 * ldi).mul(beta) : z;
        FloatVector c01 = load ? FloatVector.fromArray(S, in, io + 0 * ldi + VL).mul(beta) : z;
        FloatVector c10 = load ? FloatVector.fromArray(S, in, io + 1 * ldi).mul(beta) : z;
        FloatVector c11 = load ? FloatVector.fromArray(S, in, io + 1 * ldi + VL).mul(beta) : z;
        FloatVector c20 = load ? FloatVector.fromArray(S, in, io + 2 * ldi).mul(beta) : z;
        FloatVector c21 = load ? FloatVector.fromArray(S, in, io + 2 * ldi + VL).mul(beta) : z;
        FloatVector c30 = load ? FloatVector.fromArray(S, in, io + 3 * ldi).mul(beta) : z;
        FloatVector c31 = load ? FloatVector.fromArray(S, in, io + 3 * ldi + VL).mul(beta) : z;
        FloatVector c40 = load ? FloatVector.fromArray(S, in, io + 4 * ldi).mul(beta) : z;
        FloatVector c41 = load ? FloatVector.fromArray(S, in, io + 4 * ldi + VL).mul(beta) : z;
        FloatVector c50 = load ? FloatVector.fromArray(S, in, io + 5 * ldi).mul(beta) : z;
        FloatVector c51 = load ? FloatVector.fromArray(S, in, io + 5 * ldi + VL).mul(beta) : z;
        FloatVector c60 = load ? FloatVector.fromArray(S, in, io + 6 * ldi).mul(beta) : z;
        FloatVector c61 = load ? FloatVector.fromArray(S, in, io + 6 * ldi + VL).mul(beta) : z;
        FloatVector c70 = load ? FloatVector.fromArray(S, in, io + 7 * ldi).mul(beta) : z;
        FloatVector c71 = load ? FloatVector.fromArray(S, in, io + 7 * ldi + VL).mul(beta) : z;
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

    /**
     * C[0, 6) x [0, NR) = beta * IN[0, 6) x [0, NR) + sum over p of a[ao + p * 6 + i] * b[bo + p * NR + j]:
     * C rows ldc apart from co, IN rows ldi apart from io (unread when beta == 0); IN may be C itself.
     */
    static void kernel6(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, float beta,
                         float[] in, int io, int ldi) {
        FloatVector z = FloatVector.zero(S);
        boolean load = beta != 0f;
        FloatVector c00 = load ? FloatVector.fromArray(S, in, io + 0 * ldi).mul(beta) : z;
        FloatVector c01 = load ? FloatVector.fromArray(S, in, io + 0 * ldi + VL).mul(beta) : z;
        FloatVector c10 = load ? FloatVector.fromArray(S, in, io + 1 * ldi).mul(beta) : z;
        FloatVector c11 = load ? FloatVector.fromArray(S, in, io + 1 * ldi + VL).mul(beta) : z;
        FloatVector c20 = load ? FloatVector.fromArray(S, in, io + 2 * ldi).mul(beta) : z;
        FloatVector c21 = load ? FloatVector.fromArray(S, in, io + 2 * ldi + VL).mul(beta) : z;
        FloatVector c30 = load ? FloatVector.fromArray(S, in, io + 3 * ldi).mul(beta) : z;
        FloatVector c31 = load ? FloatVector.fromArray(S, in, io + 3 * ldi + VL).mul(beta) : z;
        FloatVector c40 = load ? FloatVector.fromArray(S, in, io + 4 * ldi).mul(beta) : z;
        FloatVector c41 = load ? FloatVector.fromArray(S, in, io + 4 * ldi + VL).mul(beta) : z;
        FloatVector c50 = load ? FloatVector.fromArray(S, in, io + 5 * ldi).mul(beta) : z;
        FloatVector c51 = load ? FloatVector.fromArray(S, in, io + 5 * ldi + VL).mul(beta) : z;
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

    /**
     * C[0, 4) x [0, NR) = beta * IN[0, 4) x [0, NR) + sum over p of a[ao + p * 4 + i] * b[bo + p * NR + j]:
     * C rows ldc apart from co, IN rows ldi apart from io (unread when beta == 0); IN may be C itself.
     */
    static void kernel4(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, float beta,
                         float[] in, int io, int ldi) {
        FloatVector z = FloatVector.zero(S);
        boolean load = beta != 0f;
        FloatVector c00 = load ? FloatVector.fromArray(S, in, io + 0 * ldi).mul(beta) : z;
        FloatVector c01 = load ? FloatVector.fromArray(S, in, io + 0 * ldi + VL).mul(beta) : z;
        FloatVector c10 = load ? FloatVector.fromArray(S, in, io + 1 * ldi).mul(beta) : z;
        FloatVector c11 = load ? FloatVector.fromArray(S, in, io + 1 * ldi + VL).mul(beta) : z;
        FloatVector c20 = load ? FloatVector.fromArray(S, in, io + 2 * ldi).mul(beta) : z;
        FloatVector c21 = load ? FloatVector.fromArray(S, in, io + 2 * ldi + VL).mul(beta) : z;
        FloatVector c30 = load ? FloatVector.fromArray(S, in, io + 3 * ldi).mul(beta) : z;
        FloatVector c31 = load ? FloatVector.fromArray(S, in, io + 3 * ldi + VL).mul(beta) : z;
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
