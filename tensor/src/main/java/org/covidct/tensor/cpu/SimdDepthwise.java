package org.covidct.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One plane of a depthwise convolution, register-tiled with the Vector API. The input plane is
 * first copied into a zero-bordered buffer, so that every output takes every tap without a bounds
 * test, with each row split into its column phases (even and odd columns at stride 2, split a
 * vector pair at a time), so that the taps of consecutive outputs are consecutive floats; then each
 * vector of outputs sums its taps in registers, is clamped (the activation that follows, ReLU6 in
 * MobileNetV2) and is stored once (the tap-by-tap row updates load and store every output once per
 * tap). Sums run bias first, then kernel rows, then columns, one fused multiply-add per tap; a
 * padded tap adds an exact zero. Backward-data at stride 1 is the same plane with the kernel
 * flipped; the weight gradient of a 3x3 kernel reads the same bordered input. Used only when the
 * module is present.
 */
final class SimdDepthwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SimdDepthwise() {
    }

    /**
     * Floats of the padded-plane buffer that {@link #plane} and {@link #weightGradient3x3} need, and
     * a vector more, where plane's last outputs pass on their way out. Allocate it zeroed once per
     * geometry: they write only the plane's positions, never the borders.
     */
    static int scratchSize(int h, int w, int padH, int padW, int strideW) {
        return (h + 2 * padH) * strideW * phaseWidth(w, padW, strideW) + S.length();
    }

    /** Length of one column phase of a padded row, with a vector of slack for the last loads. */
    private static int phaseWidth(int w, int padW, int strideW) {
        return Math.ceilDiv(w + 2 * padW, strideW) + S.length();
    }

    /**
     * y[yOff + i * q + j] = min(max(bias + the sum over kernel rows ri and columns sj of
     * wt[wOff + ri * s + sj] * x[xOff + (i * strideH - padH + ri) * w + j * strideW - padW + sj], lo), hi),
     * taps outside the h x w plane counting as zero, for i < p and j < q. padH and padW must not be
     * negative; lo and hi are infinite where nothing is clamped.
     */
    static void plane(float[] x, int xOff, int h, int w, int padH, int padW, int strideH, int strideW, int r, int s,
                      float[] wt, int wOff, float bias, float lo, float hi, float[] y, int yOff, int p, int q,
                      float[] scratch) {
        int phase = pad(x, xOff, h, w, padH, padW, strideW, scratch, true), row = strideW * phase;
        if (r == 3 && s == 3) {
            plane3x3(scratch, phase, row, strideH, strideW, wt, wOff, bias, lo, hi, y, yOff, p, q);
            return;
        }
        int[] taps = new int[s]; // where column sj's tap lies from an output's first
        for (int sj = 0; sj < s; sj++) {
            taps[sj] = sj % strideW * phase + sj / strideW;
        }
        int end = yOff + p * q;
        for (int i = 0; i < p; i++) {
            int top = i * strideH * row, out = yOff + i * q;
            for (int j = 0; j < q; j += S.length()) {
                FloatVector acc = FloatVector.broadcast(S, bias);
                for (int ri = 0; ri < r; ri++) {
                    int at = top + ri * row + j, w0 = wOff + ri * s;
                    for (int sj = 0; sj < s; sj++) {
                        acc = FloatVector.fromArray(S, scratch, at + taps[sj])
                                .fma(FloatVector.broadcast(S, wt[w0 + sj]), acc);
                    }
                }
                store(acc.lanewise(VectorOperators.MAX, lo).lanewise(VectorOperators.MIN, hi), y, out + j, end,
                        scratch);
            }
        }
    }

    /**
     * {@link #plane} for 3x3 kernels, MobileNetV2's: the nine weights held in registers, the taps'
     * offsets fixed, so each vector of outputs is nine loads and nine fused multiply-adds in the
     * same order.
     */
    private static void plane3x3(float[] scratch, int phase, int row, int strideH, int strideW, float[] wt, int wOff,
                                 float bias, float lo, float hi, float[] y, int yOff, int p, int q) {
        int c1 = 1 % strideW * phase + 1 / strideW, c2 = 2 % strideW * phase + 2 / strideW; // column taps 1 and 2
        FloatVector w00 = FloatVector.broadcast(S, wt[wOff]), w01 = FloatVector.broadcast(S, wt[wOff + 1]);
        FloatVector w02 = FloatVector.broadcast(S, wt[wOff + 2]), w10 = FloatVector.broadcast(S, wt[wOff + 3]);
        FloatVector w11 = FloatVector.broadcast(S, wt[wOff + 4]), w12 = FloatVector.broadcast(S, wt[wOff + 5]);
        FloatVector w20 = FloatVector.broadcast(S, wt[wOff + 6]), w21 = FloatVector.broadcast(S, wt[wOff + 7]);
        FloatVector w22 = FloatVector.broadcast(S, wt[wOff + 8]), b = FloatVector.broadcast(S, bias);
        int end = yOff + p * q;
        for (int i = 0; i < p; i++) {
            int r0 = i * strideH * row, r1 = r0 + row, r2 = r1 + row, out = yOff + i * q;
            for (int j = 0; j < q; j += S.length()) {
                FloatVector acc = FloatVector.fromArray(S, scratch, r0 + j).fma(w00, b);
                acc = FloatVector.fromArray(S, scratch, r0 + j + c1).fma(w01, acc);
                acc = FloatVector.fromArray(S, scratch, r0 + j + c2).fma(w02, acc);
                acc = FloatVector.fromArray(S, scratch, r1 + j).fma(w10, acc);
                acc = FloatVector.fromArray(S, scratch, r1 + j + c1).fma(w11, acc);
                acc = FloatVector.fromArray(S, scratch, r1 + j + c2).fma(w12, acc);
                acc = FloatVector.fromArray(S, scratch, r2 + j).fma(w20, acc);
                acc = FloatVector.fromArray(S, scratch, r2 + j + c1).fma(w21, acc);
                acc = FloatVector.fromArray(S, scratch, r2 + j + c2).fma(w22, acc);
                store(acc.lanewise(VectorOperators.MAX, lo).lanewise(VectorOperators.MIN, hi), y, out + j, end,
                        scratch);
            }
        }
    }

    /**
     * v into y from at, up to the plane's end: a whole vector where the plane has room for it, its
     * lanes past the row landing on outputs that the rows after it write again; else through the
     * last vector of scratch. A masked store would cost more than the vector's nine taps.
     */
    private static void store(FloatVector v, float[] y, int at, int end, float[] scratch) {
        if (at + S.length() <= end) {
            v.intoArray(y, at);
        } else {
            int last = scratch.length - S.length();
            v.intoArray(scratch, last);
            System.arraycopy(scratch, last, y, at, end - at);
        }
    }

    /**
     * The scalar twin of {@link #plane}: the same bordered buffer, and each output the same sum in
     * the same order, so the same bits, without vectors that are objects until the JIT compiles
     * {@link #plane} ({@link VectorWarmUp}).
     */
    static void scalarPlane(float[] x, int xOff, int h, int w, int padH, int padW, int strideH, int strideW, int r,
                            int s, float[] wt, int wOff, float bias, float lo, float hi, float[] y, int yOff, int p,
                            int q, float[] scratch) {
        VectorWarmUp.twinWork(2L * p * q * r * s);
        int phase = pad(x, xOff, h, w, padH, padW, strideW, scratch, false), row = strideW * phase;
        for (int i = 0; i < p; i++) {
            int top = i * strideH * row, out = yOff + i * q;
            for (int j = 0; j < q; j++) {
                float acc = bias;
                for (int ri = 0; ri < r; ri++) {
                    int at = top + ri * row + j, w0 = wOff + ri * s;
                    for (int sj = 0; sj < s; sj++) {
                        acc = Math.fma(scratch[at + sj % strideW * phase + sj / strideW], wt[w0 + sj], acc);
                    }
                }
                y[out + j] = Math.min(Math.max(acc, lo), hi);
            }
        }
    }

    /**
     * Copies the h x w plane at x[xOff] into scratch, bordered by padH rows and padW columns, each
     * row split into strideW column phases (padded column c at phase c % strideW, index
     * c / strideW). Only the plane's own positions are written: the borders and the slack stay as
     * they are, zero in a fresh buffer, which therefore serves every plane of one geometry.
     * Returns the length of a phase. At stride 2 the phases are split by vectors where
     * {@code vectors} is set; the scalar twin's copy ({@code false}) puts every float in the same place.
     */
    private static int pad(float[] x, int xOff, int h, int w, int padH, int padW, int strideW, float[] scratch,
                           boolean vectors) {
        int phase = phaseWidth(w, padW, strideW), row = strideW * phase;
        for (int ih = 0; ih < h; ih++) {
            int dst = (ih + padH) * row, src = xOff + ih * w;
            if (strideW == 1) {
                System.arraycopy(x, src, scratch, dst + padW, w);
            } else if (strideW == 2) {
                splitEvenOdd(x, src, w, vectors, scratch, dst + padW % 2 * phase + padW / 2,
                        dst + (padW + 1) % 2 * phase + (padW + 1) / 2);
            } else {
                for (int p = 0; p < strideW; p++) { // columns iw with (iw + padW) % strideW == p
                    int iw = Math.floorMod(p - padW, strideW);
                    for (int k = dst + p * phase + (iw + padW) / strideW; iw < w; iw += strideW, k++) {
                        scratch[k] = x[src + iw];
                    }
                }
            }
        }
        return phase;
    }

    /** x[src + 2k] to scratch[evens + k] and x[src + 2k + 1] to scratch[odds + k], for 2k (+ 1) < w. */
    private static void splitEvenOdd(float[] x, int src, int w, boolean vectors, float[] scratch, int evens,
                                     int odds) {
        int k = 0, lanes = S.length();
        if (vectors && w >= 2 * lanes) {
            int last = w / 2 - lanes; // the last pair ends at the row's last even column, overlapping one before
            for (k = 0; ; k = Math.min(k + lanes, last)) {
                FloatVector lower = FloatVector.fromArray(S, x, src + 2 * k);
                FloatVector upper = FloatVector.fromArray(S, x, src + 2 * k + lanes);
                SimdLanes.evens(lower, upper).intoArray(scratch, evens + k);
                SimdLanes.odds(lower, upper).intoArray(scratch, odds + k);
                if (k == last) {
                    break;
                }
            }
            k = w / 2;
        }
        for (; 2 * k < w; k++) {
            scratch[evens + k] = x[src + 2 * k];
            if (2 * k + 1 < w) {
                scratch[odds + k] = x[src + 2 * k + 1];
            }
        }
    }

    /** Vectors of products a lane sums in float before weightGradient3x3 adds them into its double sums. */
    private static final int FLUSH_VECTORS = 64;

    /**
     * The weight gradient of one depthwise plane: adds to acc[ri * 3 + sj] the sum over i < p and
     * j < q of dy[dyOff + i * q + j] times the input tap that output (i, j) read at (ri, sj), with
     * the input zero-bordered as in {@link #plane}. For 3x3 kernels: the nine sums of a vector of
     * outputs stay in registers, loading each dy once; every row or run of rows of at least
     * FLUSH_VECTORS vectors is then reduced across lanes and added in double, so that a small plane
     * reduces its nine sums once, not once a row.
     */
    static void weightGradient3x3(float[] x, int xOff, int h, int w, int padH, int padW, int strideH, int strideW,
                                  float[] dy, int dyOff, int p, int q, double[] acc, float[] scratch) {
        int phase = pad(x, xOff, h, w, padH, padW, strideW, scratch, true), row = strideW * phase;
        int c1 = 1 % strideW * phase + 1 / strideW, c2 = 2 % strideW * phase + 2 / strideW; // column taps 1 and 2
        VectorMask<Float> tail = S.indexInRange(0, q % S.length());
        int perRow = Math.ceilDiv(q, S.length()), rowsPerFlush = Math.max(1, FLUSH_VECTORS / perRow);
        for (int i0 = 0; i0 < p; i0 += rowsPerFlush) {
            FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00, a20 = a00,
                    a21 = a00, a22 = a00;
            for (int i = i0; i < Math.min(p, i0 + rowsPerFlush); i++) {
                int r0 = i * strideH * row, r1 = r0 + row, r2 = r1 + row, out = dyOff + i * q;
                for (int j = 0; j < q; j += S.length()) {
                    FloatVector g = j + S.length() <= q ? FloatVector.fromArray(S, dy, out + j)
                            : FloatVector.fromArray(S, dy, out + j, tail);
                    a00 = FloatVector.fromArray(S, scratch, r0 + j).fma(g, a00);
                    a01 = FloatVector.fromArray(S, scratch, r0 + j + c1).fma(g, a01);
                    a02 = FloatVector.fromArray(S, scratch, r0 + j + c2).fma(g, a02);
                    a10 = FloatVector.fromArray(S, scratch, r1 + j).fma(g, a10);
                    a11 = FloatVector.fromArray(S, scratch, r1 + j + c1).fma(g, a11);
                    a12 = FloatVector.fromArray(S, scratch, r1 + j + c2).fma(g, a12);
                    a20 = FloatVector.fromArray(S, scratch, r2 + j).fma(g, a20);
                    a21 = FloatVector.fromArray(S, scratch, r2 + j + c1).fma(g, a21);
                    a22 = FloatVector.fromArray(S, scratch, r2 + j + c2).fma(g, a22);
                }
            }
            acc[0] += SimdLanes.sum(a00);
            acc[1] += SimdLanes.sum(a01);
            acc[2] += SimdLanes.sum(a02);
            acc[3] += SimdLanes.sum(a10);
            acc[4] += SimdLanes.sum(a11);
            acc[5] += SimdLanes.sum(a12);
            acc[6] += SimdLanes.sum(a20);
            acc[7] += SimdLanes.sum(a21);
            acc[8] += SimdLanes.sum(a22);
        }
    }
}
