package org.covidct.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Loops that C2 does not vectorise on its own, with the Vector API: the clamp (ReLU6) passes and
 * the ReLU gradient, whose comparisons become branches (MobileNetV2 spent a quarter of its training step in them),
 * and the row updates of the depthwise convolution, whose loads and stores into different arrays
 * at different offsets it cannot prove independent. Lane-wise MIN and MAX follow Math.min and
 * Math.max, NaN and signed zeros included, and the row update multiplies and adds with separate
 * roundings, so these equal the scalar loops bit for bit; only {@link #dot} sums in another order.
 * Used only when the module is present.
 */
final class SimdElementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SimdElementwise() {
    }

    /** o[i] = min(max(x[i], lo), hi) for i in [from, to). */
    static void clamp(float[] x, float lo, float hi, float[] o, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector.fromArray(S, x, i).lanewise(VectorOperators.MAX, lo).lanewise(VectorOperators.MIN, hi)
                    .intoArray(o, i);
        }
        for (; i < to; i++) {
            o[i] = Math.min(Math.max(x[i], lo), hi);
        }
    }

    /** o[i] = g[i] where lo < y[i] < hi, else 0, for i in [from, to). */
    static void clampBackward(float[] y, float[] g, float lo, float hi, float[] o, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, y, i);
            VectorMask<Float> inside = v.compare(VectorOperators.GT, lo).and(v.compare(VectorOperators.LT, hi));
            zero.blend(FloatVector.fromArray(S, g, i), inside).intoArray(o, i);
        }
        for (; i < to; i++) {
            o[i] = y[i] > lo && y[i] < hi ? g[i] : 0f;
        }
    }

    /** o[i] = g[i] where y[i] > 0, else 0, for i in [from, to): the ReLU's gradient from its output. */
    static void reluBackward(float[] y, float[] g, float[] o, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            VectorMask<Float> positive = FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, g, i), positive).intoArray(o, i);
        }
        for (; i < to; i++) {
            o[i] = y[i] > 0f ? g[i] : 0f;
        }
    }

    /** y[yOff + i] += a * x[xOff + i] for i < length. */
    static void axpyRow(float a, float[] x, int xOff, float[] y, int yOff, int length) {
        int i = 0;
        for (int end = S.loopBound(length); i < end; i += S.length()) {
            FloatVector.fromArray(S, y, yOff + i).add(FloatVector.fromArray(S, x, xOff + i).mul(a))
                    .intoArray(y, yOff + i);
        }
        for (; i < length; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** The sum of a[aOff + i] * b[bOff + i] for i < length, lane by lane, then across lanes. */
    static float dot(float[] a, int aOff, float[] b, int bOff, int length) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(length); i < end; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, a, aOff + i).mul(FloatVector.fromArray(S, b, bOff + i)));
        }
        float sum = SimdLanes.sum(acc);
        for (; i < length; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }
}
