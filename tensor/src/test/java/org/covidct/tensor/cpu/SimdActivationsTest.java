package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.function.BiConsumer;
import org.covidct.tensor.Device;
import org.covidct.tensor.GeluApproximation;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Vector API activations against the scalar loops, each run on its own backend (the default
 * one and one built with {@code vectorApi} off), on lengths that leave every tail length and on
 * special values: the same formulas, whose exp, tanh and log may differ by an ulp. Until the JIT
 * compiles them, the lanewise functions call Math's lane by lane and agree to the bit, so each op
 * first runs long enough to be compiled to the vector library's code (measured on 4 million inputs
 * in [-100, 100]: sigmoid at most 4 ulps apart, tanh, exp and log 1, GELU 1e-7 x (1 + |x|)).
 */
class SimdActivationsTest {
    /**
     * At most this many ulps of the scalar result apart: the vector exp, tanh or log may be an ulp
     * off Math's, and sigmoid's 1 + exp and division round that twice more.
     */
    private static final int ULPS = 4;
    /**
     * GELU and its derivative combine several rounded terms, some of which cancel (1 + erf for
     * negative x): at most this far apart, times (1 + |x|).
     */
    private static final double GELU_BOUND = 0x1p-22;
    /** Enough passes over enough elements for the JIT's OSR and full compilations of the vector loops. */
    private static final int WARM_UP_PASSES = 60, WARM_UP_LENGTH = 1 << 16;

    private final CpuBackend vector = CpuBackend.instance();
    private final CpuBackend scalar = new CpuBackend(new CpuKernelPaths(false, CpuKernelPaths.DEFAULT.winogradMinChannels(),
            CpuKernelPaths.DEFAULT.winogradWeightTiles(), CpuKernelPaths.DEFAULT.wholeBatchLimit()));

    @BeforeEach
    void needsTheVectorApi() {
        assumeTrue(CpuKernelPaths.VECTOR_API_PRESENT, "the Vector API module is not present");
    }

    /** Random values in (-range, range), the special values first: signed zeros, infinities, NaN, overflow. */
    private static float[] inputs(Random rnd, int n, float range) {
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 88.8f, -88.8f,
            104f, -104f, Float.MIN_VALUE, 1e-30f, -1e-30f, 9f, -9f, 20f, -20f};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i < special.length ? special[i] : (rnd.nextFloat() * 2 - 1) * range;
        }
        return x;
    }

    @Test
    void sigmoidTanhExpAndLogAreWithinFourUlpsOfTheScalarLoops() {
        Random rnd = new Random(11);
        for (int n : lengths()) {
            float[] x = inputs(rnd, n * 37, 30);
            compareUlps("sigmoid", x, (b, t) -> b.sigmoid(t[0], t[1]));
            compareUlps("tanh", x, (b, t) -> b.tanh(t[0], t[1]));
            compareUlps("exp", x, (b, t) -> b.exp(t[0], t[1]));
            float[] positive = x.clone();
            for (int i = 0; i < positive.length; i++) {
                positive[i] = Math.abs(positive[i]) * 3;
            }
            compareUlps("log", positive, (b, t) -> b.log(t[0], t[1]));
        }
    }

    @Test
    void geluAndItsGradientAreWithinTheBoundOfTheScalarLoops() {
        Random rnd = new Random(12);
        for (int n : lengths()) {
            float[] x = inputs(rnd, n * 37, 12);
            float[] dy = inputs(rnd, x.length, 1);
            Arrays.fill(dy, 0, Math.min(dy.length, 16), 1f);
            for (GeluApproximation form : GeluApproximation.values()) {
                compareBounded("gelu " + form, x, (b, t) -> b.gelu(t[0], form, t[1]));
                try (TensorScope scope = TensorScope.open()) {
                    Tensor dyt = Tensor.of(dy, dy.length);
                    compareBounded("gelu_backward " + form, x, (b, t) -> b.geluBackward(t[0], dyt, form, t[1]));
                }
            }
        }
    }

    /** The warm-up's length first, then every length up to 70 vectors of 16 lanes, times 37 (odd tails). */
    private static int[] lengths() {
        int[] n = new int[71];
        n[0] = WARM_UP_LENGTH / 37;
        for (int i = 1; i < n.length; i++) {
            n[i] = i;
        }
        return n;
    }

    /** Runs {@code op(backend, {x, out})} on both backends, the vector one warmed up first. */
    private float[][] both(float[] x, BiConsumer<CpuBackend, Tensor[]> op) {
        float[][] results = new float[2][];
        try (TensorScope scope = TensorScope.open()) {
            if (x.length >= WARM_UP_LENGTH / 2) {
                Tensor in = Tensor.of(x, x.length), out = Tensor.zeros(Device.CPU, x.length);
                for (int pass = 0; pass < WARM_UP_PASSES; pass++) {
                    op.accept(vector, new Tensor[] {in, out});
                }
            }
            for (int k = 0; k < 2; k++) {
                Tensor out = Tensor.zeros(Device.CPU, x.length);
                op.accept(k == 0 ? vector : scalar, new Tensor[] {Tensor.of(x, x.length), out});
                results[k] = out.toArray();
            }
        }
        return results;
    }

    private void compareUlps(String what, float[] x, BiConsumer<CpuBackend, Tensor[]> op) {
        float[][] r = both(x, op);
        for (int i = 0; i < x.length; i++) {
            float v = r[0][i], s = r[1][i];
            boolean same = Float.isNaN(s) ? Float.isNaN(v) : Math.abs(v - s) <= ULPS * Math.ulp(s) || v == s;
            if (!same) {
                throw new AssertionError(what + " of " + x[i] + " (index " + i + " of " + x.length + "): Vector API "
                        + v + ", scalar " + s + ", more than " + ULPS + " ulps apart");
            }
        }
    }

    private void compareBounded(String what, float[] x, BiConsumer<CpuBackend, Tensor[]> op) {
        float[][] r = both(x, op);
        for (int i = 0; i < x.length; i++) {
            float v = r[0][i], s = r[1][i];
            boolean same = Float.isNaN(s) ? Float.isNaN(v)
                    : v == s || Math.abs(v - s) <= GELU_BOUND * (1 + Math.abs(x[i]));
            if (!same) {
                throw new AssertionError(what + " of " + x[i] + " (index " + i + " of " + x.length + "): Vector API "
                        + v + ", scalar " + s + ", more than " + GELU_BOUND + " x (1 + |x|) apart");
            }
        }
    }
}
