package org.covidct.tensor.cpu;

import static org.covidct.tensor.cpu.CpuBackend.data;

import java.util.Arrays;
import org.covidct.tensor.Tensor;

/** Zero padding of [N, C, H, W] planes and its adjoint, the crop; one (n, c) plane per task. */
final class CpuPadding {
    private CpuPadding() {
    }

    static void pad(Tensor x, int top, int left, Tensor y) {
        float[] in = data(x), out = data(y);
        int h = x.dim(2), w = x.dim(3), hp = y.dim(2), wp = y.dim(3);
        Parallel.forRange(x.dim(0) * x.dim(1), grain(hp * wp), (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int src = plane * h * w, dst = plane * hp * wp;
                Arrays.fill(out, dst, dst + hp * wp, 0f);
                for (int i = 0; i < h; i++) {
                    System.arraycopy(in, src + i * w, out, dst + (top + i) * wp + left, w);
                }
            }
        });
    }

    static void crop(Tensor dy, int top, int left, Tensor dx) {
        float[] in = data(dy), out = data(dx);
        int hp = dy.dim(2), wp = dy.dim(3), h = dx.dim(2), w = dx.dim(3);
        Parallel.forRange(dx.dim(0) * dx.dim(1), grain(hp * wp), (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int src = plane * hp * wp, dst = plane * h * w;
                for (int i = 0; i < h; i++) {
                    System.arraycopy(in, src + (top + i) * wp + left, out, dst + i * w, w);
                }
            }
        });
    }

    private static int grain(int planeSize) {
        return Math.max(1, (1 << 15) / Math.max(1, planeSize));
    }
}
