package org.covidct.tensor.properties;

import java.util.Arrays;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/** Shared helpers of the property tests: random data, the error metric, finite differences. */
final class PropertySupport {
    /** Tolerance of forward results against {@link NaiveOps}. */
    static final double FORWARD_TOL = 1e-5;
    /** Tolerance of analytic float32 gradients against double-precision finite differences. */
    static final double GRADIENT_TOL = 1e-4;
    /** Central-difference step (in double precision). */
    static final double FD_STEP = 1e-5;

    private PropertySupport() {
    }

    // ---- random data ------------------------------------------------------------------------------

    /** {@code n} floats uniform in [lo, hi). */
    static float[] uniform(Random rnd, int n, float lo, float hi) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = lo + (hi - lo) * rnd.nextFloat();
        }
        return out;
    }

    /** {@code n} floats of random sign with magnitude uniform in [minAbs, maxAbs). */
    static float[] awayFromZero(Random rnd, int n, float minAbs, float maxAbs) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float m = minAbs + (maxAbs - minAbs) * rnd.nextFloat();
            out[i] = rnd.nextBoolean() ? m : -m;
        }
        return out;
    }

    /** A random permutation of the distinct values (i - n/2) * spacing, i in [0, n). */
    static float[] distinctShuffled(Random rnd, int n, float spacing) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (i - n / 2) * spacing;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            float t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    /** {@code n} integers in [0, bound). */
    static int[] ints(Random rnd, int n, int bound) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = rnd.nextInt(bound);
        }
        return out;
    }

    static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }

    static float[] toFloat(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    static int product(int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    // ---- error metric -----------------------------------------------------------------------------

    /** Normwise relative error max|a - e| / max(max|e|, 1e-30); 0 for empty arrays. */
    static double relError(float[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("length " + actual.length + " but expected " + expected.length);
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            if (!(d <= maxDiff)) { // NaN propagates as a failure
                maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / Math.max(maxRef, 1e-30);
    }

    /** Fails with the error, the worst element and short prefixes of both arrays when over {@code tol}. */
    static void assertClose(String what, float[] actual, double[] expected, double tol) {
        double err = relError(actual, expected);
        if (err <= tol) {
            return;
        }
        int worst = 0;
        double worstDiff = -1;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            if (Double.isNaN(d) || d > worstDiff) {
                worstDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                worst = i;
            }
        }
        throw new AssertionError(String.format(
                "%s: normwise relative error %.3e > %.1e; worst index %d: actual %s, expected %s%n"
                        + "  actual   %s%n  expected %s",
                what, err, tol, worst, actual[worst], expected[worst], head(actual), head(expected)));
    }

    /**
     * Each actual[i] within tol * magnitude[i] of expected[i], where magnitude[i] is the sum of the
     * absolute values of the terms summed into it: the scale of a float sum's rounding error, which a
     * sum that cancels (small against its terms) can exceed any relative tolerance by.
     */
    static void assertWithinSumBound(String what, float[] actual, double[] expected, double[] magnitude, double tol) {
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= tol * magnitude[i])) {
                throw new AssertionError(String.format("%s[%d]: actual %s, expected %s: error %.3e > %.1e x %.3e "
                        + "(the sum of the terms' absolute values)", what, i, actual[i], expected[i], err, tol,
                        magnitude[i]));
            }
        }
    }

    static void assertClose(String what, float actual, double expected, double tol) {
        assertClose(what, new float[] {actual}, new double[] {expected}, tol);
    }

    private static String head(float[] a) {
        return Arrays.toString(Arrays.copyOf(a, Math.min(a.length, 12))) + (a.length > 12 ? "..." : "");
    }

    private static String head(double[] a) {
        return Arrays.toString(Arrays.copyOf(a, Math.min(a.length, 12))) + (a.length > 12 ? "..." : "");
    }

    // ---- finite differences -----------------------------------------------------------------------

    /**
     * Central differences (L(x + h e_i) - L(x - h e_i)) / 2h of a double-precision scalar function, for
     * every i. {@code x} is perturbed in place and restored, so {@code loss} may read it through a
     * closure.
     */
    static double[] centralDifferences(double[] x, ToDoubleFunction<double[]> loss, double h) {
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double old = x[i];
            x[i] = old + h;
            double plus = loss.applyAsDouble(x);
            x[i] = old - h;
            double minus = loss.applyAsDouble(x);
            x[i] = old;
            grad[i] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    /** sum(a * b): the scalar L = sum(dy * f(inputs)) that gradients are checked through. */
    static double dot(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new AssertionError("dot of lengths " + a.length + " and " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
