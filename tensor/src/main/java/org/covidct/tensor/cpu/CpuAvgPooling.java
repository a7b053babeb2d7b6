package org.covidct.tensor.cpu;

import static org.covidct.tensor.cpu.CpuBackend.data;

import org.covidct.tensor.Pool2dSpec;
import org.covidct.tensor.Tensor;

/**
 * Average pooling over [N, C, H, W] with PyTorch's defaults, one (n, c) plane per task: every window
 * divides by its kh * kw cells, padded ones counting as zeros (count_include_pad=True); with the
 * floor output size (ceil_mode=False) no window reaches past the padding.
 */
final class CpuAvgPooling {
    private CpuAvgPooling() {
    }

    static void forward(Tensor x, Pool2dSpec spec, Tensor y) {
        float[] in = data(x), out = data(y);
        int h = x.dim(2), w = x.dim(3), p = y.dim(2), q = y.dim(3);
        float cells = spec.kernelH() * spec.kernelW();
        Parallel.forRange(x.dim(0) * x.dim(1), 4, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int inBase = plane * h * w, outBase = plane * p * q;
                for (int i = 0; i < p; i++) {
                    int r0 = i * spec.strideH() - spec.padH();
                    int rLo = Math.max(r0, 0), rHi = Math.min(r0 + spec.kernelH(), h);
                    for (int j = 0; j < q; j++) {
                        int c0 = j * spec.strideW() - spec.padW();
                        int cLo = Math.max(c0, 0), cHi = Math.min(c0 + spec.kernelW(), w);
                        float s = 0f;
                        for (int r = rLo; r < rHi; r++) {
                            for (int c = cLo; c < cHi; c++) {
                                s += in[inBase + r * w + c];
                            }
                        }
                        out[outBase + i * q + j] = s / cells;
                    }
                }
            }
        });
    }

    /** Each dy / (kh * kw) added to the cells of its window inside the plane, windows in (i, j) order. */
    static void backward(Tensor dy, Pool2dSpec spec, Tensor dx) {
        float[] g = data(dy), out = data(dx);
        int h = dx.dim(2), w = dx.dim(3), p = dy.dim(2), q = dy.dim(3);
        float cells = spec.kernelH() * spec.kernelW();
        Parallel.forRange(dx.dim(0) * dx.dim(1), 4, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int inBase = plane * h * w, outBase = plane * p * q;
                java.util.Arrays.fill(out, inBase, inBase + h * w, 0f);
                for (int i = 0; i < p; i++) {
                    int r0 = i * spec.strideH() - spec.padH();
                    int rLo = Math.max(r0, 0), rHi = Math.min(r0 + spec.kernelH(), h);
                    for (int j = 0; j < q; j++) {
                        int c0 = j * spec.strideW() - spec.padW();
                        int cLo = Math.max(c0, 0), cHi = Math.min(c0 + spec.kernelW(), w);
                        float share = g[outBase + i * q + j] / cells;
                        for (int r = rLo; r < rHi; r++) {
                            for (int c = cLo; c < cHi; c++) {
                                out[inBase + r * w + c] += share;
                            }
                        }
                    }
                }
            }
        });
    }
}
