package org.covidct.tensor.cpu;

import static org.covidct.tensor.cpu.CpuBackend.data;

import java.util.Arrays;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Tensor;

/**
 * Grouped (and depthwise) 2-d convolution on the CPU as direct loops. A group has few input
 * channels (one, depthwise), so there is no GEMM worth forming; each kernel instead owns whole
 * planes: forward and backwardData one output plane per task, backwardWeight one output channel
 * (summed over the batch) per task, so no two tasks write the same element. Every row loop runs
 * over the output columns whose tap lies inside the image, so at stride 1 it is a contiguous
 * multiply-add, done with the Vector API ({@link SimdElementwise}) where it is present. Depthwise
 * convolutions at column stride 1 instead compute whole planes register-tiled ({@link SimdDepthwise}).
 */
final class CpuGroupedConv2d {
    /** Roughly this many multiply-adds per parallel chunk. */
    private static final int GRAIN_WORK = 1 << 16;

    private CpuGroupedConv2d() {
    }

    /** Sizes of one grouped convolution: x [N, C, H, W], w [K, C/G, R, S], y [N, K, P, Q]. */
    private record Geom(int n, int c, int h, int w, int k, int cg, int kg, int r, int s, int p, int q,
                        int sh, int sw, int ph, int pw) {
        static Geom of(Tensor x, Tensor weight, Conv2dSpec spec) {
            int h = x.dim(2), w = x.dim(3), r = weight.dim(2), s = weight.dim(3);
            return new Geom(x.dim(0), x.dim(1), h, w, weight.dim(0), weight.dim(1), weight.dim(0) / spec.groups(),
                    r, s, spec.outH(h, r), spec.outW(w, s), spec.strideH(), spec.strideW(), spec.padH(), spec.padW());
        }

        /** First output column whose tap at kernel column sj is inside the image. */
        int qLo(int sj) {
            return Math.clamp(Math.ceilDiv(pw - sj, sw), 0, q);
        }

        /** One past the last output column whose tap at kernel column sj is inside the image. */
        int qHi(int sj) {
            return Math.clamp(Math.floorDiv(w - 1 + pw - sj, sw) + 1, qLo(sj), q);
        }

        /** The input row that output row pi reads at kernel row ri, or -1 outside the image. */
        int inRow(int pi, int ri) {
            int ih = pi * sh - ph + ri;
            return ih >= 0 && ih < h ? ih : -1;
        }

        int grain(long workPerUnit) {
            return (int) Math.max(1, GRAIN_WORK / Math.max(1, workPerUnit));
        }
    }

    /** y = clamp(conv(x, weight) + bias, min, max), each output plane clamped as it is finished. */
    static void forward(Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec, float min, float max, Tensor y,
                        boolean vectorApi) {
        Geom g = Geom.of(x, weight, spec);
        float[] xd = data(x), wd = data(weight), yd = data(y), bd = bias == null ? null : data(bias);
        int hw = g.h * g.w, pq = g.p * g.q, rs = g.r * g.s;
        if (vectorApi && g.cg == 1 && g.sw <= 2) {
            Parallel.forRange(g.n * g.k, g.grain((long) pq * rs), (u0, u1) -> {
                float[] scratch = new float[SimdDepthwise.scratchSize(g.h, g.w, g.ph, g.pw, g.sw)];
                for (int u = u0; u < u1; u++) {
                    int ko = u % g.k;
                    int xOff = (u / g.k * g.c + ko / g.kg) * hw;
                    float b = bd == null ? 0f : bd[ko];
                    if (VectorWarmUp.compiled()) {
                        SimdDepthwise.plane(xd, xOff, g.h, g.w, g.ph, g.pw, g.sh, g.sw, g.r, g.s, wd, ko * rs, b, min, max,
                                yd, u * pq, g.p, g.q, scratch);
                    } else {
                        SimdDepthwise.scalarPlane(xd, xOff, g.h, g.w, g.ph, g.pw, g.sh, g.sw, g.r, g.s, wd, ko * rs, b,
                                min, max, yd, u * pq, g.p, g.q, scratch);
                    }
                }
            });
            return;
        }
        Parallel.forRange(g.n * g.k, g.grain((long) pq * g.cg * rs), (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int img = u / g.k, ko = u % g.k, yBase = u * pq;
                int xBase = (img * g.c + ko / g.kg * g.cg) * hw;
                Arrays.fill(yd, yBase, yBase + pq, bd == null ? 0f : bd[ko]);
                for (int pi = 0; pi < g.p; pi++) {
                    int yRow = yBase + pi * g.q;
                    for (int ci = 0; ci < g.cg; ci++) {
                        int wBase = (ko * g.cg + ci) * rs, xPlane = xBase + ci * hw;
                        for (int ri = 0; ri < g.r; ri++) {
                            int ih = g.inRow(pi, ri);
                            if (ih < 0) {
                                continue;
                            }
                            for (int sj = 0; sj < g.s; sj++) {
                                int lo = g.qLo(sj), hi = g.qHi(sj);
                                float wv = wd[wBase + ri * g.s + sj];
                                int xRow = xPlane + ih * g.w + lo * g.sw - g.pw + sj;
                                axpy(wv, xd, xRow, g.sw, yd, yRow + lo, 1, hi - lo, vectorApi);
                            }
                        }
                    }
                }
                CpuActivations.clamp(yd, min, max, yd, yBase, yBase + pq, vectorApi);
            }
        });
    }

    static void backwardData(Tensor dy, Tensor weight, Conv2dSpec spec, Tensor dx, boolean vectorApi) {
        Geom g = Geom.of(dx, weight, spec);
        float[] dyd = data(dy), wd = data(weight), dxd = data(dx);
        int hw = g.h * g.w, pq = g.p * g.q, rs = g.r * g.s;
        // At stride 1, dx is dy convolved with the flipped kernel, padded by (kernel - 1 - pad).
        int padH = g.r - 1 - g.ph, padW = g.s - 1 - g.pw;
        if (vectorApi && g.cg == 1 && g.kg == 1 && g.sh == 1 && g.sw == 1 && padH >= 0 && padW >= 0) {
            Parallel.forRange(g.n * g.c, g.grain((long) pq * rs), (u0, u1) -> {
                float[] scratch = new float[SimdDepthwise.scratchSize(g.p, g.q, padH, padW, 1)];
                float[] flipped = new float[rs];
                for (int u = u0; u < u1; u++) {
                    int cin = u % g.c;
                    for (int t = 0; t < rs; t++) {
                        flipped[t] = wd[cin * rs + rs - 1 - t];
                    }
                    if (VectorWarmUp.compiled()) {
                        SimdDepthwise.plane(dyd, u * pq, g.p, g.q, padH, padW, 1, 1, g.r, g.s, flipped, 0, 0f,
                                Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, dxd, u * hw, g.h, g.w, scratch);
                    } else {
                        SimdDepthwise.scalarPlane(dyd, u * pq, g.p, g.q, padH, padW, 1, 1, g.r, g.s, flipped, 0, 0f,
                                Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, dxd, u * hw, g.h, g.w, scratch);
                    }
                }
            });
            return;
        }
        Parallel.forRange(g.n * g.c, g.grain((long) pq * g.kg * rs), (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int img = u / g.c, cin = u % g.c, group = cin / g.cg, ci = cin % g.cg, xBase = u * hw;
                Arrays.fill(dxd, xBase, xBase + hw, 0f);
                for (int kj = 0; kj < g.kg; kj++) {
                    int ko = group * g.kg + kj, wBase = (ko * g.cg + ci) * rs, yBase = (img * g.k + ko) * pq;
                    for (int pi = 0; pi < g.p; pi++) {
                        int yRow = yBase + pi * g.q;
                        for (int ri = 0; ri < g.r; ri++) {
                            int ih = g.inRow(pi, ri);
                            if (ih < 0) {
                                continue;
                            }
                            for (int sj = 0; sj < g.s; sj++) {
                                int lo = g.qLo(sj), hi = g.qHi(sj);
                                float wv = wd[wBase + ri * g.s + sj];
                                int xRow = xBase + ih * g.w + lo * g.sw - g.pw + sj;
                                axpy(wv, dyd, yRow + lo, 1, dxd, xRow, g.sw, hi - lo, vectorApi);
                            }
                        }
                    }
                }
            }
        });
    }

    /** y[yOff + i * yStride] += a * x[xOff + i * xStride] for i < n; contiguous rows with the Vector API. */
    private static void axpy(float a, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int n,
                             boolean vectorApi) {
        if (xStride == 1 && yStride == 1 && vectorApi) {
            SimdElementwise.axpyRow(a, x, xOff, y, yOff, n);
            return;
        }
        for (int i = 0, xi = xOff, yi = yOff; i < n; i++, xi += xStride, yi += yStride) {
            y[yi] += a * x[xi];
        }
    }

    static void backwardWeight(Tensor dy, Tensor x, Conv2dSpec spec, Tensor dw, boolean vectorApi) {
        Geom g = Geom.of(x, dw, spec);
        float[] dyd = data(dy), xd = data(x), dwd = data(dw);
        int hw = g.h * g.w, pq = g.p * g.q, rs = g.r * g.s, taps = g.cg * rs;
        if (vectorApi && g.cg == 1 && g.r == 3 && g.s == 3 && g.sw <= 2) {
            Parallel.forRange(g.k, g.grain((long) g.n * pq * taps), (k0, k1) -> {
                double[] acc = new double[taps];
                float[] scratch = new float[SimdDepthwise.scratchSize(g.h, g.w, g.ph, g.pw, g.sw)];
                for (int ko = k0; ko < k1; ko++) {
                    Arrays.fill(acc, 0);
                    for (int img = 0; img < g.n; img++) {
                        SimdDepthwise.weightGradient3x3(xd, (img * g.c + ko / g.kg) * hw, g.h, g.w, g.ph, g.pw, g.sh,
                                g.sw, dyd, (img * g.k + ko) * pq, g.p, g.q, acc, scratch);
                    }
                    for (int t = 0; t < taps; t++) {
                        dwd[ko * taps + t] = (float) acc[t];
                    }
                }
            });
            return;
        }
        Parallel.forRange(g.k, g.grain((long) g.n * pq * taps), (k0, k1) -> {
            double[] acc = new double[taps]; // one output channel's taps, summed over the batch
            for (int ko = k0; ko < k1; ko++) {
                Arrays.fill(acc, 0);
                int group = ko / g.kg;
                for (int img = 0; img < g.n; img++) {
                    int yBase = (img * g.k + ko) * pq, xBase = (img * g.c + group * g.cg) * hw;
                    for (int pi = 0; pi < g.p; pi++) {
                        int yRow = yBase + pi * g.q;
                        for (int ci = 0; ci < g.cg; ci++) {
                            for (int ri = 0; ri < g.r; ri++) {
                                int ih = g.inRow(pi, ri);
                                if (ih < 0) {
                                    continue;
                                }
                                for (int sj = 0; sj < g.s; sj++) {
                                    int lo = g.qLo(sj), hi = g.qHi(sj);
                                    int xRow = xBase + ci * hw + ih * g.w + lo * g.sw - g.pw + sj;
                                    float sum = 0f;
                                    if (g.sw == 1 && vectorApi) {
                                        sum = SimdElementwise.dot(dyd, yRow + lo, xd, xRow, hi - lo);
                                    } else if (g.sw == 1) {
                                        for (int qi = lo, xi = xRow; qi < hi; qi++, xi++) {
                                            sum += dyd[yRow + qi] * xd[xi];
                                        }
                                    } else {
                                        for (int qi = lo, xi = xRow; qi < hi; qi++, xi += g.sw) {
                                            sum += dyd[yRow + qi] * xd[xi];
                                        }
                                    }
                                    acc[(ci * g.r + ri) * g.s + sj] += sum;
                                }
                            }
                        }
                    }
                }
                for (int t = 0; t < taps; t++) {
                    dwd[ko * taps + t] = (float) acc[t];
                }
            }
        });
    }
}
