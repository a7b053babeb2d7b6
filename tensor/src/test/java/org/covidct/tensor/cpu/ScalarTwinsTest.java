package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.covidct.tensor.Device;
import org.covidct.tensor.Pool2dSpec;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/**
 * Each scalar twin against its vector kernel, bit for bit: a training run resumed in a fresh JVM
 * runs the twins where the run it continues ran the vector kernels, and must still repeat it
 * exactly. The inputs span many magnitudes, so any change in the order of the roundings shows.
 */
class ScalarTwinsTest {
    private static final int VL = SimdGemm.VL, NR = SimdGemm.NR;

    @BeforeProperty
    void needsTheVectorApi() {
        assumeTrue(CpuKernelPaths.VECTOR_API_PRESENT, "the Vector API module is not present");
    }

    /** Values from 1e-3 to 1e3 of either sign, so sums of them round differently in another order. */
    private static float[] values(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
        }
        return x;
    }

    private static float beta(int kind, Random rnd) {
        return switch (kind) {
            case 0 -> 0f;
            case 1 -> 1f;
            default -> (float) rnd.nextGaussian();
        };
    }

    @Property(tries = 200)
    void packedKernelsMatch(@ForAll @IntRange(min = 0, max = 3) int heightIndex,
                            @ForAll @IntRange(min = 1, max = 40) int kc,
                            @ForAll @IntRange(min = 0, max = 2) int betaKind,
                            @ForAll long seed) {
        int h = new int[] {12, 8, 6, 4}[heightIndex];
        assumeTrue(h != 12 || SimdGemm.MR == 12, "the 12-row kernel needs AVX-512");
        Random rnd = new Random(seed);
        int ao = rnd.nextInt(5), bo = rnd.nextInt(5), io = rnd.nextInt(5), oo = rnd.nextInt(5);
        int ldi = NR + rnd.nextInt(3), ldo = NR + rnd.nextInt(3);
        float[] a = values(rnd, ao + h * kc), b = values(rnd, bo + NR * kc), in = values(rnd, io + h * ldi);
        float beta = beta(betaKind, rnd);
        float[] vector = values(rnd, oo + h * ldo), scalar = vector.clone();
        switch (h) {
            case 12 -> SimdGemm.kernel12(a, ao, b, bo, kc, vector, oo, ldo, beta, in, io, ldi, bo);
            case 8 -> SimdGemm.kernel8(a, ao, b, bo, kc, vector, oo, ldo, beta, in, io, ldi);
            case 6 -> SimdGemm.kernel6(a, ao, b, bo, kc, vector, oo, ldo, beta, in, io, ldi);
            default -> SimdGemm.kernel4(a, ao, b, bo, kc, vector, oo, ldo, beta, in, io, ldi);
        }
        ScalarGemm.kernel(h, NR, a, ao, b, bo, kc, scalar, oo, ldo, beta, in, io, ldi, new float[12 * NR]);
        assertArrayEquals(vector, scalar, h + "-row kernel, kc " + kc + ", beta " + beta);
    }

    @Property(tries = 150)
    void inPlaceKernelsMatch(@ForAll @IntRange(min = 0, max = 2) int heightIndex,
                             @ForAll @IntRange(min = 1, max = 40) int kc,
                             @ForAll @IntRange(min = 0, max = 2) int betaKind,
                             @ForAll long seed) {
        int h = new int[] {8, 6, 4}[heightIndex];
        Random rnd = new Random(seed);
        int rowsOfB = kc + 3, ld = NR + rnd.nextInt(9), add = rnd.nextInt(4), co = rnd.nextInt(5);
        int ldc = NR + rnd.nextInt(3);
        float[] a = values(rnd, h * kc), b = values(rnd, rowsOfB * ld + add);
        int[] rows = new int[kc];
        for (int p = 0; p < kc; p++) {
            rows[p] = rnd.nextInt(rowsOfB) * ld;
        }
        float beta = beta(betaKind, rnd);
        float[] vector = values(rnd, co + h * ldc), scalar = vector.clone();
        switch (h) {
            case 8 -> SimdGemm.kernel8i(a, 0, b, rows, add, kc, vector, co, ldc, beta);
            case 6 -> SimdGemm.kernel6i(a, 0, b, rows, add, kc, vector, co, ldc, beta);
            default -> SimdGemm.kernel4i(a, 0, b, rows, add, kc, vector, co, ldc, beta);
        }
        ScalarGemm.kernelInPlace(h, NR, a, 0, b, rows, add, kc, scalar, co, ldc, beta, new float[12 * NR]);
        assertArrayEquals(vector, scalar, h + "-row in-place kernel, kc " + kc + ", beta " + beta);
    }

    @Property(tries = 150)
    void dotsMatch(@ForAll @IntRange(min = 1, max = 150) int k, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] a = values(rnd, SimdGemm.DOT_ROWS * (k + 2)), b = values(rnd, 2 * k + 3);
        int[] rows = new int[SimdGemm.DOT_ROWS];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i * (k + 2) + rnd.nextInt(3);
        }
        int b1 = k + rnd.nextInt(4);
        float[] vector = new float[2 * SimdGemm.DOT_ROWS], scalar = new float[vector.length];
        SimdGemm.dots(a, rows, b, 0, b1, k, vector);
        ScalarGemm.dots(VL, a, rows, b, 0, b1, k, scalar, new float[VL]);
        assertArrayEquals(vector, scalar, "dots, k " + k);
    }

    @Property(tries = 60)
    void packingAndMergingMatch(@ForAll @IntRange(min = 0, max = 2) int betaKind, @ForAll boolean last,
                                @ForAll long seed) {
        Random rnd = new Random(seed);
        float alpha = (float) rnd.nextGaussian(), beta = beta(betaKind, rnd);
        float[] src = values(rnd, 12 * 40);
        int[] idx = new int[VL];
        for (int j = 0; j < VL; j++) {
            idx[j] = rnd.nextInt(src.length - 8);
        }
        float[] vector = new float[VL], scalar = new float[VL];
        SimdGemm.gatherVector(src, 3, idx, alpha, vector, 0);
        ScalarGemm.gatherVector(VL, src, 3, idx, alpha, scalar, 0);
        assertArrayEquals(vector, scalar, "gatherVector");
        SimdGemm.copyVector(src, 5, alpha, vector, 0);
        ScalarGemm.copyVector(VL, src, 5, alpha, scalar, 0);
        assertArrayEquals(vector, scalar, "copyVector");

        float[] tile = values(rnd, NR + 2), c = values(rnd, NR + 3), cScalar = c.clone();
        SimdGemm.mergeRow(tile, 2, beta, c, 1);
        ScalarGemm.mergeRow(NR, tile, 2, beta, cScalar, 1);
        assertArrayEquals(c, cScalar, "mergeRow, beta " + beta);

        if (VL == 16) {
            int ld = 16 + rnd.nextInt(20);
            float[] a = values(rnd, 12 * ld + 1), packed = new float[192 + VL], packedScalar = new float[192 + VL];
            SimdGemm.transposeSteps12(a, 1, ld, alpha, packed, 0, last);
            ScalarGemm.transposeSteps12(a, 1, ld, alpha, packedScalar, 0);
            assertArrayEquals(Arrays.copyOf(packed, 192), Arrays.copyOf(packedScalar, 192), "transposeSteps12");
        }
    }

    @Property(tries = 150)
    void depthwisePlanesMatch(@ForAll @IntRange(min = 1, max = 40) int h, @ForAll @IntRange(min = 1, max = 40) int w,
                              @ForAll @IntRange(min = 0, max = 2) int kernelIndex,
                              @ForAll @IntRange(min = 1, max = 2) int stride,
                              @ForAll @IntRange(min = 0, max = 2) int pad, @ForAll boolean clamped,
                              @ForAll long seed) {
        int r = new int[] {1, 3, 5}[kernelIndex], s = r;
        int p = (h + 2 * pad - r) / stride + 1, q = (w + 2 * pad - s) / stride + 1;
        assumeTrue(h + 2 * pad >= r && w + 2 * pad >= s && pad < r, "the kernel fits the padded plane");
        Random rnd = new Random(seed);
        float[] x = values(rnd, h * w + 2), wt = values(rnd, r * s + 1);
        float bias = (float) rnd.nextGaussian();
        float lo = clamped ? -0.5f : Float.NEGATIVE_INFINITY, hi = clamped ? 0.5f : Float.POSITIVE_INFINITY;
        float[] vector = new float[p * q + 1], scalar = new float[p * q + 1];
        SimdDepthwise.plane(x, 2, h, w, pad, pad, stride, stride, r, s, wt, 1, bias, lo, hi, vector, 1, p, q,
                new float[SimdDepthwise.scratchSize(h, w, pad, pad, stride)]);
        SimdDepthwise.scalarPlane(x, 2, h, w, pad, pad, stride, stride, r, s, wt, 1, bias, lo, hi, scalar, 1, p, q,
                new float[SimdDepthwise.scratchSize(h, w, pad, pad, stride)]);
        assertArrayEquals(vector, scalar, h + "x" + w + " plane, " + r + "x" + s + " kernel, stride " + stride
                + ", pad " + pad + (clamped ? ", clamped" : ""));
    }

    /**
     * 2x2 stride-2 max pooling by vectors against the scalar loop, on planes of ties, signed zeros
     * and NaNs (whose first one wins), and of odd and even sides.
     */
    @Property(tries = 100)
    void maxPoolMatches(@ForAll @IntRange(min = 1, max = 3) int planes, @ForAll @IntRange(min = 2, max = 70) int h,
                        @ForAll @IntRange(min = 2, max = 90) int w, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] specials = {-1f, -0f, 0f, 1f, 2f, Float.NaN, Float.intBitsToFloat(0x7fc00001)};
        float[] x = new float[planes * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextBoolean() ? specials[rnd.nextInt(specials.length)] : (float) rnd.nextGaussian();
        }
        Pool2dSpec spec = Pool2dSpec.of(2, 2);
        try (TensorScope scope = TensorScope.open()) {
            Tensor in = Tensor.of(x, 1, planes, h, w);
            Tensor vector = Tensor.zeros(Device.CPU, 1, planes, spec.outH(h), spec.outW(w));
            Tensor scalar = Tensor.zeros(Device.CPU, 1, planes, spec.outH(h), spec.outW(w));
            CpuPooling.maxPool(in, spec, vector, true);
            CpuPooling.maxPool(in, spec, scalar, false);
            assertArrayEquals(bits(scalar.toArray()), bits(vector.toArray()), planes + "x" + h + "x" + w);
        }
    }

    /** Each float's bits, so that NaN payloads and signed zeros count. */
    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    /** Winograd's three transforms, each run as vectors and as its scalar twin on the same inputs. */
    @Property(tries = 60)
    void winogradTransformsMatch(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 5) int c,
                                 @ForAll @IntRange(min = 1, max = 14) int k,
                                 @ForAll @IntRange(min = 1, max = 23) int h, @ForAll @IntRange(min = 1, max = 40) int w,
                                 @ForAll @IntRange(min = 0, max = 1) int pad, @ForAll boolean flipped,
                                 @ForAll long seed) {
        assumeTrue(h + 2 * pad >= 3 && w + 2 * pad >= 3, "the kernel fits the padded image");
        Random rnd = new Random(seed);
        CpuWinograd.Filters filters = new CpuWinograd.Filters(values(rnd, k * c * 9), c, k, flipped);
        float[][] vectorU = copies(CpuWinograd.transformFilters(filters, k, c, true));
        float[][] scalarU = copies(CpuWinograd.transformFilters(filters, k, c, false));
        for (int xi = 0; xi < 16; xi++) {
            assertArrayEquals(vectorU[xi], scalarU[xi], "filter transform " + xi);
        }

        CpuWinograd.Geometry g = CpuWinograd.Geometry.of(n, c, h, w, pad, pad, k);
        float[] x = values(rnd, n * c * h * w), bias = values(rnd, k), m = values(rnd, 16 * k * g.tc() + VL);
        int t0 = rnd.nextInt(g.tiles()), t1 = t0 + 1 + rnd.nextInt(Math.min(g.tc(), g.tiles() - t0));
        CpuWinograd.Scratch vector = scratch(g, c, m), scalar = scratch(g, c, m);
        CpuWinograd.transformInput(x, g, t0, t1, vector, true);
        CpuWinograd.transformInput(x, g, t0, t1, scalar, false);
        assertArrayEquals(vector.v, scalar.v, "input transform of tiles " + t0 + " to " + t1);

        float[] vectorY = new float[n * k * g.p() * g.q()], scalarY = vectorY.clone();
        CpuWinograd.transformOutput(g, bias, vectorY, t0, t1, vector, true);
        CpuWinograd.transformOutput(g, bias, scalarY, t0, t1, scalar, false);
        assertArrayEquals(vectorY, scalarY, "output transform of tiles " + t0 + " to " + t1);
    }

    private static float[][] copies(float[][] arrays) {
        return Arrays.stream(arrays).map(float[]::clone).toArray(float[][]::new);
    }

    private static CpuWinograd.Scratch scratch(CpuWinograd.Geometry g, int c, float[] m) {
        CpuWinograd.Scratch sc = new CpuWinograd.Scratch();
        sc.v = new float[16 * c * g.tc() + VL];
        sc.m = m.clone();
        return sc;
    }

    /** The drills stay inside their arrays, and each ends compiled, before the warm-up's patience runs out. */
    @Test
    void drillsRunAndTheWarmUpFinishes() throws InterruptedException {
        assumeTrue(CpuKernelPaths.VECTOR_API_PRESENT, "the Vector API module is not present");
        VectorKernelDrills.all().forEach(Runnable::run);
        VectorWarmUp.twinWork(VectorWarmUp.TWIN_WORK_BEFORE_DRILLS); // as much as starts the drills
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!VectorWarmUp.compiled() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(VectorWarmUp.compiled(), "the vector kernels' warm-up did not finish within two minutes");
        assertTrue(VectorWarmUp.allDrillsCompiled(), "a drill never reached its compiled allocation");
    }
}
