package org.covidct.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch-norm statistics with the Vector API, accumulated in double lanes, so the sums keep close
 * to the precision of the scalar double loops at several elements per cycle: the forward sums widen
 * each float vector into two double vectors, the backward sums widen float sums of short blocks.
 * C2 vectorises neither the widening nor the double reductions of the scalar loops. Used only when
 * the module is present.
 */
final class SimdStatistics {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = SimdLanes.D;
    /** Elements a float lane block sums before it is widened (accumulateGradientSums). */
    private static final int BLOCK = 256;

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
        double s = SimdLanes.sum(acc);
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
        double s = SimdLanes.sum(acc);
        for (; i < len; i++) {
            double d = x[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    /**
     * Adds the sum of dy and the sum of dy * (x - mean) over [off, off + len) to sums[0] and sums[1].
     * Float lanes sum blocks of {@link #BLOCK} elements, and each block's sums are widened into the
     * double accumulators: a float lane adds only BLOCK / VL terms, so the sums keep close to double
     * precision, and the loop runs at the float rate with no widening per element. The centre is
     * mean rounded to float; the difference is added back once, exactly enough, in double.
     */
    static void accumulateGradientSums(float[] dy, float[] x, int off, int len, double mean, double[] sums) {
        float centre = (float) mean;
        FloatVector centres = FloatVector.broadcast(F, centre);
        DoubleVector sumDy = DoubleVector.zero(D), sumDyXc = DoubleVector.zero(D);
        int i = 0;
        for (int end = F.loopBound(len); i < end; ) {
            FloatVector blockDy = FloatVector.zero(F), blockDyXc = FloatVector.zero(F);
            for (int blockEnd = Math.min(end, i + BLOCK); i < blockEnd; i += F.length()) {
                FloatVector g = FloatVector.fromArray(F, dy, off + i);
                blockDy = blockDy.add(g);
                blockDyXc = g.fma(FloatVector.fromArray(F, x, off + i).sub(centres), blockDyXc);
            }
            sumDy = sumDy.add(low(blockDy)).add(high(blockDy));
            sumDyXc = sumDyXc.add(low(blockDyXc)).add(high(blockDyXc));
        }
        double a = SimdLanes.sum(sumDy), b = SimdLanes.sum(sumDyXc);
        for (; i < len; i++) {
            double d = dy[off + i];
            a += d;
            b += d * (x[off + i] - (double) centre);
        }
        sums[0] += a;
        sums[1] += b + ((double) centre - mean) * a; // sum dy (x - mean) = sum dy (x - centre) + (centre - mean) sum dy
    }

    private static DoubleVector low(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
    }

    private static DoubleVector high(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 1);
    }
}
