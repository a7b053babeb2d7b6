package org.covidct.tensor.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * One plane of a depthwise convolution, register-tiled with the Vector API. The input plane is
 * first copied into a zero-bordered buffer, so that every output takes every tap without a bounds
 * test, with each row split into its column phases (even and odd columns at stride 2), so that
 * the taps of consecutive outputs are consecutive floats; then each vector of outputs sums its
 * taps in registers and is stored once (the tap-by-tap row updates load and store every output
 * once per tap). Sums run bias first, then kernel rows, then columns, with separate multiply and
 * add roundings, as the scalar loops do; a padded tap adds an exact zero. Backward-data at stride
 * 1 is the same plane with the kernel flipped. Used only when the module is present.
 */
final class SimdDepthwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SimdDepthwise() {
    }

    /** Floats of the padded-plane buffer that {@link #plane} needs. */
    static int scratchSize(int h, int w, int padH, int padW, int strideW) {
        return (h + 2 * padH) * strideW * phaseWidth(w, padW, strideW);
    }

    /** Length of one column phase of a padded row, with a vector of slack for the last loads. */
    private static int phaseWidth(int w, int padW, int strideW) {
        return Math.ceilDiv(w + 2 * padW, strideW) + S.length();
    }

    /**
     * y[yOff + i * q + j] = bias + the sum over kernel rows ri and columns sj of
     * wt[wOff + ri * s + sj] * x[xOff + (i * strideH - padH + ri) * w + j * strideW - padW + sj],
     * taps outside the h x w plane counting as zero, for i < p and j < q. padH and padW must not be
     * negative.
     */
    static void plane(float[] x, int xOff, int h, int w, int padH, int padW, int strideH, int strideW, int r, int s,
                      float[] wt, int wOff, float bias, float[] y, int yOff, int p, int q, float[] scratch) {
        int phase = phaseWidth(w, padW, strideW), row = strideW * phase;
        Arrays.fill(scratch, 0, scratchSize(h, w, padH, padW, strideW), 0f);
        for (int ih = 0; ih < h; ih++) {
            int dst = (ih + padH) * row, src = xOff + ih * w;
            if (strideW == 1) {
                System.arraycopy(x, src, scratch, dst + padW, w);
            } else {
                for (int iw = 0; iw < w; iw++) {
                    int c = iw + padW;
                    scratch[dst + c % strideW * phase + c / strideW] = x[src + iw];
                }
            }
        }
        VectorMask<Float> tail = S.indexInRange(0, q % S.length()); // the last, partial vector of a row
        for (int i = 0; i < p; i++) {
            int top = i * strideH * row, out = yOff + i * q;
            for (int j = 0; j < q; j += S.length()) {
                FloatVector acc = FloatVector.broadcast(S, bias);
                for (int ri = 0; ri < r; ri++) {
                    int at = top + ri * row + j, w0 = wOff + ri * s;
                    for (int sj = 0; sj < s; sj++) {
                        int tap = at + sj % strideW * phase + sj / strideW;
                        acc = acc.add(FloatVector.fromArray(S, scratch, tap).mul(wt[w0 + sj]));
                    }
                }
                if (j + S.length() <= q) {
                    acc.intoArray(y, out + j);
                } else {
                    acc.intoArray(y, out + j, tail);
                }
            }
        }
    }
}
