package org.covidct.tensor.cpu;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Tensor;

/**
 * 2-d convolution on the CPU by im2col and {@link Sgemm}. For each image the input is unfolded
 * into a column matrix col [C*R*S, P*Q] (zeros where the window hangs over the padding), so that
 * forward is y[n] = W [K, CRS] x col, the data gradient is col = W^T x dy[n] folded back by col2im,
 * and the weight gradient is dw = sum over n of dy[n] x col^T. A 1x1 convolution with stride 1 and
 * no padding has col == x[n] and skips the unfolding.
 *
 * <p>Parallelism: with enough images each thread takes whole images (its own column buffer, a
 * serial gemm inside, since {@link Parallel} runs nested loops inline); otherwise images go one by
 * one and the unfolding and the gemm are parallel within each image.
 */
final class CpuConv2d {
    /** Unfold/fold loops split over channels only when each chunk has at least this many elements. */
    private static final int COL_GRAIN = 1 << 15;

    /** Each thread's column buffer, grown on demand and kept for later calls. */
    private static final ThreadLocal<float[][]> COL = ThreadLocal.withInitial(() -> new float[][] {new float[0]});
    /** The calling thread's per-chunk weight-gradient partial sums (chunk 0 writes dw itself). */
    private static final ThreadLocal<float[][]> PARTIALS = ThreadLocal.withInitial(() -> new float[0][]);

    private CpuConv2d() {
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

        /** 1x1, stride 1, no padding: the column matrix is the image itself. */
        boolean pointwise() {
            return r == 1 && s == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0;
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

    static void forward(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec, Tensor y) {
        Geom g = new Geom(x, w, spec);
        float[] xd = CpuBackend.data(x), wd = CpuBackend.data(w), yd = CpuBackend.data(y);
        float[] bd = bias == null ? null : CpuBackend.data(bias);
        forEachImage(g.n, img -> {
            int yOff = img * g.k * g.pq;
            if (bd != null) { // the gemm then adds onto the bias (beta = 1)
                for (int kk = 0; kk < g.k; kk++) {
                    Arrays.fill(yd, yOff + kk * g.pq, yOff + (kk + 1) * g.pq, bd[kk]);
                }
            }
            float[] col = xd;
            int colOff = img * g.c * g.hw;
            if (!g.pointwise()) {
                col = colBuffer(g.crs * g.pq);
                im2col(g, xd, colOff, col);
                colOff = 0;
            }
            Sgemm.sgemm(false, false, g.k, g.pq, g.crs, 1f, wd, 0, g.crs, col, colOff, g.pq,
                    bd != null ? 1f : 0f, yd, yOff, g.pq);
        });
    }

    static void backwardData(Tensor dy, Tensor w, Conv2dSpec spec, Tensor dx) {
        Geom g = new Geom(dx, w, spec);
        float[] dyd = CpuBackend.data(dy), wd = CpuBackend.data(w), dxd = CpuBackend.data(dx);
        forEachImage(g.n, img -> {
            int dyOff = img * g.k * g.pq, dxOff = img * g.c * g.hw;
            if (g.pointwise()) {
                Sgemm.sgemm(true, false, g.c, g.pq, g.k, 1f, wd, 0, g.crs, dyd, dyOff, g.pq, 0f, dxd, dxOff, g.pq);
                return;
            }
            float[] col = colBuffer(g.crs * g.pq);
            Sgemm.sgemm(true, false, g.crs, g.pq, g.k, 1f, wd, 0, g.crs, dyd, dyOff, g.pq, 0f, col, 0, g.pq);
            col2im(g, col, dxd, dxOff);
        });
    }

    static void backwardWeight(Tensor dy, Tensor x, Conv2dSpec spec, Tensor dw) {
        Geom g = new Geom(x, dw, spec);
        float[] dyd = CpuBackend.data(dy), xd = CpuBackend.data(x), dwd = CpuBackend.data(dw);
        int size = g.k * g.crs;
        // Chunks of images sum into separate buffers (no races), added into dw at the end.
        int chunks = imageParallel(g.n) ? Math.min(Parallel.threads(), g.n) : 1;
        float[][] acc = partials(chunks, size);
        acc[0] = dwd;
        Parallel.forRange(chunks, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int first = (int) ((long) g.n * t / chunks), end = (int) ((long) g.n * (t + 1) / chunks);
                for (int img = first; img < end; img++) {
                    float[] col = xd;
                    int colOff = img * g.c * g.hw;
                    if (!g.pointwise()) {
                        col = colBuffer(g.crs * g.pq);
                        im2col(g, xd, colOff, col);
                        colOff = 0;
                    }
                    Sgemm.sgemm(false, true, g.k, g.crs, g.pq, 1f, dyd, img * g.k * g.pq, g.pq, col, colOff, g.pq,
                            img == first ? 0f : 1f, acc[t], 0, g.crs);
                }
            }
        });
        for (int t = 1; t < chunks; t++) {
            float[] part = acc[t];
            for (int i = 0; i < size; i++) {
                dwd[i] += part[i];
            }
        }
    }

    /** Whole images per thread when they divide evenly or are plentiful; else parallelise inside. */
    private static boolean imageParallel(int images) {
        int t = Parallel.threads();
        return t > 1 && images > 1 && (images % t == 0 || images >= 2 * t);
    }

    private static void forEachImage(int images, IntConsumer body) {
        Parallel.forRange(images, imageParallel(images) ? 1 : images, (from, to) -> {
            for (int img = from; img < to; img++) {
                body.accept(img);
            }
        });
    }

    private static float[] colBuffer(int size) {
        float[][] holder = COL.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }

    /** A fresh array of `chunks` slots; slots 1.. hold this thread's reused buffers of `size` floats. */
    private static float[][] partials(int chunks, int size) {
        float[][] cached = PARTIALS.get();
        if (cached.length < chunks) {
            cached = Arrays.copyOf(cached, chunks);
            PARTIALS.set(cached);
        }
        float[][] out = new float[chunks][];
        for (int t = 1; t < chunks; t++) {
            if (cached[t] == null || cached[t].length < size) {
                cached[t] = new float[size];
            }
            out[t] = cached[t];
        }
        return out;
    }

    /** col[(c*R + r)*S + s][p*Q + q] = x[c][p*strideH - padH + r][q*strideW - padW + s], or 0 outside. */
    private static void im2col(Geom g, float[] x, int xOff, float[] col) {
        int grain = Math.max(1, COL_GRAIN / Math.max(1, g.r * g.s * g.pq));
        Parallel.forRange(g.c, grain, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                for (int ri = 0; ri < g.r; ri++) {
                    for (int sj = 0; sj < g.s; sj++) {
                        int row = ((ch * g.r + ri) * g.s + sj) * g.pq;
                        int qlo = g.qLo(sj), qhi = g.qHi(sj);
                        for (int pi = 0; pi < g.p; pi++) {
                            int dst = row + pi * g.q;
                            int hi = pi * g.strideH - g.padH + ri;
                            if (hi < 0 || hi >= g.h) {
                                Arrays.fill(col, dst, dst + g.q, 0f);
                                continue;
                            }
                            Arrays.fill(col, dst, dst + qlo, 0f);
                            int src = xOff + (ch * g.h + hi) * g.w + qlo * g.strideW - g.padW + sj;
                            if (g.strideW == 1) {
                                if (qhi > qlo) { // src may point past the row when no column is valid
                                    System.arraycopy(x, src, col, dst + qlo, qhi - qlo);
                                }
                            } else {
                                for (int qi = qlo; qi < qhi; qi++) {
                                    col[dst + qi] = x[src + (qi - qlo) * g.strideW];
                                }
                            }
                            Arrays.fill(col, dst + qhi, dst + g.q, 0f);
                        }
                    }
                }
            }
        });
    }

    /** The adjoint of im2col: dx[c] = 0, then every in-image entry of col is added to its pixel. */
    private static void col2im(Geom g, float[] col, float[] dx, int dxOff) {
        int grain = Math.max(1, COL_GRAIN / Math.max(1, g.r * g.s * g.pq));
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
                            if (g.strideW == 1) {
                                for (int qi = qlo; qi < qhi; qi++) {
                                    dx[dst + qi - qlo] += col[src + qi];
                                }
                            } else {
                                for (int qi = qlo; qi < qhi; qi++) {
                                    dx[dst + (qi - qlo) * g.strideW] += col[src + qi];
                                }
                            }
                        }
                    }
                }
            }
        });
    }
}
