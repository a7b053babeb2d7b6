package org.covidct.tensor.cpu;

/**
 * Single-precision matrix multiply in plain Java, row-major: C = alpha * op(A) * op(B) + beta * C,
 * with op(A) m x k and op(B) k x n. A is m x k with row stride lda (k x m when transposed), B is
 * k x n with row stride ldb (n x k when transposed), C is m x n with row stride ldc. As in BLAS,
 * beta == 0 overwrites C without reading it.
 *
 * <p>Goto-style blocking: a KC x NC panel of op(B) is packed into per-thread row arrays (kept in
 * L2), then four rows of C at a time are updated from four packed rows of alpha * op(A) by a
 * micro-kernel whose inner loop streams the panel and four accumulator rows (kept in L1).
 *
 * <p>Why separate row arrays: C2's auto-vectoriser (JDK 25) gives up on a loop that stores into
 * one float[] and loads another at a different offset, since the two might be the same array and
 * overlap. When every access in the loop is {@code x[j]} with the same j, overlap is harmless, so
 * the kernel reads panel rows and writes accumulator rows that are all indexed by j alone, and C
 * is copied in and out of the accumulators with System.arraycopy.
 */
final class Sgemm {
    /** Depth of a packed panel (the k block); a multiple of the kernel's k step of 4. */
    static final int KC = 128;
    /** Width of a packed B panel (the n block). */
    static final int NC = 512;
    /** Rows of C per micro-kernel call. */
    private static final int MR = 4;
    /** Columns are split between threads in multiples of this, one AVX-512 vector of floats. */
    private static final int COL_UNIT = 16;
    /** Rows of B transposed together when packing op(B) = B^T. */
    private static final int TRANSPOSE_STRIP = 32;
    /** A parallel chunk should hold at least this many multiply-adds to pay for the hand-off. */
    private static final long MIN_CHUNK_WORK = 1L << 17;

    /** One thread's packing buffers, allocated once at their largest size. */
    private static final class Buffers {
        final float[][] panel = new float[KC][NC]; // op(B) rows, zero beyond k
        final float[] a = new float[MR * KC];       // MR rows of alpha * op(A), zero-padded to a k step
        final float[][] acc = new float[MR][NC];    // the C rows being updated
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Sgemm() {
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        long rowWork = (long) n * Math.max(k, 1);
        // Split the rows between threads unless there are too few of them, then split the columns.
        if (m >= n || m >= 256) {
            int grain = (int) Math.max(1, MIN_CHUNK_WORK / rowWork);
            Parallel.forRange(m, grain, (r0, r1) -> block(transA, transB, r0, r1, 0, n, k, alpha,
                    a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
        } else {
            int units = (n + COL_UNIT - 1) / COL_UNIT;
            int grain = (int) Math.max(1, MIN_CHUNK_WORK / ((long) COL_UNIT * m * Math.max(k, 1)));
            Parallel.forRange(units, grain, (u0, u1) -> block(transA, transB, 0, m, u0 * COL_UNIT,
                    Math.min(n, u1 * COL_UNIT), k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
        }
    }

    /** Computes rows [r0, r1) x columns [c0, c1) of C on the calling thread. */
    private static void block(boolean transA, boolean transB, int r0, int r1, int c0, int c1, int k,
                              float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float beta, float[] c, int cOff, int ldc) {
        scale(beta, r0, r1, c0, c1, c, cOff, ldc);
        if (k == 0 || alpha == 0f) {
            return;
        }
        Buffers buf = BUFFERS.get();
        float[][] acc = buf.acc;
        // Equal column blocks of at most NC: a narrow last block would run the kernel's short loops.
        int blocks = (c1 - c0 + NC - 1) / NC;
        int width = Math.min(NC, ((c1 - c0 + blocks - 1) / blocks + COL_UNIT - 1) / COL_UNIT * COL_UNIT);
        for (int jc = c0; jc < c1; jc += width) {
            int nc = Math.min(width, c1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                int kp = (kc + 3) & ~3; // padded with zero rows of the panel and zero columns of A
                packB(transB, b, bOff, ldb, pc, kc, kp, jc, nc, buf.panel);
                for (int i = r0; i < r1; i += MR) {
                    int mr = Math.min(MR, r1 - i);
                    packA(transA, alpha, a, aOff, lda, i, mr, pc, kc, kp, buf.a);
                    for (int r = 0; r < mr; r++) {
                        System.arraycopy(c, cOff + (i + r) * ldc + jc, acc[r], 0, nc);
                    }
                    if (mr == MR) {
                        kernel4(buf.a, kp, buf.panel, nc, acc[0], acc[1], acc[2], acc[3]);
                    } else {
                        for (int r = 0; r < mr; r++) {
                            kernel1(buf.a, r * kp, kp, buf.panel, nc, acc[r]);
                        }
                    }
                    for (int r = 0; r < mr; r++) {
                        System.arraycopy(acc[r], 0, c, cOff + (i + r) * ldc + jc, nc);
                    }
                }
            }
        }
    }

    /** C = beta * C on the block; beta == 0 writes zeros so NaN or garbage in C is never read. */
    private static void scale(float beta, int r0, int r1, int c0, int c1, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = r0; i < r1; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row + c0, row + c1, 0f);
            } else {
                for (int j = row + c0; j < row + c1; j++) {
                    c[j] *= beta;
                }
            }
        }
    }

    /** panel[p][j] = op(B)[pc + p][jc + j] for p < kc, and 0 for kc <= p < kp. */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int kp,
                              int jc, int nc, float[][] panel) {
        if (!transB) {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, bOff + (pc + p) * ldb + jc, panel[p], 0, nc);
            }
        } else {
            // op(B)[p][j] = B[j][p]: a transpose, in strips of TRANSPOSE_STRIP rows of B so the
            // cache lines being read stay in L1 while the panel rows are written contiguously.
            for (int j0 = 0; j0 < nc; j0 += TRANSPOSE_STRIP) {
                int j1 = Math.min(nc, j0 + TRANSPOSE_STRIP);
                for (int p = 0; p < kc; p++) {
                    float[] row = panel[p];
                    int src = bOff + (jc + j0) * ldb + pc + p;
                    for (int j = j0; j < j1; j++, src += ldb) {
                        row[j] = b[src];
                    }
                }
            }
        }
        for (int p = kc; p < kp; p++) {
            java.util.Arrays.fill(panel[p], 0, nc, 0f);
        }
    }

    /** ap[r * kp + p] = alpha * op(A)[i + r][pc + p] for p < kc, and 0 for kc <= p < kp. */
    private static void packA(boolean transA, float alpha, float[] a, int aOff, int lda, int i, int mr,
                              int pc, int kc, int kp, float[] ap) {
        for (int r = 0; r < mr; r++) {
            int dst = r * kp;
            if (!transA) {
                int src = aOff + (i + r) * lda + pc;
                for (int p = 0; p < kc; p++) {
                    ap[dst + p] = alpha * a[src + p];
                }
            } else {
                int src = aOff + pc * lda + i + r; // op(A)[i + r][p] = A[p][i + r]
                for (int p = 0; p < kc; p++) {
                    ap[dst + p] = alpha * a[src + p * lda];
                }
            }
            java.util.Arrays.fill(ap, dst + kc, dst + kp, 0f);
        }
    }

    /**
     * Four rows: cr[j] += sum over p of ap[r * kp + p] * panel[p][j]. Four k steps per pass share
     * each accumulator load and store; four rows share each panel load. kp is a multiple of 4.
     */
    private static void kernel4(float[] ap, int kp, float[][] panel, int nc,
                                float[] c0, float[] c1, float[] c2, float[] c3) {
        for (int p = 0; p < kp; p += 4) {
            float a0 = ap[p], a1 = ap[p + 1], a2 = ap[p + 2], a3 = ap[p + 3];
            float e0 = ap[kp + p], e1 = ap[kp + p + 1], e2 = ap[kp + p + 2], e3 = ap[kp + p + 3];
            int i2 = 2 * kp + p, i3 = 3 * kp + p;
            float f0 = ap[i2], f1 = ap[i2 + 1], f2 = ap[i2 + 2], f3 = ap[i2 + 3];
            float g0 = ap[i3], g1 = ap[i3 + 1], g2 = ap[i3 + 2], g3 = ap[i3 + 3];
            float[] b0 = panel[p], b1 = panel[p + 1], b2 = panel[p + 2], b3 = panel[p + 3];
            for (int j = 0; j < nc; j++) {
                float x0 = b0[j], x1 = b1[j], x2 = b2[j], x3 = b3[j];
                c0[j] = Math.fma(a3, x3, Math.fma(a2, x2, Math.fma(a1, x1, Math.fma(a0, x0, c0[j]))));
                c1[j] = Math.fma(e3, x3, Math.fma(e2, x2, Math.fma(e1, x1, Math.fma(e0, x0, c1[j]))));
                c2[j] = Math.fma(f3, x3, Math.fma(f2, x2, Math.fma(f1, x1, Math.fma(f0, x0, c2[j]))));
                c3[j] = Math.fma(g3, x3, Math.fma(g2, x2, Math.fma(g1, x1, Math.fma(g0, x0, c3[j]))));
            }
        }
    }

    /** One row, for the last m % 4 rows of a block: c0[j] += sum over p of ap[ai + p] * panel[p][j]. */
    private static void kernel1(float[] ap, int ai, int kp, float[][] panel, int nc, float[] c0) {
        for (int p = 0; p < kp; p += 4) {
            float a0 = ap[ai + p], a1 = ap[ai + p + 1], a2 = ap[ai + p + 2], a3 = ap[ai + p + 3];
            float[] b0 = panel[p], b1 = panel[p + 1], b2 = panel[p + 2], b3 = panel[p + 3];
            for (int j = 0; j < nc; j++) {
                c0[j] = Math.fma(a3, b3[j], Math.fma(a2, b2[j], Math.fma(a1, b1[j], Math.fma(a0, b0[j], c0[j]))));
            }
        }
    }
}
