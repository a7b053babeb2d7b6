package org.covidct.tensor.cpu;

import java.util.Arrays;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Tensor;

/**
 * 2-d convolution on the CPU as implicit GEMM on {@link Sgemm}'s packed micro-kernel: the im2col
 * matrix is never formed, its rows are packed straight into the GEMM's B panels from a
 * zero-padded copy of one image (so packing needs no bounds checks).
 *
 * <ul>
 * <li>forward: y[n] = W [K, CRS] x col(x[n]); the bias rides along as an extra column of W
 *     against a row of ones.
 * <li>backwardData, stride 1: a forward convolution of dy with W transposed to [C, K, R, S],
 *     flipped in space, and padding R-1-pad. Other strides: W^T x dy[n] into a column buffer,
 *     folded back by col2im.
 * <li>backwardWeight: dw = sum over n of dy[n] x col(x[n])^T, with col^T packed straight from
 *     the padded image; the threads split the images (or the positions) and sum their partials.
 * </ul>
 * The packed weights are shared by the threads; the padded images, panels and partial sums are
 * per-thread buffers that grow on demand and are kept.
 */
final class CpuConv2d {
    /** Below this many multiply-adds a convolution runs on the calling thread. */
    private static final long SERIAL_WORK = 1L << 20;

    /** Each thread's padded image, and the calling thread's padded batch, grown on demand. */
    private static final ThreadLocal<float[][]> PADDED = ThreadLocal.withInitial(() -> new float[][] {new float[0]});
    private static final ThreadLocal<float[][]> PADDED_BATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[0]});
    /** The calling thread's column buffer (strided backwardData) and partial weight gradients. */
    private static final ThreadLocal<float[][]> COL = ThreadLocal.withInitial(() -> new float[][] {new float[0]});
    private static final ThreadLocal<float[][]> PARTIALS = ThreadLocal.withInitial(() -> new float[0][]);

    private CpuConv2d() {
    }

    /** Whether a convolution from inC to outC channels over g's geometry goes to {@link CpuWinograd}. */
    private static boolean winograd(Geom g, int inC, int outC, CpuKernelPaths paths) {
        return paths.vectorApi() && g.r == 3 && g.s == 3 && g.strideH == 1 && g.strideW == 1
                && inC >= paths.winogradMinChannels() && outC >= paths.winogradMinChannels();
    }

    /** Sizes of one convolution, read from x [N, C, H, W], w [K, C, R, S] and the spec. */
    private static final class Geom {
        final int n, c, h, w, k, r, s, p, q, strideH, strideW, padH, padW;
        final int hw, pq, crs;

        Geom(Tensor x, Tensor weight, Conv2dSpec spec) {
            n = x.dim(0);
            c = x.dim(1);
            h = x.dim(2);
            w = x.dim(3);
            k = weight.dim(0);
            r = weight.dim(2);
            s = weight.dim(3);
            strideH = spec.strideH();
            strideW = spec.strideW();
            padH = spec.padH();
            padW = spec.padW();
            p = spec.outH(h, r);
            q = spec.outW(w, s);
            hw = h * w;
            pq = p * q;
            crs = c * r * s;
        }

        /** First output column whose window column s reads inside the image. */
        int qLo(int sj) {
            return Math.clamp(Math.ceilDiv(padW - sj, strideW), 0, q);
        }

        /** One past the last output column whose window column s reads inside the image. */
        int qHi(int sj) {
            return Math.clamp(Math.floorDiv(w - 1 + padW - sj, strideW) + 1, qLo(sj), q);
        }
    }

    /**
     * y = clamp(conv(x, w) + bias, min, max). The implicit GEMM clamps each block of columns as soon
     * as it is final, while it is still in cache; Winograd's output is clamped in a second pass.
     */
    static void forward(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec, float min, float max, Tensor y,
                        CpuKernelPaths paths) {
        Geom g = new Geom(x, w, spec);
        float[] bd = bias == null ? null : CpuBackend.data(bias), yd = CpuBackend.data(y);
        OutputClamp clamp = new OutputClamp(min, max, paths.vectorApi());
        if (winograd(g, g.c, g.k, paths)) {
            CpuWinograd.convolve(CpuBackend.data(x), g.n, g.c, g.h, g.w, g.padH, g.padW, g.k,
                    new CpuWinograd.Filters(CpuBackend.data(w), g.c, g.k, false), bd, yd);
            if (!clamp.none()) {
                CpuActivations.clamp(yd, min, max, yd, paths.vectorApi());
            }
            return;
        }
        int depth = g.crs + (bd == null ? 0 : 1);
        boolean parallel = parallel(g.n, g.p * g.q, depth, g.k);
        float[] packed = FrozenWeights.packedA(w, bias, g.k, depth, () -> Sgemm.packA(Sgemm.MR, g.k, depth,
                new Weights(CpuBackend.data(w), g.crs, bd), parallel));
        implicitForward(CpuBackend.data(x), g.n, g.c, g.h, g.w, g.r, g.s, g.strideH, g.strideW, g.padH, g.padW,
                g.p, g.q, g.k, packed, bd != null, clamp, yd, paths.wholeBatchLimit());
    }

    /** Whether a convolution's multiply is worth sharing out over the pool. */
    private static boolean parallel(int batch, int opq, int depth, int outC) {
        return (long) batch * opq * depth * outC >= SERIAL_WORK;
    }

    /** Bounds an output is clamped to as it is made; none where both are infinite. */
    private record OutputClamp(float min, float max, boolean vectorApi) {
        private static final int CACHED_OUTPUTS = 1 << 16;
        static final OutputClamp NONE = new OutputClamp(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false);

        boolean none() {
            return min == Float.NEGATIVE_INFINITY && max == Float.POSITIVE_INFINITY;
        }

        /** Output columns [j0, j1) of channels [c0, c1), images side by side (column j of image j / pq). */
        void applyToColumns(float[] y, int c0, int c1, int channels, int pq, long j0, long j1) {
            for (long j = j0; j < j1; ) {
                int img = (int) (j / pq), first = (int) (j - (long) img * pq);
                int len = (int) Math.min(j1 - j, pq - first);
                for (int ch = c0; ch < c1; ch++) {
                    int from = (img * channels + ch) * pq + first;
                    CpuActivations.clamp(y, min, max, y, from, from + len, vectorApi);
                }
                j += len;
            }
        }

        /**
         * How many columns of `rows` output channels to multiply before clamping them: at most
         * CACHED_OUTPUTS floats, which stay in L2 for the clamp, in whole micro-panels; or all.
         */
        int chunk(int columns, int rows) {
            return none() ? columns : Math.clamp(CACHED_OUTPUTS / rows / Sgemm.NR, 1, Sgemm.NC / Sgemm.NR) * Sgemm.NR;
        }
    }

    static void backwardData(Tensor dy, Tensor w, Conv2dSpec spec, Tensor dx, CpuKernelPaths paths) {
        Geom g = new Geom(dx, w, spec);
        float[] dyd = CpuBackend.data(dy), wd = CpuBackend.data(w), dxd = CpuBackend.data(dx);
        int fh = g.r - 1 - g.padH, fw = g.s - 1 - g.padW;
        if (g.strideH == 1 && g.strideW == 1 && fh >= 0 && fw >= 0 && winograd(g, g.k, g.c, paths)) {
            CpuWinograd.convolve(dyd, g.n, g.k, g.p, g.q, fh, fw, g.c,
                    new CpuWinograd.Filters(wd, g.k, g.c, true), null, dxd);
            return;
        }
        if (g.strideH == 1 && g.strideW == 1 && fh >= 0 && fw >= 0) {
            int depth = g.k * g.r * g.s;
            float[] packed = Sgemm.packA(Sgemm.MR, g.c, depth, new FlippedWeights(wd, g.k, g.c, g.r, g.s),
                    parallel(g.n, g.h * g.w, depth, g.c));
            implicitForward(dyd, g.n, g.k, g.p, g.q, g.r, g.s, 1, 1, fh, fw, g.h, g.w, g.c, packed, false,
                    OutputClamp.NONE, dxd, paths.wholeBatchLimit());
            return;
        }
        // dx[n] = col2im(W^T dy[n]), one image at a time with the gemm parallel inside.
        float[][] holder = COL.get();
        if (holder[0].length < g.crs * g.pq) {
            holder[0] = new float[g.crs * g.pq];
        }
        float[] col = holder[0];
        for (int img = 0; img < g.n; img++) {
            Sgemm.sgemm(true, false, g.crs, g.pq, g.k, 1f, wd, 0, g.crs, dyd, img * g.k * g.pq, g.pq, 0f, col, 0, g.pq);
            col2im(g, col, dxd, img * g.c * g.hw);
        }
    }

    static void backwardWeight(Tensor dy, Tensor x, Conv2dSpec spec, Tensor dw, CpuKernelPaths paths) {
        Geom g = new Geom(x, dw, spec);
        float[] dyd = CpuBackend.data(dy), xd = CpuBackend.data(x), dwd = CpuBackend.data(dw);
        if (winograd(g, g.c, g.k, paths) && Math.min(g.c, g.k) >= 2 * paths.winogradMinChannels()
                && (long) g.n * g.p * g.q >= 4L * paths.winogradWeightTiles()) {
            CpuWinogradBackwardWeight.weightGradient(xd, dyd, g.n, g.c, g.h, g.w, g.padH, g.padW, g.k, dwd);
            return;
        }
        int size = g.k * g.crs;
        long total = (long) g.n * g.pq;
        boolean parallel = total * g.k * g.crs >= SERIAL_WORK;
        int chunks = parallel ? (int) Math.min(Parallel.threads(), total) : 1;
        float[][] acc = partials(1, chunks, size); // slot 0: dw itself
        acc[0] = dwd;
        Padded whole = wholeBatch(xd, g.n, g.c, g.h, g.w, g.padH, g.padW, parallel, paths.wholeBatchLimit());
                // Chunk t sums the positions [total * t / chunks, total * (t + 1) / chunks) of the batch into acc[t].
        Parallel.forRange(chunks, 1, (t0, t1) -> {
            Sgemm.Buffers buf = Sgemm.buffers();
            Sgemm.APanels dyRows = new DyRows(dyd, g.k, g.pq, buf);
            for (int t = t0; t < t1; t++) {
                int lo = (int) (total * t / chunks), hi = (int) (total * (t + 1) / chunks);
                if (whole != null) {
                    Sgemm.multiply(Sgemm.MR, null, dyRows, 0, g.k, g.pq, lo, hi,
                            new ColumnsT(whole, g.r, g.s, g.strideH, g.strideW, g.q, g.pq),
                            0, g.crs, Integer.MAX_VALUE, 0, 0f, acc[t], 0, g.crs, buf);
                    continue;
                }
                boolean first = true;
                for (int img = lo / g.pq; img * g.pq < hi; img++) {
                    int from = Math.max(lo, img * g.pq), to = Math.min(hi, (img + 1) * g.pq);
                    Padded xp = pad(xd, img, g.c, g.h, g.w, g.padH, g.padW, PADDED.get());
                    Sgemm.multiply(Sgemm.MR, null, dyRows, 0, g.k, g.pq, from, to,
                            new ColumnsT(xp, g.r, g.s, g.strideH, g.strideW, g.q, g.pq),
                            0, g.crs, Integer.MAX_VALUE, 0, first ? 0f : 1f, acc[t], 0, g.crs, buf);
                    first = false;
                }
                if (first) {
                    Arrays.fill(acc[t], 0, size, 0f);
                }
            }
        });
        if (chunks > 1) {
            Parallel.forRange(size, 1 << 14, (i0, i1) -> {
                for (int t = 1; t < chunks; t++) {
                    float[] part = acc[t];
                    for (int i = i0; i < i1; i++) {
                        dwd[i] += part[i];
                    }
                }
            });
        }
    }

    /**
     * out[n] (outC x oh*ow) = A (outC x inC*r*s, plus a bias column; packed, see Sgemm#packA) x
     * im2col(in[n]) for every image, then clamped. The images' columns are laid side by side and
     * split evenly over the pool; a large batch is padded image by image by the thread that takes it.
     */
    private static void implicitForward(float[] in, int batch, int inC, int inH, int inW, int r, int s, int sh, int sw,
                                        int ph, int pw, int oh, int ow, int outC, float[] packed,
                                        boolean bias, OutputClamp clamp, float[] out, long wholeBatchLimit) {
        int crs = inC * r * s, depth = crs + (bias ? 1 : 0), opq = oh * ow, nr = Sgemm.NR;
        boolean parallel = parallel(batch, opq, depth, outC);
        int threads = parallel ? Parallel.threads() : 1;
        boolean direct = Sgemm.directB(outC);
        Padded whole = wholeBatch(in, batch, inC, inH, inW, ph, pw, parallel, wholeBatchLimit);
        if (whole != null) {
            long total = (long) batch * opq;
            int panels = (int) ((total + nr - 1) / nr), rowPanels = Math.ceilDiv(outC, Sgemm.MR);
            // Few column panels share out unevenly (49 columns: 32 and 17), so then every unit takes all
            // the columns and a share of the output channels.
            boolean byRows = threads > 1 && panels < 4 * threads;
            int colUnits = byRows ? 1 : Math.min(threads, panels);
            int rowUnits = byRows ? Math.min(rowPanels, 2 * threads) : 1;
            Parallel.forRange(colUnits * rowUnits, 1, (u0, u1) -> {
                Sgemm.Buffers buf = Sgemm.buffers();
                for (int u = u0; u < u1; u++) {
                    int cu = u % colUnits, ru = u / colUnits;
                    int j0 = (int) ((long) panels * cu / colUnits) * nr;
                    int j1 = (int) Math.min(total, (long) panels * (cu + 1) / colUnits * nr);
                    int i0 = rowPanels * ru / rowUnits * Sgemm.MR;
                    int i1 = Math.min(outC, rowPanels * (ru + 1) / rowUnits * Sgemm.MR);
                    multiplyAndClamp(packed, i0, i1, outC, depth,
                            new Columns(whole, r, s, sh, sw, ow, opq, crs, direct), j0, j1, opq, clamp, out, buf);
                }
            });
            return;
        }
        // Whole images per unit when they share out evenly, else each image split in column ranges.
        int colPanels = (opq + nr - 1) / nr;
        int split = batch % threads == 0 ? 1 : Math.min(colPanels, threads);
        Parallel.forRange(batch * split, parallel ? 1 : batch * split, (u0, u1) -> {
            Sgemm.Buffers buf = Sgemm.buffers();
            Padded xp = null;
            for (int u = u0; u < u1; u++) {
                int img = u / split, part = u % split;
                if (xp == null || part == 0) {
                    xp = pad(in, img, inC, inH, inW, ph, pw, PADDED.get());
                }
                int j0 = img * opq + (int) ((long) colPanels * part / split) * nr;
                int j1 = img * opq + Math.min(opq, (int) ((long) colPanels * (part + 1) / split) * nr);
                multiplyAndClamp(packed, 0, outC, outC, depth, new Columns(xp, r, s, sh, sw, ow, opq, crs, direct), j0,
                        j1, opq, clamp, out, buf);
            }
        });
    }

    /**
     * Output channels [i0, i1) (i0 a multiple of MR) x columns [j0, j1) (images of opq columns side
     * by side) = the packed weights times the columns; where clamped, a block of
     * {@link OutputClamp#chunk} columns at a time, each clamped while it is in cache.
     */
    private static void multiplyAndClamp(float[] packed, int i0, int i1, int outC, int depth, Columns columns, int j0,
                                         int j1, int opq, OutputClamp clamp, float[] out, Sgemm.Buffers buf) {
        for (int jc = j0, chunk = clamp.chunk(j1 - j0, i1 - i0); jc < j1; jc += chunk) {
            int je = Math.min(j1, jc + chunk);
            Sgemm.multiply(Sgemm.MR, packed, null, i0, i1, depth, 0, depth, columns, jc, je, opq, outC * opq, 0f, out,
                    0, opq, buf);
            if (!clamp.none()) {
                clamp.applyToColumns(out, i0, i1, outC, opq, jc, je);
            }
        }
    }

    /**
     * Zero-padded images of a batch: image g starts at data[base + g * stride], channel planes of
     * hp x wp. Only some of the batch may be held; base then points before the buffer.
     */
    private record Padded(float[] data, int base, int stride, int hp, int wp) {
    }

    /** The whole batch padded into the calling thread's buffer when at most wholeBatchLimit floats, else null. */
    private static Padded wholeBatch(float[] x, int n, int c, int h, int w, int ph, int pw, boolean parallel,
                                     long wholeBatchLimit) {
        int hp = h + 2 * ph, wp = w + 2 * pw;
        if (ph == 0 && pw == 0) {
            return new Padded(x, 0, c * h * w, h, w);
        }
        if ((long) n * c * hp * wp > wholeBatchLimit) {
            return null;
        }
        float[] xp = grow(PADDED_BATCH.get(), n * c * hp * wp);
        Parallel.forRange(n * c, parallel ? 16 : n * c, (p0, p1) -> padPlanes(x, p0, p1, h, w, ph, pw, xp, 0));
        return new Padded(xp, 0, c * hp * wp, hp, wp);
    }

    /** Image img alone, padded into holder[0] (grown on demand); the input itself without padding. */
    private static Padded pad(float[] x, int img, int c, int h, int w, int ph, int pw, float[][] holder) {
        int hp = h + 2 * ph, wp = w + 2 * pw, stride = c * hp * wp;
        if (ph == 0 && pw == 0) {
            return new Padded(x, 0, c * h * w, h, w);
        }
        float[] xp = grow(holder, stride);
        padPlanes(x, img * c, (img + 1) * c, h, w, ph, pw, xp, -img * stride);
        return new Padded(xp, -img * stride, stride, hp, wp);
    }

    private static float[] grow(float[][] holder, int size) {
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }

    /** Planes [p0, p1) of x (h x w each) into xp at off + plane * hp * wp, with zero borders. */
    private static void padPlanes(float[] x, int p0, int p1, int h, int w, int ph, int pw, float[] xp, int off) {
        int hp = h + 2 * ph, wp = w + 2 * pw;
        for (int pl = p0; pl < p1; pl++) {
            int plane = off + pl * hp * wp;
            Arrays.fill(xp, plane, plane + ph * wp, 0f);
            for (int i = 0; i < h; i++) {
                int d = plane + (i + ph) * wp;
                Arrays.fill(xp, d, d + pw, 0f);
                System.arraycopy(x, (pl * h + i) * w, xp, d + pw, w);
                Arrays.fill(xp, d + pw + w, d + wp, 0f);
            }
            Arrays.fill(xp, plane + (h + ph) * wp, plane + hp * wp, 0f);
        }
    }

    /** op(A) = W as [K, C*R*S], with the bias as one more column when there is one. */
    private record Weights(float[] w, int crs, float[] bias) implements Sgemm.APanels {
        @Override
        public void pack(int ic, int mc, int pc, int kc, int mr, float[] dst, int dOff) {
            int end = Math.min(pc + kc, crs);
            for (int r0 = 0; r0 < mc; r0 += mr) {
                int rows = Math.min(mr, mc - r0), h = Sgemm.height(mr, rows), panel = dOff + r0 * kc;
                for (int i = 0; i < rows; i++) {
                    int row = ic + r0 + i, src = row * crs;
                    for (int p = pc; p < end; p++) {
                        dst[panel + (p - pc) * h + i] = w[src + p];
                    }
                    if (end < pc + kc) { // the bias column
                        dst[panel + (end - pc) * h + i] = bias[row];
                    }
                }
                Sgemm.zeroRows(dst, panel, rows, h, kc);
            }
        }
    }

    /** op(A)[c][(k*R + r)*S + s] = W[k][c][R-1-r][S-1-s]: the weights of the transposed convolution. */
    private record FlippedWeights(float[] w, int k, int c, int r, int s) implements Sgemm.APanels {
        @Override
        public void pack(int ic, int mc, int pc, int kc, int mr, float[] dst, int dOff) {
            int rs = r * s;
            for (int r0 = 0; r0 < mc; r0 += mr) {
                int rows = Math.min(mr, mc - r0), h = Sgemm.height(mr, rows), panel = dOff + r0 * kc;
                for (int i = 0; i < rows; i++) {
                    int ch = ic + r0 + i;
                    for (int p = 0, kk = pc / rs, t = pc - kk * rs; p < kc; p++) {
                        dst[panel + p * h + i] = w[(kk * c + ch) * rs + rs - 1 - t];
                        if (++t == rs) {
                            t = 0;
                            kk++;
                        }
                    }
                }
                Sgemm.zeroRows(dst, panel, rows, h, kc);
            }
        }
    }

    /**
     * op(A)[k][n*pq + j] = dy[n][k][j]: the output gradients of all images side by side. With the
     * Vector API a panel step (its rows at one position) is one gather written as a whole vector,
     * past the step into the next, which the next step overwrites; the last step goes element-wise.
     */
    private record DyRows(float[] dy, int k, int pq, Sgemm.Buffers buf) implements Sgemm.APanels {
        @Override
        public void pack(int ic, int mc, int pc, int kc, int mr, float[] dst, int dOff) {
            for (int r0 = 0; r0 < mc; r0 += mr) {
                int rows = Math.min(mr, mc - r0), h = Sgemm.height(mr, rows), panel = dOff + r0 * kc;
                if (h <= Sgemm.VL) {
                    int[] lanes = buf.lanes;
                    for (int i = 0; i < Sgemm.VL; i++) {
                        lanes[i] = (ic + r0 + Math.min(i, rows - 1)) * pq;
                    }
                    for (int p = 0, img = pc / pq, j = pc - img * pq; p < kc - 1; img++, j = 0) {
                        int len = Math.min(kc - 1 - p, pq - j), src = img * k * pq + j, d = panel + p * h;
                        for (int e = 0; e < len; e++) {
                            Sgemm.gatherVector(dy, src + e, lanes, 1f, dst, d + e * h);
                        }
                        p += len;
                    }
                }
                int from = h <= Sgemm.VL ? kc - 1 : 0;
                for (int i = 0; i < rows; i++) {
                    int row = ic + r0 + i;
                    for (int p = from, img = (pc + p) / pq, j = pc + p - img * pq; p < kc; img++, j = 0) {
                        int len = Math.min(kc - p, pq - j), src = (img * k + row) * pq + j, d = panel + p * h + i;
                        for (int e = 0; e < len; e++) {
                            dst[d + e * h] = dy[src + e];
                        }
                        p += len;
                    }
                }
                Sgemm.zeroRows(dst, panel, rows, h, kc);
            }
        }
    }

    /**
     * op(B) = im2col of padded images side by side: row (c*R + r)*S + s, column n*pq + i*ow + j holds
     * image n's xp[c][i*sh + r][j*sw + s]; row crs, if asked for, is all ones (the bias). Every row
     * reads the same column offsets from a different base, so those are computed once per panel; a
     * micro-panel row is then one contiguous copy, or one gather where it wraps a line.
     */
    private record Columns(Padded xp, int r, int s, int sh, int sw, int ow, int pq, int crs, boolean direct)
            implements Sgemm.BPanels {
        @Override
        public boolean pack(int pc, int kc, int jc, int nc, float[] dst, Sgemm.Buffers buf) {
            int nr = Sgemm.NR, rs = r * s, wp = xp.wp(), plane = xp.hp() * wp, width = (nc + nr - 1) / nr * nr;
            int[] idx = buf.cols;
            int img = jc / pq, i = (jc - img * pq) / ow, j = jc - img * pq - i * ow;
            for (int e = 0; e < width; e++) {
                idx[e] = e < nc ? xp.base() + img * xp.stride() + i * sh * wp + j * sw : idx[0]; // past nc: never stored
                if (++j == ow) {
                    j = 0;
                    if ((++i) * ow == pq) {
                        i = 0;
                        img++;
                    }
                }
            }
            float[] src = xp.data();
            int[] rowBase = buf.rows; // -1: the bias row of ones
            for (int pi = 0; pi < kc; pi++) {
                int row = pc + pi, ch = row / rs, t = row - ch * rs, ri = t / s, si = t - ri * s;
                rowBase[pi] = row >= crs ? -1 : ch * plane + ri * wp + si;
            }
            boolean inPlace = direct && pc + kc <= crs;
            // Micro-panel by micro-panel, so the stores run sequentially (panels lie a power of two apart).
            for (int j0 = 0; j0 < width; j0 += nr) {
                int first = idx[j0], panel = j0 * kc, u = j0 / nr;
                boolean contiguous = idx[j0 + nr - 1] - first == nr - 1;
                if (inPlace) {
                    buf.src[u] = contiguous ? src : dst;
                    buf.srcRows[u] = contiguous ? rowBase : buf.iota;
                    buf.srcAdd[u] = contiguous ? first : panel;
                    if (contiguous) {
                        continue;
                    }
                }
                for (int pi = 0; pi < kc; pi++) {
                    int base = rowBase[pi], d = panel + pi * nr;
                    if (base < 0) {
                        Arrays.fill(dst, d, d + nr, 1f);
                    } else if (contiguous) {
                        Sgemm.copyRow(src, base + first, nr, dst, d);
                    } else {
                        Sgemm.gatherRow(src, base, idx, j0, dst, d);
                    }
                }
            }
            return inPlace;
        }
    }

    /**
     * op(B) = the transpose of {@link Columns} (without the bias row): row n*pq + i*ow + j, column
     * (c*R + r)*S + s. An element's offset is a row part plus a column part, so each micro-panel
     * row is one gather.
     */
    private record ColumnsT(Padded xp, int r, int s, int sh, int sw, int ow, int pq) implements Sgemm.BPanels {
        @Override
        public boolean pack(int pc, int kc, int jc, int nc, float[] dst, Sgemm.Buffers buf) {
            int nr = Sgemm.NR, rs = r * s, wp = xp.wp(), plane = xp.hp() * wp, width = (nc + nr - 1) / nr * nr;
            int[] pos = buf.rows, idx = buf.cols;
            int img = pc / pq, i = (pc - img * pq) / ow, j = pc - img * pq - i * ow;
            for (int p = 0; p < kc; p++) {
                pos[p] = xp.base() + img * xp.stride() + i * sh * wp + j * sw;
                if (++j == ow) {
                    j = 0;
                    if ((++i) * ow == pq) {
                        i = 0;
                        img++;
                    }
                }
            }
            for (int e = 0; e < width; e++) {
                int col = jc + Math.min(e, nc - 1), ch = col / rs, t = col - ch * rs, ri = t / s, si = t - ri * s;
                idx[e] = ch * plane + ri * wp + si; // past nc: a repeat, never stored
            }
            float[] src = xp.data();
            for (int j0 = 0; j0 < width; j0 += nr) {
                int panel = j0 * kc;
                for (int p = 0; p < kc; p++) {
                    Sgemm.gatherRow(src, pos[p], idx, j0, dst, panel + p * nr);
                }
            }
            return false;
        }
    }

    /**
     * A fresh array of `chunks` slots; slots first.. hold the calling thread's reused buffers of at
     * least `size` floats (the partial sums of a reduction split over the pool).
     */
    static float[][] partials(int first, int chunks, int size) {
        float[][] cached = PARTIALS.get();
        if (cached.length < chunks) {
            cached = Arrays.copyOf(cached, chunks);
            PARTIALS.set(cached);
        }
        float[][] out = new float[chunks][];
        for (int t = first; t < chunks; t++) {
            if (cached[t] == null || cached[t].length < size) {
                cached[t] = new float[size];
            }
            out[t] = cached[t];
        }
        return out;
    }

    /** The adjoint of im2col: dx[c] = 0, then every in-image entry of col is added to its pixel. */
    private static void col2im(Geom g, float[] col, float[] dx, int dxOff) {
        int grain = Math.max(1, (1 << 15) / Math.max(1, g.r * g.s * g.pq));
        // Channels own disjoint slices of dx, so splitting over them needs no synchronisation.
        Parallel.forRange(g.c, grain, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                Arrays.fill(dx, dxOff + ch * g.hw, dxOff + (ch + 1) * g.hw, 0f);
                for (int ri = 0; ri < g.r; ri++) {
                    for (int sj = 0; sj < g.s; sj++) {
                        int row = ((ch * g.r + ri) * g.s + sj) * g.pq;
                        int qlo = g.qLo(sj), qhi = g.qHi(sj);
                        for (int pi = 0; pi < g.p; pi++) {
                            int hi = pi * g.strideH - g.padH + ri;
                            if (hi < 0 || hi >= g.h) {
                                continue;
                            }
                            int src = row + pi * g.q;
                            int dst = dxOff + (ch * g.h + hi) * g.w + qlo * g.strideW - g.padW + sj;
                            for (int qi = qlo; qi < qhi; qi++) {
                                dx[dst + (qi - qlo) * g.strideW] += col[src + qi];
                            }
                        }
                    }
                }
            }
        });
    }
}
