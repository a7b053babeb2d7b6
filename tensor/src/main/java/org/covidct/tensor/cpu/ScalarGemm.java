package org.covidct.tensor.cpu;

import java.util.Arrays;

/**
 * The scalar twins of {@link SimdGemm}'s kernels: the same packed layouts, and every output the
 * same sum of the same roundings in the same order, so the same bits. They stand in for the vector
 * kernels until the JIT has compiled those ({@link VectorWarmUp}), and are the only kernels of a
 * JVM without the Vector API.
 */
final class ScalarGemm {
    private ScalarGemm() {
    }

    /**
     * The h x nr tile at out[oo] (rows ldo apart) = beta * the tile at in[io] (rows ldi apart) + the
     * product of an h-row A panel and an nr-column B panel, kc steps deep; in is unread when beta == 0.
     * As {@link SimdGemm#kernel12}, the 12-row tile sums from zero and adds beta * in with one fused
     * multiply-add as it stores; as the 8-, 6- and 4-row kernels, the others start from beta * in.
     * acc holds h * nr floats.
     */
    static void kernel(int h, int nr, float[] a, int ao, float[] b, int bo, int kc, float[] out, int oo, int ldo,
                       float beta, float[] in, int io, int ldi, float[] acc) {
        VectorWarmUp.twinWork(2L * h * nr * kc);
        boolean fuseAtStore = h == 12;
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < nr; j++) {
                acc[i * nr + j] = beta == 0f || fuseAtStore ? 0f : in[io + i * ldi + j] * beta;
            }
        }
        accumulate(h, nr, a, ao, b, null, bo, kc, acc);
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < nr; j++) {
                float v = acc[i * nr + j];
                out[oo + i * ldo + j] = beta != 0f && fuseAtStore ? Math.fma(in[io + i * ldi + j], beta, v) : v;
            }
        }
    }

    /**
     * As {@link SimdGemm#kernel8i} and its 6- and 4-row siblings: B row p read in place at
     * b[rows[p] + add], the tile starting from beta * C.
     */
    static void kernelInPlace(int h, int nr, float[] a, int ao, float[] b, int[] rows, int add, int kc, float[] c,
                              int co, int ldc, float beta, float[] acc) {
        VectorWarmUp.twinWork(2L * h * nr * kc);
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < nr; j++) {
                acc[i * nr + j] = beta == 0f ? 0f : c[co + i * ldc + j] * beta;
            }
        }
        accumulate(h, nr, a, ao, b, rows, add, kc, acc);
        for (int i = 0; i < h; i++) {
            System.arraycopy(acc, i * nr, c, co + i * ldc, nr);
        }
    }

    /**
     * acc[i * nr + j] = fma(A[p][i], B[p][j], acc[i * nr + j]) for p = 0 .. kc - 1 in turn: A packed
     * from a[ao], h floats a step; B row p at b[from + p * nr], or in place at b[rows[p] + from].
     */
    private static void accumulate(int h, int nr, float[] a, int ao, float[] b, int[] rows, int from, int kc,
                                   float[] acc) {
        for (int p = 0; p < kc; p++) {
            int bi = rows == null ? from + p * nr : rows[p] + from;
            for (int i = 0; i < h; i++) {
                float av = a[ao + p * h + i];
                int ci = i * nr;
                for (int j = 0; j < nr; j++) {
                    acc[ci + j] = Math.fma(av, b[bi + j], acc[ci + j]);
                }
            }
        }
    }

    /**
     * As {@link SimdGemm#dots} with vectors of vl lanes: each of the 16 dot products sums lane l
     * over the steps p = l (mod vl) below the last whole vector, folds the lanes as
     * {@link SimdLanes#sum(jdk.incubator.vector.FloatVector)} does, then adds the remaining steps.
     * lanes holds vl floats.
     */
    static void dots(int vl, float[] a, int[] rows, float[] b, int b0, int b1, int k, float[] out, float[] lanes) {
        VectorWarmUp.twinWork(4L * SimdGemm.DOT_ROWS * k);
        int bound = k / vl * vl;
        for (int i = 0; i < SimdGemm.DOT_ROWS; i++) {
            for (int e = 0; e < 2; e++) {
                int bRow = e == 0 ? b0 : b1;
                Arrays.fill(lanes, 0, vl, 0f);
                for (int p = 0; p < bound; p += vl) {
                    for (int l = 0; l < vl; l++) {
                        lanes[l] = Math.fma(a[rows[i] + p + l], b[bRow + p + l], lanes[l]);
                    }
                }
                float sum = foldLanes(lanes, vl);
                for (int p = bound; p < k; p++) {
                    sum = Math.fma(a[rows[i] + p], b[bRow + p], sum);
                }
                out[2 * i + e] = sum;
            }
        }
    }

    /** Lane 0 after adding to each lane the one n/2 further, then n/4, ..., then 1 (lanes is overwritten). */
    static float foldLanes(float[] lanes, int n) {
        for (int half = n / 2; half >= 1; half /= 2) {
            for (int l = 0; l < half; l++) {
                lanes[l] += lanes[l + half];
            }
        }
        return lanes[0];
    }

    /** As {@link SimdGemm#transposeSteps12}: dst[d + p * 12 + i] = alpha * a[src + i * ld + p] for p < 16, i < 12. */
    static void transposeSteps12(float[] a, int src, int ld, float alpha, float[] dst, int d) {
        for (int p = 0; p < 16; p++) {
            for (int i = 0; i < 12; i++) {
                dst[d + p * 12 + i] = alpha * a[src + i * ld + p];
            }
        }
    }

    /** As {@link SimdGemm#gatherVector}: dst[d + j] = alpha * src[base + idx[j]] for j < vl. */
    static void gatherVector(int vl, float[] src, int base, int[] idx, float alpha, float[] dst, int d) {
        for (int j = 0; j < vl; j++) {
            dst[d + j] = src[base + idx[j]] * alpha;
        }
    }

    /** As {@link SimdGemm#copyVector}: dst[d + j] = alpha * src[s + j] for j < vl. */
    static void copyVector(int vl, float[] src, int s, float alpha, float[] dst, int d) {
        for (int j = 0; j < vl; j++) {
            dst[d + j] = src[s + j] * alpha;
        }
    }

    /** As {@link SimdGemm#mergeRow}: c[d + j] = tile[t + j] + beta * c[d + j], one fused rounding; c unread when beta == 0. */
    static void mergeRow(int nr, float[] tile, int t, float beta, float[] c, int d) {
        if (beta == 0f) {
            System.arraycopy(tile, t, c, d, nr);
            return;
        }
        for (int j = 0; j < nr; j++) {
            c[d + j] = Math.fma(c[d + j], beta, tile[t + j]);
        }
    }
}
