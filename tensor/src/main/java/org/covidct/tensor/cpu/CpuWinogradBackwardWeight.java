package org.covidct.tensor.cpu;

import static org.covidct.tensor.cpu.CpuWinograd.ALL;
import static org.covidct.tensor.cpu.CpuWinograd.S;
import static org.covidct.tensor.cpu.CpuWinograd.VL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The weight gradient of a {@link CpuWinograd} convolution, as the exact adjoint of its forward
 * pass y = A^T [(G g G^T) * (B^T d B)] A: with dM = A dY A^T per output tile,
 * <pre>
 *   dU[xi] (K x C) = sum over tiles of dM[xi] (K x T) V[xi]^T (T x C),   dg = G^T dU G.
 * </pre>
 * The 16 GEMMs reduce over the tiles; dM is written straight into packed GEMM panels. Each thread
 * takes an equal run of chunks of tiles and sums into its own dU; the partial sums are added and
 * turned into 3x3 gradients at the end.
 */
final class CpuWinogradBackwardWeight {
    private CpuWinogradBackwardWeight() {
    }

    /**
     * dw[k][c] (3x3) = sum over images of dy[n][k] (p x q) correlated with x[n][c] (h x w,
     * zero-padded by padH, padW), for a stride-1 3x3 convolution: p = h + 2 padH - 2.
     */
    static void weightGradient(float[] x, float[] dy, int n, int c, int h, int w, int padH, int padW, int k,
                               float[] dw) {
        CpuWinograd.Geometry g = CpuWinograd.Geometry.of(n, c, h, w, padH, padW, k);
        int size = 16 * k * c, chunks = g.chunks(), units = Math.min(Parallel.threads(), chunks);
        float[][] partial = CpuConv2d.partials(0, units, size);
        boolean vectors = VectorWarmUp.compiled();
        Parallel.forRange(units, 1, (u0, u1) -> {
            CpuWinograd.Scratch sc = CpuWinograd.SCRATCH.get();
            sc.v = CpuWinograd.grow(sc.v, 16 * c * g.tc() + VL);
            for (int xi = 0; xi < 16; xi++) {
                sc.panels[xi] = CpuWinograd.grow(sc.panels[xi], Math.ceilDiv(k, Sgemm.MR) * Sgemm.MR * g.tc() + VL);
            }
            Sgemm.Buffers buf = Sgemm.buffers();
            for (int unit = u0; unit < u1; unit++) {
                float[] du = partial[unit];
                for (int chunk = chunks * unit / units; chunk < chunks * (unit + 1) / units; chunk++) {
                    int t0 = chunk * g.tc(), t1 = Math.min(g.tiles(), t0 + g.tc());
                    float beta = chunk == chunks * unit / units ? 0f : 1f;
                    CpuWinograd.transformInput(x, g, t0, t1, sc, vectors);
                    transformGradient(dy, g, t0, t1, sc.panels);
                    for (int xi = 0; xi < 16; xi++) {
                        Sgemm.multiply(Sgemm.MR, sc.panels[xi], null, 0, k, t1 - t0, 0, t1 - t0,
                                new TilesTransposed(sc.v, xi * c * g.tc(), g.tc()), 0, c, Integer.MAX_VALUE, 0, beta,
                                du, xi * k * c, c, buf);
                    }
                }
            }
        });
        for (int unit = 1; unit < units; unit++) {
            float[] part = partial[unit];
            Parallel.forRange(size, 1 << 14, (i0, i1) -> {
                int i = i0;
                for (; i + VL <= i1; i += VL) {
                    FloatVector.fromArray(S, partial[0], i).add(FloatVector.fromArray(S, part, i)).intoArray(partial[0], i);
                }
                for (; i < i1; i++) {
                    partial[0][i] += part[i];
                }
            });
        }
        float[] du = partial[0];
        Parallel.forRange(k, Math.max(1, 2048 / c), (k0, k1) -> {
            float[] taps = new float[9 * VL];
            for (int ki = k0; ki < k1; ki++) {
                for (int c0 = 0; c0 < c; c0 += VL) {
                    int lanes = Math.min(VL, c - c0);
                    filterGradient(du, ki * c + c0, k * c, S.indexInRange(0, lanes), taps);
                    for (int l = 0; l < lanes; l++) {
                        int d = (ki * c + c0 + l) * 9;
                        for (int t = 0; t < 9; t++) {
                            dw[d + t] = taps[t * VL + l];
                        }
                    }
                }
            }
        });
    }

    /**
     * dM[xi] = (A dY A^T)[xi] for tiles [t0, t1), dY the tile's 2x2 output gradients (zero past
     * p x q), A^T = [1 1 1 0; 0 1 -1 -1], straight into {@link Sgemm} A panels over K rows and the
     * tiles deep: panel r0 at r0 * (t1 - t0), [tile][row]. A panel's rows side by side in one vector,
     * so each of a tile's four gradients is one gather.
     */
    private static void transformGradient(float[] dy, CpuWinograd.Geometry g, int t0, int t1, float[][] out) {
        int mr = Sgemm.MR, k = g.k(), len = t1 - t0, plane = g.p() * g.q(), perImage = g.th() * g.tw();
        int[] laneOffsets = new int[VL];
        FloatVector zero = FloatVector.zero(S);
        for (int r0 = 0; r0 < k; r0 += mr) {
            int rows = Math.min(mr, k - r0), hgt = Sgemm.height(mr, rows);
            VectorMask<Float> last = S.indexInRange(0, hgt);
            for (int l = 0; l < VL; l++) {
                laneOffsets[l] = l < rows ? l * plane : 0; // past rows: row r0 again, zeroed below
            }
            for (int t = t0; t < t1; t++) {
                int img = t / perImage, ty = (t - img * perImage) / g.tw(), tx = t - img * perImage - ty * g.tw();
                int base = ((img * k + r0) * g.p() + 2 * ty) * g.q() + 2 * tx;
                boolean right = 2 * tx + 1 < g.q(), below = 2 * ty + 1 < g.p();
                FloatVector e0 = FloatVector.fromArray(S, dy, base, laneOffsets, 0);
                FloatVector o0 = right ? FloatVector.fromArray(S, dy, base + 1, laneOffsets, 0) : zero;
                FloatVector e1 = below ? FloatVector.fromArray(S, dy, base + g.q(), laneOffsets, 0) : zero;
                FloatVector o1 = right && below ? FloatVector.fromArray(S, dy, base + g.q() + 1, laneOffsets, 0) : zero;
                // Whole vectors spill past hgt into the next tile's slots, written next; the last one is masked.
                store(e0, o0, e1, o1, out, r0 * len + (t - t0) * hgt, t == t1 - 1 ? last : ALL);
            }
            for (int xi = 0; xi < 16; xi++) {
                Sgemm.zeroRows(out[xi], r0 * len, rows, hgt, len);
            }
        }
    }

    /**
     * Row i of dY A^T is (e, e + o, e - o, -o) for dY's row (e, o); A on the left then gives
     * (r0, r0 + r1, r0 - r1, -r1). One method, so the vectors stay in registers.
     */
    private static void store(FloatVector e0, FloatVector o0, FloatVector e1, FloatVector o1, float[][] out, int at,
                              VectorMask<Float> mask) {
        FloatVector r01 = e0.add(o0), r02 = e0.sub(o0), r03 = o0.neg();
        FloatVector r11 = e1.add(o1), r12 = e1.sub(o1), r13 = o1.neg();
        e0.intoArray(out[0], at, mask);
        r01.intoArray(out[1], at, mask);
        r02.intoArray(out[2], at, mask);
        r03.intoArray(out[3], at, mask);
        e0.add(e1).intoArray(out[4], at, mask);
        r01.add(r11).intoArray(out[5], at, mask);
        r02.add(r12).intoArray(out[6], at, mask);
        r03.add(r13).intoArray(out[7], at, mask);
        e0.sub(e1).intoArray(out[8], at, mask);
        r01.sub(r11).intoArray(out[9], at, mask);
        r02.sub(r12).intoArray(out[10], at, mask);
        r03.sub(r13).intoArray(out[11], at, mask);
        e1.neg().intoArray(out[12], at, mask);
        r11.neg().intoArray(out[13], at, mask);
        r12.neg().intoArray(out[14], at, mask);
        r13.neg().intoArray(out[15], at, mask);
    }

    /** op(B)[t][c] = V[xi][c][t] (V stored C x ld): a micro-panel row is one gather across NR channels. */
    private record TilesTransposed(float[] v, int off, int ld) implements Sgemm.BPanels {
        @Override
        public boolean pack(int pc, int kc, int jc, int nc, float[] dst, Sgemm.Buffers buf) {
            int[] idx = buf.cols;
            for (int j0 = 0; j0 < nc; j0 += Sgemm.NR) {
                int cols = Math.min(Sgemm.NR, nc - j0);
                for (int j = 0; j < Sgemm.NR; j++) {
                    idx[j] = (jc + j0 + Math.min(j, cols - 1)) * ld; // past cols: a repeat, never stored
                }
                for (int pi = 0; pi < kc; pi++) {
                    Sgemm.gatherRow(v, off + pc + pi, idx, 0, dst, j0 * kc + pi * Sgemm.NR);
                }
            }
            return false;
        }
    }

    /**
     * dg = G^T dU G for VL filters side by side (du[at + xi * stride], one filter per lane), into
     * taps[(3r + s) * VL + lane]. G^T = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1].
     */
    private static void filterGradient(float[] du, int at, int stride, VectorMask<Float> live, float[] taps) {
        // dU G, row by row (rows x lie 4 * stride apart): [d0 + (d1+d2)/2, (d1-d2)/2, (d1+d2)/2 + d3].
        int s4 = 4 * stride;
        FloatVector t00 = first(du, at, stride, live), t01 = middle(du, at, stride, live);
        FloatVector t02 = last(du, at, stride, live);
        FloatVector t10 = first(du, at + s4, stride, live), t11 = middle(du, at + s4, stride, live);
        FloatVector t12 = last(du, at + s4, stride, live);
        FloatVector t20 = first(du, at + 2 * s4, stride, live), t21 = middle(du, at + 2 * s4, stride, live);
        FloatVector t22 = last(du, at + 2 * s4, stride, live);
        FloatVector t30 = first(du, at + 3 * s4, stride, live), t31 = middle(du, at + 3 * s4, stride, live);
        FloatVector t32 = last(du, at + 3 * s4, stride, live);
        FloatVector h0 = t10.add(t20).mul(0.5f), h1 = t11.add(t21).mul(0.5f), h2 = t12.add(t22).mul(0.5f);
        t00.add(h0).intoArray(taps, 0);
        t01.add(h1).intoArray(taps, VL);
        t02.add(h2).intoArray(taps, 2 * VL);
        t10.sub(t20).mul(0.5f).intoArray(taps, 3 * VL);
        t11.sub(t21).mul(0.5f).intoArray(taps, 4 * VL);
        t12.sub(t22).mul(0.5f).intoArray(taps, 5 * VL);
        h0.add(t30).intoArray(taps, 6 * VL);
        h1.add(t31).intoArray(taps, 7 * VL);
        h2.add(t32).intoArray(taps, 8 * VL);
    }

    /** d0 + (d1 + d2) / 2 for the row d of dU at r (entries d apart): G's first column. */
    private static FloatVector first(float[] du, int r, int d, VectorMask<Float> live) {
        return FloatVector.fromArray(S, du, r, live).add(middleSum(du, r, d, live));
    }

    /** (d1 - d2) / 2: G's second column. */
    private static FloatVector middle(float[] du, int r, int d, VectorMask<Float> live) {
        return FloatVector.fromArray(S, du, r + d, live).sub(FloatVector.fromArray(S, du, r + 2 * d, live)).mul(0.5f);
    }

    /** (d1 + d2) / 2 + d3: G's third column. */
    private static FloatVector last(float[] du, int r, int d, VectorMask<Float> live) {
        return middleSum(du, r, d, live).add(FloatVector.fromArray(S, du, r + 3 * d, live));
    }

    private static FloatVector middleSum(float[] du, int r, int d, VectorMask<Float> live) {
        return FloatVector.fromArray(S, du, r + d, live).add(FloatVector.fromArray(S, du, r + 2 * d, live)).mul(0.5f);
    }
}
