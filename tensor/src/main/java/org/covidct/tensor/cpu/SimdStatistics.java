package org.covidct.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch-norm statistics with the Vector API, accumulated in double lanes: each float vector is
 * widened into two double vectors, so the sums keep the precision of the scalar double loops
 * (only their order differs) at several elements per cycle. C2 vectorises neither the widening
 * nor the double reductions of the scalar loops. Used only when the module is present.
 */
final class SimdStatistics {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class,
            jdk.incubator.vector.VectorShape.forBitSize(F.vectorBitSize()));

    private SimdStatistics() {
    }

    /** The sum of x[off, off + len) in double. */
    static double sum(float[] x, int off, int len) {
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (int end = F.loopBound(len); i < end; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            acc = acc.add(low(v)).add(high(v));
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            s += x[off + i];
        }
        return s;
    }

    /** The sum of (x - mean)^2 over x[off, off + len), in double. */
    static double sumSquaredDeviations(float[] x, int off, int len, double mean) {
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (int end = F.loopBound(len); i < end; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            DoubleVector d0 = low(v).sub(mean), d1 = high(v).sub(mean);
            acc = acc.add(d0.mul(d0)).add(d1.mul(d1));
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            double d = x[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    /** Adds the sum of dy and the sum of dy * (x - mean) over [off, off + len) to sums[0] and sums[1]. */
    static void accumulateGradientSums(float[] dy, float[] x, int off, int len, double mean, double[] sums) {
        DoubleVector sumDy = DoubleVector.zero(D), sumDyXc = DoubleVector.zero(D);
        int i = 0;
        for (int end = F.loopBound(len); i < end; i += F.length()) {
            FloatVector g = FloatVector.fromArray(F, dy, off + i), v = FloatVector.fromArray(F, x, off + i);
            DoubleVector g0 = low(g), g1 = high(g);
            sumDy = sumDy.add(g0).add(g1);
            sumDyXc = sumDyXc.add(g0.mul(low(v).sub(mean))).add(g1.mul(high(v).sub(mean)));
        }
        double a = sumDy.reduceLanes(VectorOperators.ADD), b = sumDyXc.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            double d = dy[off + i];
            a += d;
            b += d * (x[off + i] - mean);
        }
        sums[0] += a;
        sums[1] += b;
    }

    private static DoubleVector low(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
    }

    private static DoubleVector high(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 1);
    }
}
