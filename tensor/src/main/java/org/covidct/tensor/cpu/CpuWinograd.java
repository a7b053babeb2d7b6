package org.covidct.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3x3, stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, 2016):
 * a 2x2 output tile costs 16 multiplies per channel pair instead of 36. For each 4x4 input tile
 * d and filter g,
 * <pre>
 *   y = A^T [ (G g G^T) * (B^T d B) ] A
 * </pre>
 * with * elementwise. Over all channels the 16 elementwise products become 16 independent GEMMs,
 * M[xi] (K x T) = U[xi] (K x C) V[xi] (C x T), run on {@link Sgemm}'s micro-kernel. The filter
 * transforms U are computed once per call, straight into packed GEMM panels. The tiles are
 * split in chunks of about {@link #CHUNK_TILES}; a thread takes a chunk through the input
 * transform, its 16 GEMMs and the output transform, so V and M stay in its caches.
 *
 * <p>Only with the Vector API ({@link CpuKernelPaths#vectorApi()}); the transforms run across 2x2
 * tiles side by side. Each transform has a scalar twin, lane by lane the same sums, that runs until
 * the JIT has compiled the vector one ({@link VectorWarmUp}).
 */
final class CpuWinograd {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    /** a.rearrange(EVEN, b): the even lanes of a then of b; ODD the odd ones; ZIP_LO/HI interleave. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.makeUnzip(S, 0);
    private static final VectorShuffle<Float> ODD = VectorShuffle.makeUnzip(S, 1);
    private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.makeZip(S, 0);
    private static final VectorShuffle<Float> ZIP_HI = VectorShuffle.makeZip(S, 1);
    /** Every lane: a whole-vector store where a masked one is only needed at a panel's end. */
    static final VectorMask<Float> ALL = S.maskAll(true);
    /** Tiles a chunk aims at: its V and M (16 x channels x tiles each) stay within a few MB. */
    private static final int CHUNK_TILES = 160;

    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final ThreadLocal<float[][]> FILTERS = ThreadLocal.withInitial(() -> new float[16][0]);

    private CpuWinograd() {
    }

    /**
     * The 3x3 filters, nine adjacent floats per channel pair: as stored, [K, C, 3, 3], or for the
     * transposed convolution of backward-data ({@code flipped}), from [C, K, 3, 3] turned by 180
     * degrees, so tap (r, s) is the (8 - 3r - s)-th of the nine.
     */
    record Filters(float[] weights, int inC, int outC, boolean flipped) {
        /** Where the filter from input channel i to output channel o starts. */
        int offset(int o, int i) {
            return flipped ? (i * outC + o) * 9 : (o * inC + i) * 9;
        }
    }

    /** One thread's buffers, grown on demand. */
    static final class Scratch {
        /** The chunk's transformed input tiles V, [xi][channel][tile]. */
        float[] v = new float[0];
        /** The chunk's GEMM results M, [xi][output channel][tile]. */
        float[] m = new float[0];
        /** Row transforms of the input rows a chunk needs: [row][j][tile column]. */
        float[] rows = new float[0];
        /** The weight gradient's 16 transformed output gradients, as packed GEMM panels. */
        final float[][] panels = new float[16][0];
        /** One input row's even and odd padded columns. */
        float[] even = new float[0];
        float[] odd = new float[0];
    }

    /**
     * y[n][k] (p x q) = sum over c of x[n][c] (h x w, zero-padded by padH, padW) correlated with
     * f(k, c), plus bias[k] when bias is not null; p = h + 2 padH - 2, q = w + 2 padW - 2.
     */
    static void convolve(float[] x, int n, int c, int h, int w, int padH, int padW, int k, Filters f, float[] bias,
                         float[] y) {
        boolean vectors = VectorWarmUp.compiled();
        float[][] u = transformFilters(f, k, c, vectors);
        Geometry g = Geometry.of(n, c, h, w, padH, padW, k);
        Parallel.forRange(g.chunks(), 1, (c0, c1) -> {
            Scratch sc = SCRATCH.get();
            for (int chunk = c0; chunk < c1; chunk++) {
                int t0 = chunk * g.tc, t1 = Math.min(g.tiles(), t0 + g.tc);
                chunk(x, g, u, bias, y, t0, t1, sc, vectors);
            }
        });
    }

    /**
     * A convolution's tiling: C input and K output channels, h x w inputs padded to p x q outputs,
     * th x tw tiles of 2x2 outputs per image, taken tc (a multiple of {@link Sgemm#NR}) at a time.
     */
    record Geometry(int n, int c, int h, int w, int padH, int padW, int k, int p, int q, int th, int tw, int tc) {
        static Geometry of(int n, int c, int h, int w, int padH, int padW, int k) {
            int p = h + 2 * padH - 2, q = w + 2 * padW - 2, th = (p + 1) / 2, tw = (q + 1) / 2, total = n * th * tw;
            int threads = Parallel.threads();
            int chunks = threads * Math.max(1, Math.round((float) total / (threads * CHUNK_TILES)));
            int tc = Math.ceilDiv(Math.ceilDiv(total, chunks), Sgemm.NR) * Sgemm.NR;
            return new Geometry(n, c, h, w, padH, padW, k, p, q, th, tw, tc);
        }

        int tiles() {
            return n * th * tw;
        }

        int chunks() {
            return Math.ceilDiv(tiles(), tc);
        }
    }

    private static void chunk(float[] x, Geometry g, float[][] u, float[] bias, float[] y, int t0, int t1,
                              Scratch sc, boolean vectors) {
        int tc = g.tc;
        sc.v = grow(sc.v, 16 * g.c * tc + VL);
        sc.m = grow(sc.m, 16 * g.k * tc + VL);
        transformInput(x, g, t0, t1, sc, vectors);
        Sgemm.Buffers buf = Sgemm.buffers();
        for (int xi = 0; xi < 16; xi++) {
            Sgemm.multiply(Sgemm.MR, u[xi], null, 0, g.k, g.c, 0, g.c, new Tiles(sc.v, xi * g.c * tc, tc),
                    0, t1 - t0, Integer.MAX_VALUE, 0, 0f, sc.m, xi * g.k * tc, tc, buf);
        }
        transformOutput(g, bias, y, t0, t1, sc, vectors);
    }

    /** op(B) = V[xi] (C x tc), row-major: NR contiguous floats per micro-panel row. */
    private record Tiles(float[] v, int off, int ld) implements Sgemm.BPanels {
        @Override
        public boolean pack(int pc, int kc, int jc, int nc, float[] dst, Sgemm.Buffers buf) {
            for (int j0 = 0; j0 < nc; j0 += Sgemm.NR) {
                int cols = Math.min(Sgemm.NR, nc - j0), panel = j0 * kc;
                for (int pi = 0; pi < kc; pi++) {
                    Sgemm.copyRow(v, off + (pc + pi) * ld + jc + j0, cols, dst, panel + pi * Sgemm.NR);
                }
            }
            return false;
        }
    }

    /**
     * U[xi] = (G g G^T)[xi] for every filter, packed as {@link Sgemm} A panels over K rows and C
     * deep: panel r0 at r0 * C, [c][row]. G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1].
     */
    static float[][] transformFilters(Filters f, int k, int c, boolean vectors) {
        int mr = Sgemm.MR, panels = Math.ceilDiv(k, mr);
        float[][] u = FILTERS.get();
        for (int xi = 0; xi < 16; xi++) {
            u[xi] = grow(u[xi], panels * mr * c);
        }
        float[] w = f.weights();
        // A panel's rows side by side in one vector: each filter tap is one gather across them.
        Parallel.forRange(panels, Math.max(1, 4096 / c), (p0, p1) -> {
            int[] rowOffsets = new int[VL];
            for (int panel = p0; panel < p1; panel++) {
                int r0 = panel * mr, rows = Math.min(mr, k - r0), hgt = Sgemm.height(mr, rows);
                VectorMask<Float> store = S.indexInRange(0, hgt);
                for (int l = 0; l < VL; l++) {
                    rowOffsets[l] = l < rows ? f.offset(r0 + l, 0) - f.offset(r0, 0) : 0; // past rows: row r0 again
                }
                for (int ci = 0; ci < c; ci++) {
                    if (vectors) {
                        // Whole vectors spill past hgt into the next channel's slots, written next; the last one is masked.
                        transformFilter(w, f.offset(r0, ci), f.flipped(), rowOffsets, u, r0 * c + ci * hgt,
                                ci == c - 1 ? store : ALL);
                    } else {
                        transformFilterScalar(w, f.offset(r0, ci), f.flipped(), rowOffsets, u, r0 * c + ci * hgt, hgt);
                    }
                }
                for (int xi = 0; xi < 16; xi++) {
                    Sgemm.zeroRows(u[xi], r0 * c, rows, hgt, c);
                }
            }
        });
        return u;
    }

    /**
     * U for one input channel and a panel's rows, one row per lane: each tap is one gather. All in
     * one method, so the vectors stay in registers (a helper that is not inlined would box them).
     */
    private static void transformFilter(float[] w, int base, boolean flipped, int[] rowOffsets, float[][] u, int at,
                                        VectorMask<Float> store) {
        int d = flipped ? -1 : 1, o = flipped ? base + 8 : base; // tap (r, s) at o + d * (3r + s)
        FloatVector g00 = FloatVector.fromArray(S, w, o, rowOffsets, 0);
        FloatVector g01 = FloatVector.fromArray(S, w, o + d, rowOffsets, 0);
        FloatVector g02 = FloatVector.fromArray(S, w, o + 2 * d, rowOffsets, 0);
        FloatVector g10 = FloatVector.fromArray(S, w, o + 3 * d, rowOffsets, 0);
        FloatVector g11 = FloatVector.fromArray(S, w, o + 4 * d, rowOffsets, 0);
        FloatVector g12 = FloatVector.fromArray(S, w, o + 5 * d, rowOffsets, 0);
        FloatVector g20 = FloatVector.fromArray(S, w, o + 6 * d, rowOffsets, 0);
        FloatVector g21 = FloatVector.fromArray(S, w, o + 7 * d, rowOffsets, 0);
        FloatVector g22 = FloatVector.fromArray(S, w, o + 8 * d, rowOffsets, 0);
        // t = g G^T row by row: [g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2] (halving is exact); U = G t column by column.
        FloatVector a1 = g00.add(g01).add(g02).mul(0.5f), b1 = g10.add(g11).add(g12).mul(0.5f);
        FloatVector e1 = g20.add(g21).add(g22).mul(0.5f);
        FloatVector a2 = g00.sub(g01).add(g02).mul(0.5f), b2 = g10.sub(g11).add(g12).mul(0.5f);
        FloatVector e2 = g20.sub(g21).add(g22).mul(0.5f);
        g00.intoArray(u[0], at, store);
        g00.add(g10).add(g20).mul(0.5f).intoArray(u[4], at, store);
        g00.sub(g10).add(g20).mul(0.5f).intoArray(u[8], at, store);
        g20.intoArray(u[12], at, store);
        a1.intoArray(u[1], at, store);
        a1.add(b1).add(e1).mul(0.5f).intoArray(u[5], at, store);
        a1.sub(b1).add(e1).mul(0.5f).intoArray(u[9], at, store);
        e1.intoArray(u[13], at, store);
        a2.intoArray(u[2], at, store);
        a2.add(b2).add(e2).mul(0.5f).intoArray(u[6], at, store);
        a2.sub(b2).add(e2).mul(0.5f).intoArray(u[10], at, store);
        e2.intoArray(u[14], at, store);
        g02.intoArray(u[3], at, store);
        g02.add(g12).add(g22).mul(0.5f).intoArray(u[7], at, store);
        g02.sub(g12).add(g22).mul(0.5f).intoArray(u[11], at, store);
        g22.intoArray(u[15], at, store);
    }

    /** The scalar twin of {@link #transformFilter}, for the first {@code lanes} lanes. */
    private static void transformFilterScalar(float[] w, int base, boolean flipped, int[] rowOffsets, float[][] u,
                                              int at, int lanes) {
        int d = flipped ? -1 : 1, o = flipped ? base + 8 : base;
        for (int l = 0; l < lanes; l++) {
            int r = o + rowOffsets[l], t = at + l;
            float g00 = w[r], g01 = w[r + d], g02 = w[r + 2 * d], g10 = w[r + 3 * d], g11 = w[r + 4 * d];
            float g12 = w[r + 5 * d], g20 = w[r + 6 * d], g21 = w[r + 7 * d], g22 = w[r + 8 * d];
            float a1 = (g00 + g01 + g02) * 0.5f, b1 = (g10 + g11 + g12) * 0.5f, e1 = (g20 + g21 + g22) * 0.5f;
            float a2 = (g00 - g01 + g02) * 0.5f, b2 = (g10 - g11 + g12) * 0.5f, e2 = (g20 - g21 + g22) * 0.5f;
            u[0][t] = g00;
            u[4][t] = (g00 + g10 + g20) * 0.5f;
            u[8][t] = (g00 - g10 + g20) * 0.5f;
            u[12][t] = g20;
            u[1][t] = a1;
            u[5][t] = (a1 + b1 + e1) * 0.5f;
            u[9][t] = (a1 - b1 + e1) * 0.5f;
            u[13][t] = e1;
            u[2][t] = a2;
            u[6][t] = (a2 + b2 + e2) * 0.5f;
            u[10][t] = (a2 - b2 + e2) * 0.5f;
            u[14][t] = e2;
            u[3][t] = g02;
            u[7][t] = (g02 + g12 + g22) * 0.5f;
            u[11][t] = (g02 - g12 + g22) * 0.5f;
            u[15][t] = g22;
        }
    }

    /**
     * V[xi][c][t - t0] = (B^T d B)[xi] for tiles [t0, t1), B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
     * The row transform d B is taken once per input row (each serves two tile rows), then the
     * column transform runs VL tiles at a time (lane by lane in the scalar twin, unless vectors).
     */
    static void transformInput(float[] x, Geometry g, int t0, int t1, Scratch sc, boolean vectors) {
        int tw = g.tw, rowLen = tw + VL, perImage = g.th * tw, tc = g.tc;
        for (int t = t0; t < t1; ) {
            int img = t / perImage, ty0 = (t - img * perImage) / tw;
            int tEnd = Math.min(t1, (img + 1) * perImage), ty1 = (tEnd - 1 - img * perImage) / tw;
            int lines = 2 * (ty1 - ty0) + 4;
            sc.rows = grow(sc.rows, lines * 4 * rowLen);
            sc.even = grow(sc.even, rowLen + 1);
            sc.odd = grow(sc.odd, rowLen + 1);
            for (int ci = 0; ci < g.c; ci++) {
                int plane = (img * g.c + ci) * g.h * g.w;
                for (int l = 0; l < lines; l++) {
                    rowTransform(x, plane, 2 * ty0 + l - g.padH, g, sc, l * 4 * rowLen, rowLen, vectors);
                }
                for (int ty = ty0; ty <= ty1; ty++) {
                    int rowStart = img * perImage + ty * tw;
                    int a = Math.max(t, rowStart) - rowStart, b = Math.min(tEnd, rowStart + tw) - rowStart;
                    int lo = rowStart + a - t0, base = 2 * (ty - ty0) * 4 * rowLen;
                    for (int tx = a; tx < b; tx += VL) {
                        int d = lo + tx - a;
                        if (!vectors) {
                            columnTransformScalar(sc, base + tx, rowLen, Math.min(VL, b - tx), g.c, ci, tc, d);
                            continue;
                        }
                        VectorMask<Float> mask = S.indexInRange(0, b - tx);
                        for (int j = 0; j < 4; j++) {
                            int at = base + j * rowLen + tx;
                            FloatVector r0 = FloatVector.fromArray(S, sc.rows, at);
                            FloatVector r1 = FloatVector.fromArray(S, sc.rows, at + 4 * rowLen);
                            FloatVector r2 = FloatVector.fromArray(S, sc.rows, at + 8 * rowLen);
                            FloatVector r3 = FloatVector.fromArray(S, sc.rows, at + 12 * rowLen);
                            r0.sub(r2).intoArray(sc.v, (j * g.c + ci) * tc + d, mask);
                            r1.add(r2).intoArray(sc.v, ((4 + j) * g.c + ci) * tc + d, mask);
                            r2.sub(r1).intoArray(sc.v, ((8 + j) * g.c + ci) * tc + d, mask);
                            r1.sub(r3).intoArray(sc.v, ((12 + j) * g.c + ci) * tc + d, mask);
                        }
                    }
                }
            }
            t = tEnd;
        }
    }

    /** The scalar twin of transformInput's column transform, for {@code lanes} tiles from rows[at]. */
    private static void columnTransformScalar(Scratch sc, int at, int rowLen, int lanes, int c, int ci, int tc, int d) {
        for (int j = 0; j < 4; j++) {
            for (int l = 0; l < lanes; l++) {
                int r = at + j * rowLen + l;
                float r0 = sc.rows[r], r1 = sc.rows[r + 4 * rowLen], r2 = sc.rows[r + 8 * rowLen];
                float r3 = sc.rows[r + 12 * rowLen];
                sc.v[(j * c + ci) * tc + d + l] = r0 - r2;
                sc.v[((4 + j) * c + ci) * tc + d + l] = r1 + r2;
                sc.v[((8 + j) * c + ci) * tc + d + l] = r2 - r1;
                sc.v[((12 + j) * c + ci) * tc + d + l] = r1 - r3;
            }
        }
    }

    /**
     * d B for input row {@code row} (zero outside the image) and every tile column: out[j][tx] for
     * j < 4 from the padded columns 2 tx .. 2 tx + 3, split first into their even and odd columns.
     */
    private static void rowTransform(float[] x, int plane, int row, Geometry g, Scratch sc, int off, int rowLen,
                                     boolean vectors) {
        int tw = g.tw;
        float[] out = sc.rows, ev = sc.even, od = sc.odd;
        if (row < 0 || row >= g.h) {
            java.util.Arrays.fill(out, off, off + 4 * rowLen, 0f);
            return;
        }
        splitEvenOdd(x, plane + row * g.w, g.w, g.padW, tw + 1, ev, od, 0, vectors);
        if (!vectors) { // the scalar twin, over the same whole vectors of columns
            for (int i = 0; i < Math.ceilDiv(tw, VL) * VL; i++) {
                out[off + i] = ev[i] - ev[i + 1];
                out[off + rowLen + i] = od[i] + ev[i + 1];
                out[off + 2 * rowLen + i] = ev[i + 1] - od[i];
                out[off + 3 * rowLen + i] = od[i] - od[i + 1];
            }
            return;
        }
        for (int tx = 0; tx < tw; tx += VL) {
            FloatVector e0 = FloatVector.fromArray(S, ev, tx), e1 = FloatVector.fromArray(S, ev, tx + 1);
            FloatVector o0 = FloatVector.fromArray(S, od, tx), o1 = FloatVector.fromArray(S, od, tx + 1);
            e0.sub(e1).intoArray(out, off + tx);
            o0.add(e1).intoArray(out, off + rowLen + tx);
            e1.sub(o0).intoArray(out, off + 2 * rowLen + tx);
            o0.sub(o1).intoArray(out, off + 3 * rowLen + tx);
        }
    }

    /**
     * ev[off + u] = x[src + 2u - pad], od[off + u] = x[src + 2u + 1 - pad] for u < count, zero
     * outside [0, len): with vectors, a block of VL columns inside the row takes two loads and two
     * shuffles.
     */
    static void splitEvenOdd(float[] x, int src, int len, int pad, int count, float[] ev, float[] od, int off,
                             boolean vectors) {
        for (int u0 = 0; u0 < count; u0 += VL) {
            int first = 2 * u0 - pad;
            if (vectors && first >= 0 && first + 2 * VL <= len) {
                FloatVector a = FloatVector.fromArray(S, x, src + first), b = FloatVector.fromArray(S, x, src + first + VL);
                a.rearrange(EVEN, b).intoArray(ev, off + u0);
                a.rearrange(ODD, b).intoArray(od, off + u0);
                continue;
            }
            for (int u = u0; u < Math.min(u0 + VL, count); u++) {
                int e = 2 * u - pad, o = e + 1;
                ev[off + u] = e >= 0 && e < len ? x[src + e] : 0f;
                od[off + u] = o >= 0 && o < len ? x[src + o] : 0f;
            }
        }
    }

    /**
     * y tiles = A^T M A (+ bias), A^T = [1 1 1 0; 0 1 -1 -1], VL tiles at a time (lane by lane in
     * the scalar twin, unless vectors), clipped to p x q.
     */
    static void transformOutput(Geometry g, float[] bias, float[] y, int t0, int t1, Scratch sc, boolean vectors) {
        int tw = g.tw, perImage = g.th * tw, tc = g.tc, k = g.k;
        float[] m = sc.m;
        for (int t = t0; t < t1; ) {
            int img = t / perImage, ty = (t - img * perImage) / tw, rowStart = img * perImage + ty * tw;
            int a = t - rowStart, b = Math.min(t1, rowStart + tw) - rowStart, lo = t - t0;
            boolean secondRow = 2 * ty + 1 < g.p;
            for (int ki = 0; ki < k; ki++) {
                float bk = bias == null ? 0f : bias[ki];
                int dst = ((img * k + ki) * g.p + 2 * ty) * g.q;
                for (int tx = a; tx < b; tx += VL) {
                    int at = ki * tc + lo + tx - a, stride = k * tc;
                    if (!vectors) {
                        outputTileScalar(m, at, stride, bk, y, dst, 2 * tx, Math.min(2 * (b - tx), g.q - 2 * tx),
                                secondRow ? g.q : -1);
                        continue;
                    }
                    // M A, row by row (rows x of the 4x4 lie 4 * stride apart).
                    FloatVector s00 = sum3(m, at, stride), s01 = diff3(m, at, stride);
                    FloatVector s10 = sum3(m, at + 4 * stride, stride), s11 = diff3(m, at + 4 * stride, stride);
                    FloatVector s20 = sum3(m, at + 8 * stride, stride), s21 = diff3(m, at + 8 * stride, stride);
                    FloatVector s30 = sum3(m, at + 12 * stride, stride), s31 = diff3(m, at + 12 * stride, stride);
                    FloatVector y00 = s00.add(s10).add(s20).add(bk), y01 = s01.add(s11).add(s21).add(bk);
                    int col = 2 * tx, cnt = Math.min(2 * (b - tx), g.q - col);
                    y00.rearrange(ZIP_LO, y01).intoArray(y, dst + col, S.indexInRange(0, cnt));
                    y00.rearrange(ZIP_HI, y01).intoArray(y, dst + col + VL, S.indexInRange(VL, cnt));
                    if (secondRow) {
                        FloatVector y10 = s10.sub(s20).sub(s30).add(bk), y11 = s11.sub(s21).sub(s31).add(bk);
                        y10.rearrange(ZIP_LO, y11).intoArray(y, dst + g.q + col, S.indexInRange(0, cnt));
                        y10.rearrange(ZIP_HI, y11).intoArray(y, dst + g.q + col + VL, S.indexInRange(VL, cnt));
                    }
                }
            }
            t = rowStart + b;
        }
    }

    /**
     * The scalar twin of transformOutput's tiles: columns col .. col + cnt of output row dst, and of
     * the row below (secondRow floats further) unless secondRow is negative.
     */
    private static void outputTileScalar(float[] m, int at, int stride, float bk, float[] y, int dst, int col, int cnt,
                                         int secondRow) {
        for (int e = 0; e < cnt; e++) {
            int r = at + e / 2;
            boolean even = e % 2 == 0;
            float s1 = rowOfMA(m, r + 4 * stride, stride, even), s2 = rowOfMA(m, r + 8 * stride, stride, even);
            y[dst + col + e] = rowOfMA(m, r, stride, even) + s1 + s2 + bk;
            if (secondRow >= 0) {
                y[dst + secondRow + col + e] = s1 - s2 - rowOfMA(m, r + 12 * stride, stride, even) + bk;
            }
        }
    }

    /** One lane of {@link #sum3} (even output columns) or {@link #diff3} (odd ones). */
    private static float rowOfMA(float[] m, int r, int d, boolean even) {
        return even ? m[r] + m[r + d] + m[r + 2 * d] : m[r + d] - m[r + 2 * d] - m[r + 3 * d];
    }

    /** m[r] + m[r + d] + m[r + 2d], VL lanes: A^T's first row applied along a row of M. */
    private static FloatVector sum3(float[] m, int r, int d) {
        return FloatVector.fromArray(S, m, r).add(FloatVector.fromArray(S, m, r + d))
                .add(FloatVector.fromArray(S, m, r + 2 * d));
    }

    /** m[r + d] - m[r + 2d] - m[r + 3d], VL lanes: A^T's second row. */
    private static FloatVector diff3(float[] m, int r, int d) {
        return FloatVector.fromArray(S, m, r + d).sub(FloatVector.fromArray(S, m, r + 2 * d))
                .sub(FloatVector.fromArray(S, m, r + 3 * d));
    }

    static float[] grow(float[] a, int size) {
        return a.length >= size ? a : new float[size];
    }
}
