package org.covidct.tensor.cpu;

import static org.covidct.tensor.cpu.CpuBackend.data;

import org.covidct.tensor.Pool2dSpec;
import org.covidct.tensor.Tensor;

/** Max pooling and adaptive average pooling over [N, C, H, W], one (n, c) plane per task. */
final class CpuPooling {
    private CpuPooling() {
    }

    /**
     * y = the first maximum of each window (a NaN beating a number). With {@code vectors}, VGG's
     * 2x2 windows at stride 2 go a vector of outputs at a time ({@link SimdPooling}), to the same bits.
     */
    static void maxPool(Tensor x, Pool2dSpec spec, Tensor y, boolean vectors) {
        float[] in = data(x), out = data(y);
        int h = x.dim(2), w = x.dim(3), p = y.dim(2), q = y.dim(3);
        boolean unrolled = unrolled(spec), byVectors = vectors && unrolled && spec.strideH() == 2
                && spec.strideW() == 2;
        Parallel.forRange(x.dim(0) * x.dim(1), 4, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int inBase = plane * h * w, outBase = plane * p * q;
                for (int i = 0; i < p; i++) {
                    int j0 = byVectors ? SimdPooling.row2x2(in, inBase + 2 * i * w, w, out, outBase + i * q, q) : 0;
                    for (int j = j0; j < q; j++) {
                        out[outBase + i * q + j] = in[argmaxInWindow(in, inBase, h, w, spec, unrolled, i, j)];
                    }
                }
            }
        });
    }

    static void maxPoolBackward(Tensor x, Tensor dy, Pool2dSpec spec, Tensor dx) {
        float[] in = data(x), g = data(dy), out = data(dx);
        int h = x.dim(2), w = x.dim(3), p = dy.dim(2), q = dy.dim(3);
        boolean unrolled = unrolled(spec);
        Parallel.forRange(x.dim(0) * x.dim(1), 4, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int inBase = plane * h * w, outBase = plane * p * q;
                java.util.Arrays.fill(out, inBase, inBase + h * w, 0f);
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < q; j++) {
                        out[argmaxInWindow(in, inBase, h, w, spec, unrolled, i, j)] += g[outBase + i * q + j];
                    }
                }
            }
        });
    }

    /** VGG's window, 2x2 without padding, whose search is unrolled: the same order and test. */
    private static boolean unrolled(Pool2dSpec spec) {
        return spec.kernelH() == 2 && spec.kernelW() == 2 && spec.padH() == 0 && spec.padW() == 0;
    }

    /**
     * Index in {@code in} of the first maximum among the window's cells inside the plane (padded
     * cells never win, as PyTorch's -infinity padding); a NaN wins, as in PyTorch.
     */
    private static int argmaxInWindow(float[] in, int base, int h, int w, Pool2dSpec spec, boolean unrolled, int i,
                                      int j) {
        int r0 = i * spec.strideH() - spec.padH(), c0 = j * spec.strideW() - spec.padW();
        if (unrolled) {
            int best = base + r0 * w + c0;
            return firstMax(in, firstMax(in, firstMax(in, best, best + 1), best + w), best + w + 1);
        }
        int rLo = Math.max(r0, 0), rHi = Math.min(r0 + spec.kernelH(), h);
        int cLo = Math.max(c0, 0), cHi = Math.min(c0 + spec.kernelW(), w);
        int best = base + rLo * w + cLo;
        float max = in[best];
        for (int r = rLo; r < rHi; r++) {
            int row = base + r * w;
            for (int c = cLo; c < cHi; c++) {
                float v = in[row + c];
                if (v > max || Float.isNaN(v) && !Float.isNaN(max)) {
                    max = v;
                    best = row + c;
                }
            }
        }
        return best;
    }

    /** {@code candidate} if it beats the maximum so far at {@code best} (greater, or a NaN over a number), else best. */
    private static int firstMax(float[] in, int best, int candidate) {
        float v = in[candidate], max = in[best];
        return v > max || Float.isNaN(v) && !Float.isNaN(max) ? candidate : best;
    }

    static void adaptiveAvgPool(Tensor x, Tensor y) {
        float[] in = data(x), out = data(y);
        int h = x.dim(2), w = x.dim(3), p = y.dim(2), q = y.dim(3);
        Parallel.forRange(x.dim(0) * x.dim(1), 4, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int inBase = plane * h * w, outBase = plane * p * q;
                for (int i = 0; i < p; i++) {
                    int r0 = binStart(i, h, p), r1 = binEnd(i, h, p);
                    for (int j = 0; j < q; j++) {
                        int c0 = binStart(j, w, q), c1 = binEnd(j, w, q);
                        float s = 0;
                        for (int r = r0; r < r1; r++) {
                            for (int c = c0; c < c1; c++) {
                                s += in[inBase + r * w + c];
                            }
                        }
                        out[outBase + i * q + j] = s / ((r1 - r0) * (c1 - c0));
                    }
                }
            }
        });
    }

    static void adaptiveAvgPoolBackward(Tensor dy, Tensor dx) {
        float[] g = data(dy), out = data(dx);
        int h = dx.dim(2), w = dx.dim(3), p = dy.dim(2), q = dy.dim(3);
        Parallel.forRange(dx.dim(0) * dx.dim(1), 4, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int inBase = plane * h * w, outBase = plane * p * q;
                java.util.Arrays.fill(out, inBase, inBase + h * w, 0f);
                for (int i = 0; i < p; i++) {
                    int r0 = binStart(i, h, p), r1 = binEnd(i, h, p);
                    for (int j = 0; j < q; j++) {
                        int c0 = binStart(j, w, q), c1 = binEnd(j, w, q);
                        float share = g[outBase + i * q + j] / ((r1 - r0) * (c1 - c0));
                        for (int r = r0; r < r1; r++) {
                            for (int c = c0; c < c1; c++) {
                                out[inBase + r * w + c] += share;
                            }
                        }
                    }
                }
            }
        });
    }

    /** floor(i * in / out): PyTorch's first input index of output bin i. */
    private static int binStart(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    /** ceil((i + 1) * in / out): one past PyTorch's last input index of output bin i. */
    private static int binEnd(int i, int in, int out) {
        return (int) (((long) (i + 1) * in + out - 1) / out);
    }
}
