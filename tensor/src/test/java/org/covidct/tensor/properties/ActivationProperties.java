package org.covidct.tensor.properties;

import static org.covidct.tensor.properties.PropertySupport.FD_STEP;
import static org.covidct.tensor.properties.PropertySupport.FORWARD_TOL;
import static org.covidct.tensor.properties.PropertySupport.GRADIENT_TOL;
import static org.covidct.tensor.properties.PropertySupport.assertClose;
import static org.covidct.tensor.properties.PropertySupport.centralDifferences;
import static org.covidct.tensor.properties.PropertySupport.dot;
import static org.covidct.tensor.properties.PropertySupport.product;
import static org.covidct.tensor.properties.PropertySupport.toDouble;
import static org.covidct.tensor.properties.PropertySupport.uniform;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.covidct.tensor.GeluApproximation;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * Sigmoid, tanh, GELU (both forms), exp and log: forward against {@link NaiveGeneralOps} in double,
 * on small shapes and on sizes past the parallel grain (vector loops, their scalar tails and
 * several chunks), and gradients against central finite differences of L = sum(dy * f(x)).
 */
class ActivationProperties {
    /**
     * GELU is x times a factor in [0, 1] that float holds to about 1e-7 absolute (exact GELU's erf is a
     * polynomial at most 1.5e-7 off; the tanh form's 1 + tanh cancels for negative x), so its error is
     * bounded against |x| + 1 rather than relative to a result that may be near zero.
     */
    private static final double GELU_TOL = 1e-6;

    /** Shapes of rank 0 to 4 with dimensions 0 to 6 (empty tensors included). */
    @Provide
    Arbitrary<int[]> smallShapes() {
        return Arbitraries.integers().between(0, 6).list().ofMaxSize(4)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Shapes of rank 1 to 4 with dimensions 1 to 5, for finite differences. */
    @Provide
    Arbitrary<int[]> gradientShapes() {
        return Arbitraries.integers().between(1, 5).list().ofMinSize(1).ofMaxSize(4)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    /** One-dimensional sizes around and above the elementwise parallel grain (2^15). */
    @Provide
    Arbitrary<int[]> largeShapes() {
        return Arbitraries.integers().between(30_000, 200_000).map(n -> new int[] {n});
    }

    @Property(tries = 40)
    void forwardMatchesNaive(@ForAll("smallShapes") int[] dims, @ForAll long seed) {
        checkForward(dims, seed);
    }

    @Property(tries = 6)
    void largeForwardMatchesNaive(@ForAll("largeShapes") int[] dims, @ForAll long seed) {
        checkForward(dims, seed);
    }

    private static void checkForward(int[] dims, long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, product(dims), -15, 15);
        float[] positive = uniform(rnd, x.length, 1e-3f, 50);
        double[] xd = toDouble(x);
        String shape = Arrays.toString(dims);
        try (TensorScope scope = TensorScope.open()) {
            Tensor t = Tensor.of(x, dims);
            assertClose("sigmoid " + shape, Ops.sigmoid(t).toArray(), NaiveGeneralOps.map(xd, NaiveGeneralOps::sigmoid),
                    FORWARD_TOL);
            assertClose("tanh " + shape, Ops.tanh(t).toArray(), NaiveGeneralOps.map(xd, Math::tanh), FORWARD_TOL);
            assertGeluClose("gelu tanh " + shape, Ops.gelu(t, GeluApproximation.TANH).toArray(), xd,
                    NaiveGeneralOps::geluTanh);
            assertGeluClose("gelu exact " + shape, Ops.gelu(t, GeluApproximation.NONE).toArray(), xd,
                    NaiveGeneralOps::geluExact);
            float[] moderate = Arrays.copyOf(x, x.length);
            for (int i = 0; i < moderate.length; i++) {
                moderate[i] /= 2; // exp of up to 7.5, far from float's overflow at 88
            }
            assertClose("exp " + shape, Ops.exp(Tensor.of(moderate, dims)).toArray(),
                    NaiveGeneralOps.map(toDouble(moderate), Math::exp), FORWARD_TOL);
            assertClose("log " + shape, Ops.log(Tensor.of(positive, dims)).toArray(),
                    NaiveGeneralOps.map(toDouble(positive), Math::log), FORWARD_TOL);
        }
    }

    @Property(tries = 40)
    void sigmoidAndTanhGradients(@ForAll("gradientShapes") int[] dims, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, product(dims), -4, 4);
        float[] dy = uniform(rnd, x.length, -1, 1);
        String shape = Arrays.toString(dims);
        try (TensorScope scope = TensorScope.open()) {
            Tensor xt = Tensor.of(x, dims), dyt = Tensor.of(dy, dims);
            checkGradient("sigmoid " + shape, Ops.sigmoidBackward(Ops.sigmoid(xt), dyt), x, dy,
                    NaiveGeneralOps::sigmoid);
            checkGradient("tanh " + shape, Ops.tanhBackward(Ops.tanh(xt), dyt), x, dy, Math::tanh);
        }
    }

    /**
     * On [-3, 3]: further out the float derivative is a difference of near-equal terms (Phi and x phi,
     * or the tanh form's 1 + tanh), and its tiny result carries their rounding, as PyTorch's does.
     */
    @Property(tries = 40)
    void geluGradients(@ForAll("gradientShapes") int[] dims, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, product(dims), -3, 3);
        float[] dy = uniform(rnd, x.length, -1, 1);
        String shape = Arrays.toString(dims);
        try (TensorScope scope = TensorScope.open()) {
            Tensor xt = Tensor.of(x, dims), dyt = Tensor.of(dy, dims);
            checkGradient("gelu exact " + shape, Ops.geluBackward(xt, dyt, GeluApproximation.NONE), x, dy,
                    NaiveGeneralOps::geluExact);
            checkGradient("gelu tanh " + shape, Ops.geluBackward(xt, dyt, GeluApproximation.TANH), x, dy,
                    NaiveGeneralOps::geluTanh);
        }
    }

    /** exp's gradient is dy * exp(x), a mul; log's is dy / x (x kept away from 0). */
    @Property(tries = 40)
    void expAndLogGradients(@ForAll("gradientShapes") int[] dims, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, product(dims), -3, 3);
        float[] positive = uniform(rnd, x.length, 0.1f, 5);
        float[] dy = uniform(rnd, x.length, -1, 1);
        String shape = Arrays.toString(dims);
        try (TensorScope scope = TensorScope.open()) {
            Tensor dyt = Tensor.of(dy, dims);
            checkGradient("exp " + shape, Ops.mul(dyt, Ops.exp(Tensor.of(x, dims))), x, dy, Math::exp);
            checkGradient("log " + shape, Ops.logBackward(Tensor.of(positive, dims), dyt), positive, dy, Math::log);
        }
    }

    /** Each element within {@link #GELU_TOL} * (|x| + 1) of the reference. */
    private static void assertGeluClose(String what, float[] actual, double[] x, DoubleUnaryOperator gelu) {
        for (int i = 0; i < actual.length; i++) {
            double expected = gelu.applyAsDouble(x[i]), err = Math.abs(actual[i] - expected);
            if (!(err <= GELU_TOL * (Math.abs(x[i]) + 1))) {
                throw new AssertionError(String.format("%s[%d]: x %s, actual %s, expected %s: error %.3e > %.1e x (|x| + 1)",
                        what, i, x[i], actual[i], expected, err, GELU_TOL));
            }
        }
    }

    private static void checkGradient(String what, Tensor analytic, float[] x, float[] dy, DoubleUnaryOperator f) {
        double[] xd = toDouble(x), dyd = toDouble(dy);
        assertClose(what + " dx", analytic.toArray(),
                centralDifferences(xd, unused -> dot(dyd, NaiveGeneralOps.map(xd, f)), FD_STEP), GRADIENT_TOL);
    }
}
