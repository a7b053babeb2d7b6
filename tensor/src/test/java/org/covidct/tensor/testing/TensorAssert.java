package org.covidct.tensor.testing;

import java.util.Arrays;
import org.covidct.tensor.Tensor;
import org.opentest4j.AssertionFailedError;

/**
 * Tolerance checks for float32 results against reference values, using the normwise relative
 * error {@code max_i |a_i - e_i| / max(max_i |e_i|, 1e-30)}: robust to elements that are near zero
 * while the rest of the tensor is not, which elementwise relative errors are not.
 */
public final class TensorAssert {
    /** Normwise relative tolerance for comparisons against PyTorch's float32 results. */
    public static final double GOLDEN_RTOL = 1e-5;

    private TensorAssert() {
    }

    /** The normwise relative error of {@code actual} against {@code expected} (same length). */
    public static double normwiseError(float[] expected, float[] actual) {
        return compare(expected, actual).error;
    }

    public static void assertClose(String what, float[] expected, float[] actual, double rtol) {
        if (expected.length != actual.length) {
            throw new AssertionFailedError(what + ": expected " + expected.length + " values but got "
                    + actual.length);
        }
        Comparison c = compare(expected, actual);
        if (!(c.error <= rtol)) {
            throw new AssertionFailedError(String.format(
                    "%s: normwise relative error %.3e exceeds %.1e; worst at index %d: expected %s, actual %s"
                            + " (max |expected| = %s, %d elements)",
                    what, c.error, rtol, c.worst, expected[c.worst], actual[c.worst], c.maxExpected,
                    expected.length));
        }
    }

    public static void assertClose(String what, Tensor expected, Tensor actual, double rtol) {
        assertSameShape(what, expected.dims(), actual);
        assertClose(what, expected.toArray(), actual.toArray(), rtol);
    }

    /** Checks {@code actual}'s shape against {@code expectedDims} and its values against {@code expected}. */
    public static void assertClose(String what, float[] expected, int[] expectedDims, Tensor actual, double rtol) {
        assertSameShape(what, expectedDims, actual);
        assertClose(what, expected, actual.toArray(), rtol);
    }

    public static void assertClose(String what, Tensor expected, Tensor actual) {
        assertClose(what, expected, actual, GOLDEN_RTOL);
    }

    public static void assertClose(String what, float[] expected, float[] actual) {
        assertClose(what, expected, actual, GOLDEN_RTOL);
    }

    private static void assertSameShape(String what, int[] expectedDims, Tensor actual) {
        if (!Arrays.equals(expectedDims, actual.dims())) {
            throw new AssertionFailedError(what + ": expected shape " + Arrays.toString(expectedDims) + " but got "
                    + Arrays.toString(actual.dims()));
        }
    }

    private record Comparison(double error, int worst, double maxExpected) {
    }

    private static Comparison compare(float[] expected, float[] actual) {
        double maxDiff = 0;
        double maxExpected = 0;
        int worst = 0;
        boolean nan = false;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[i] - (double) expected[i]);
            if (Double.isNaN(d)) {
                if (!nan) {
                    worst = i;
                }
                nan = true;
            } else if (!nan && d > maxDiff) {
                maxDiff = d;
                worst = i;
            }
            maxExpected = Math.max(maxExpected, Math.abs((double) expected[i]));
        }
        double error = nan ? Double.NaN : maxDiff / Math.max(maxExpected, 1e-30);
        return new Comparison(error, worst, maxExpected);
    }
}
