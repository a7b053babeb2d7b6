package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * The CPU convolution kernels against naive double-precision loops, each path reached through a
 * backend built with {@link CpuKernelPaths} that send the shape down it.
 */
class CpuConv2dTest {
    private static final CpuKernelPaths DEFAULT = CpuKernelPaths.DEFAULT;
    /** Every batch padded image by image. */
    private static final CpuKernelPaths IMAGE_BY_IMAGE = new CpuKernelPaths(DEFAULT.vectorApi(),
            DEFAULT.winogradMinChannels(), DEFAULT.winogradWeightTiles(), 0);
    /** Every 3x3 stride-1 convolution by Winograd, the weight gradient too. */
    static final CpuKernelPaths WINOGRAD_ALWAYS = new CpuKernelPaths(DEFAULT.vectorApi(), 1, 0,
            DEFAULT.wholeBatchLimit());

    @Property(tries = 120)
    void matchesNaiveConvolution(@ForAll @IntRange(min = 1, max = 3) int n,
                                 @ForAll @IntRange(min = 1, max = 4) int c,
                                 @ForAll @IntRange(min = 1, max = 4) int k,
                                 @ForAll @IntRange(min = 1, max = 9) int h,
                                 @ForAll @IntRange(min = 1, max = 9) int w,
                                 @ForAll @IntRange(min = 1, max = 3) int r,
                                 @ForAll @IntRange(min = 1, max = 3) int s,
                                 @ForAll @IntRange(min = 1, max = 2) int strideH,
                                 @ForAll @IntRange(min = 1, max = 2) int strideW,
                                 @ForAll @IntRange(min = 0, max = 2) int padH,
                                 @ForAll @IntRange(min = 0, max = 2) int padW,
                                 @ForAll boolean withBias,
                                 @ForAll long seed) {
        Assume.that(h + 2 * padH >= r && w + 2 * padW >= s);
        check(DEFAULT, n, c, k, h, w, r, s, new Conv2dSpec(strideH, strideW, padH, padW), withBias, seed);
    }

    /** 1x1, stride 1, no padding: the path that skips im2col. */
    @Property(tries = 20)
    void matchesNaivePointwiseConvolution(@ForAll @IntRange(min = 1, max = 3) int n,
                                          @ForAll @IntRange(min = 1, max = 6) int c,
                                          @ForAll @IntRange(min = 1, max = 6) int k,
                                          @ForAll @IntRange(min = 1, max = 9) int h,
                                          @ForAll @IntRange(min = 1, max = 9) int w,
                                          @ForAll boolean withBias,
                                          @ForAll long seed) {
        check(DEFAULT, n, c, k, h, w, 1, 1, Conv2dSpec.of(1, 0), withBias, seed);
    }

    /** Big enough for several gemm panels (C*R*S > Sgemm.KC) and for whole images per thread. */
    @Example
    void matchesNaiveConvolutionOnLargerShapes() {
        check(DEFAULT, 4, 20, 6, 13, 11, 3, 3, Conv2dSpec.of(2, 1), true, 1);
        check(DEFAULT, 1, 16, 70, 17, 17, 3, 3, Conv2dSpec.of(1, 1), false, 2);
        // More output channels than one block of A rows (Sgemm.MC): the weight gradient's A, packed
        // block by block, on the tiled path.
        check(DEFAULT, 1, 5, Sgemm.MC + 9, 13, 13, 3, 3, Conv2dSpec.of(2, 1), true, 24);
        // Too few columns to share out (7x7, one image): the threads split the output channels.
        check(DEFAULT, 1, 96, 230, 7, 7, 1, 1, Conv2dSpec.of(1, 0), true, 3);
    }

    /**
     * A clamped convolution has the bits of the convolution then the clamp, on outputs wider than
     * the blocks of columns it clamps while they are in cache (Sgemm.NC), through the whole-batch,
     * image-by-image and Winograd paths, pointwise and 3x3.
     */
    @Example
    void clampedConvolutionEqualsConvolutionThenClamp() {
        Random rnd = new Random(31);
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Tensor.of(random(rnd, 3 * 8 * 37 * 41), 3, 8, 37, 41);
            Tensor pointwise = Tensor.of(random(rnd, 20 * 8), 20, 8, 1, 1);
            Tensor spatial = Tensor.of(random(rnd, 12 * 8 * 9), 12, 8, 3, 3), bias = Tensor.of(random(rnd, 20), 20);
            for (CpuKernelPaths paths : new CpuKernelPaths[] {DEFAULT, IMAGE_BY_IMAGE, WINOGRAD_ALWAYS}) {
                CpuBackend be = new CpuBackend(paths);
                Tensor[][] cases = {{pointwise, bias}, {spatial, null}};
                for (Tensor[] wb : cases) {
                    Conv2dSpec spec = Conv2dSpec.of(1, wb[0].dim(2) / 2);
                    int k = wb[0].dim(0);
                    Tensor b = wb[1];
                    Tensor apart = Tensor.zeros(Device.CPU, 3, k, 37, 41), fused = Tensor.zeros(Device.CPU, 3, k, 37, 41);
                    be.conv2d(x, wb[0], b, spec, apart);
                    be.clamp(apart, -0.25f, 0.5f, apart);
                    be.conv2dClamped(x, wb[0], b, spec, -0.25f, 0.5f, fused);
                    assertArrayEquals(apart.toArray(), fused.toArray(), paths + " " + wb[0].shape());
                }
            }
            // One 7x7 image: the output channels are split between the threads, each clamping its own.
            Tensor small = Tensor.of(random(rnd, 96 * 7 * 7), 1, 96, 7, 7);
            Tensor wide = Tensor.of(random(rnd, 230 * 96), 230, 96, 1, 1);
            Tensor apart = Tensor.zeros(Device.CPU, 1, 230, 7, 7), fused = Tensor.zeros(Device.CPU, 1, 230, 7, 7);
            CpuBackend be = new CpuBackend(DEFAULT);
            be.conv2d(small, wide, null, Conv2dSpec.of(1, 0), apart);
            be.clamp(apart, -0.25f, 0.5f, apart);
            be.conv2dClamped(small, wide, null, Conv2dSpec.of(1, 0), -0.25f, 0.5f, fused);
            assertArrayEquals(apart.toArray(), fused.toArray(), "7x7 pointwise, channels split");
        }
    }

    /**
     * Frozen weights keep their packed form with their storage: the same bits as unfrozen weights,
     * on the first call and from the kept form, and a new bias is packed anew, not taken from the
     * form kept for the old one.
     */
    @Example
    void frozenWeightsGiveTheBitsOfUnfrozenOnes() {
        Random rnd = new Random(41);
        CpuBackend be = new CpuBackend(DEFAULT);
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Tensor.of(random(rnd, 2 * 8 * 9 * 9), 2, 8, 9, 9);
            for (int r : new int[] {1, 3}) {
                float[] w = random(rnd, 20 * 8 * r * r), b1 = random(rnd, 20), b2 = random(rnd, 20);
                Conv2dSpec spec = Conv2dSpec.of(1, r / 2);
                Tensor weight = Tensor.of(w, 20, 8, r, r), frozen = Tensor.of(w, 20, 8, r, r).freeze();
                Tensor frozenB1 = Tensor.of(b1, 20).freeze(), frozenB2 = Tensor.of(b2, 20).freeze();
                Tensor[][] biases = {{Tensor.of(b1, 20), frozenB1}, {Tensor.of(b1, 20), frozenB1},
                    {Tensor.of(b2, 20), frozenB2}, {null, null}};
                for (Tensor[] bias : biases) {
                    Tensor plain = Tensor.zeros(Device.CPU, 2, 20, 9, 9), kept = Tensor.zeros(Device.CPU, 2, 20, 9, 9);
                    be.conv2dClamped(x, weight, bias[0], spec, -0.5f, 0.5f, plain);
                    be.conv2dClamped(x, frozen, bias[1], spec, -0.5f, 0.5f, kept);
                    assertArrayEquals(plain.toArray(), kept.toArray(), r + "x" + r + (bias[0] == null ? ", no bias" : ""));
                    assertTrue(frozen.storage().derived() != null, "the packed weights are kept");
                }
            }
        }
    }

    /**
     * VGG's 3x3, pad-1 geometry at sizes that cross the gemm's micro-tile and k-block edges (K around
     * 12, C*9 around 256 and past it), and spatial sizes whose images do not fill whole column
     * panels, so tiles straddle two images. Both the whole-batch and the image-by-image path.
     */
    @Property(tries = 30)
    void matchesNaiveVggConvolution(@ForAll @IntRange(min = 1, max = 3) int n,
                                    @ForAll @IntRange(min = 1, max = 30) int c,
                                    @ForAll @IntRange(min = 1, max = 26) int k,
                                    @ForAll @IntRange(min = 1, max = 12) int hw,
                                    @ForAll boolean withBias,
                                    @ForAll boolean imageByImage,
                                    @ForAll long seed) {
        check(imageByImage ? IMAGE_BY_IMAGE : DEFAULT, n, c, k, hw, hw + 1, 3, 3, Conv2dSpec.of(1, 1), withBias, seed);
    }

    /**
     * Winograd F(2x2, 3x3) for every channel count: odd and even sizes (a last tile half outside),
     * every padding, chunks of tiles that start and end inside a tile row or an image.
     */
    @Property(tries = 60)
    void winogradMatchesNaiveConvolution(@ForAll @IntRange(min = 1, max = 3) int n,
                                         @ForAll @IntRange(min = 1, max = 20) int c,
                                         @ForAll @IntRange(min = 1, max = 30) int k,
                                         @ForAll @IntRange(min = 1, max = 23) int h,
                                         @ForAll @IntRange(min = 1, max = 23) int w,
                                         @ForAll @IntRange(min = 0, max = 2) int padH,
                                         @ForAll @IntRange(min = 0, max = 2) int padW,
                                         @ForAll boolean withBias,
                                         @ForAll long seed) {
        Assume.that(h + 2 * padH >= 3 && w + 2 * padW >= 3);
        check(WINOGRAD_ALWAYS, n, c, k, h, w, 3, 3, new Conv2dSpec(1, 1, padH, padW), withBias, seed);
    }

    /**
     * VGG's deep layers at reduced batch, with the default thresholds: Winograd forward and
     * backward-data from 64 channels, the weight gradient too from 128; many chunks of tiles.
     */
    @Example
    void winogradMatchesNaiveConvolutionOnVggDepths() {
        check(DEFAULT, 2, 64, 70, 14, 14, 3, 3, Conv2dSpec.of(1, 1), true, 21);
        check(DEFAULT, 1, 65, 64, 29, 28, 3, 3, Conv2dSpec.of(1, 1), false, 22);
        check(DEFAULT, 2, 128, 130, 23, 24, 3, 3, Conv2dSpec.of(1, 1), false, 23);
    }

    /** Image by image with an odd batch (images split in column ranges over the threads), and strided. */
    @Example
    void matchesNaiveConvolutionImageByImage() {
        check(IMAGE_BY_IMAGE, 3, 20, 14, 19, 21, 3, 3, Conv2dSpec.of(1, 1), true, 3);
        check(IMAGE_BY_IMAGE, 3, 29, 13, 16, 16, 3, 3, Conv2dSpec.of(1, 1), false, 4);
        check(IMAGE_BY_IMAGE, 2, 9, 7, 13, 12, 3, 3, Conv2dSpec.of(2, 1), true, 5);
        check(IMAGE_BY_IMAGE, 1, 8, 5, 9, 9, 1, 1, Conv2dSpec.of(1, 0), true, 6);
    }

    /**
     * Image lines wider than a micro-panel, so micro-panels of the im2col matrix are read in
     * place (few output channels) or copied whole, next to ones that wrap a line.
     */
    @Example
    void matchesNaiveConvolutionOnWideImages() {
        check(DEFAULT, 2, 3, 5, 4, 70, 3, 3, Conv2dSpec.of(1, 1), false, 11);
        check(DEFAULT, 2, 5, 3, 3, 67, 3, 3, Conv2dSpec.of(1, 1), true, 12);
        check(DEFAULT, 1, 4, 13, 3, 99, 3, 3, Conv2dSpec.of(1, 1), true, 13);
        check(DEFAULT, 1, 30, 8, 2, 64, 3, 3, Conv2dSpec.of(1, 1), false, 14);
    }

    /** The convolution and both gradients on a backend with {@code paths}, against the naive loops. */
    private static void check(CpuKernelPaths paths, int n, int c, int k, int h, int w, int r, int s, Conv2dSpec spec,
                              boolean withBias, long seed) {
        Random rnd = new Random(seed);
        int p = spec.outH(h, r), q = spec.outW(w, s);
        float[] x = random(rnd, n * c * h * w), wt = random(rnd, k * c * r * s);
        float[] bias = withBias ? random(rnd, k) : null, dy = random(rnd, n * k * p * q);

        double[] y = new double[n * k * p * q], dx = new double[n * c * h * w], dw = new double[k * c * r * s];
        for (int ni = 0; ni < n; ni++) {
            for (int ki = 0; ki < k; ki++) {
                for (int pi = 0; pi < p; pi++) {
                    for (int qi = 0; qi < q; qi++) {
                        int yi = ((ni * k + ki) * p + pi) * q + qi;
                        double acc = bias == null ? 0 : bias[ki];
                        for (int ci = 0; ci < c; ci++) {
                            for (int ri = 0; ri < r; ri++) {
                                for (int si = 0; si < s; si++) {
                                    int hi = pi * spec.strideH() - spec.padH() + ri;
                                    int wi = qi * spec.strideW() - spec.padW() + si;
                                    if (hi < 0 || hi >= h || wi < 0 || wi >= w) {
                                        continue;
                                    }
                                    int xi = ((ni * c + ci) * h + hi) * w + wi;
                                    int wj = ((ki * c + ci) * r + ri) * s + si;
                                    acc += (double) x[xi] * wt[wj];
                                    dx[xi] += (double) dy[yi] * wt[wj];
                                    dw[wj] += (double) dy[yi] * x[xi];
                                }
                            }
                        }
                        y[yi] = acc;
                    }
                }
            }
        }

        try (TensorScope scope = TensorScope.open()) {
            Tensor xt = Tensor.of(x, n, c, h, w), wtt = Tensor.of(wt, k, c, r, s), dyt = Tensor.of(dy, n, k, p, q);
            Tensor bt = bias == null ? null : Tensor.of(bias, k);
            String what = "N=" + n + " C=" + c + " K=" + k + " H=" + h + " W=" + w + " R=" + r + " S=" + s + " "
                    + spec + " bias=" + withBias + " " + paths;
            CpuBackend backend = new CpuBackend(paths);
            Tensor yt = Tensor.zeros(Device.CPU, n, k, p, q);
            backend.conv2d(xt, wtt, bt, spec, yt);
            assertClose(y, yt.toArray(), "forward " + what);
            Tensor dxt = Tensor.zeros(Device.CPU, n, c, h, w);
            backend.conv2dBackwardData(dyt, wtt, spec, dxt);
            assertClose(dx, dxt.toArray(), "backwardData " + what);
            Tensor dwt = Tensor.zeros(Device.CPU, k, c, r, s);
            backend.conv2dBackwardWeight(dyt, xt, spec, dwt);
            assertClose(dw, dwt.toArray(), "backwardWeight " + what);
        }
    }

    /** Normwise: max |actual - expected| <= 1e-5 * max |expected|. */
    private static void assertClose(double[] expected, float[] actual, String what) {
        assertTrue(expected.length == actual.length, what + ": length " + actual.length);
        double err = 0, max = 0;
        for (int i = 0; i < expected.length; i++) {
            err = Math.max(err, Math.abs(actual[i] - expected[i]));
            max = Math.max(max, Math.abs(expected[i]));
        }
        double rel = err / Math.max(max, 1e-30);
        assertTrue(rel <= 1e-5, what + ": relative error " + rel);
    }

    private static float[] random(Random rnd, int size) {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = rnd.nextFloat() * 2f - 1f;
        }
        return out;
    }
}
