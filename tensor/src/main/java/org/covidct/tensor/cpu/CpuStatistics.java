package org.covidct.tensor.cpu;

/**
 * The sums that normalisation statistics are made of, accumulated in double: a float running sum
 * over thousands of values would lose digits that PyTorch keeps. With the Vector API in lanes
 * ({@link SimdStatistics}), otherwise in a scalar loop.
 */
final class CpuStatistics {
    private CpuStatistics() {
    }

    /** The sum of x[off, off + len). */
    static double sum(float[] x, int off, int len, boolean vectorApi) {
        if (vectorApi) {
            return SimdStatistics.sum(x, off, len);
        }
        double s = 0;
        for (int j = off; j < off + len; j++) {
            s += x[j];
        }
        return s;
    }

    /** The sum of (x[j] - mean)^2 over [off, off + len). */
    static double sumSquaredDeviations(float[] x, int off, int len, double mean, boolean vectorApi) {
        if (vectorApi) {
            return SimdStatistics.sumSquaredDeviations(x, off, len, mean);
        }
        double s = 0;
        for (int j = off; j < off + len; j++) {
            double d = x[j] - mean;
            s += d * d;
        }
        return s;
    }

    /** Adds the sum of dy and the sum of dy * (x - mean) over [off, off + len) to sums[0] and sums[1]. */
    static void accumulateGradientSums(float[] dy, float[] x, int off, int len, double mean, double[] sums,
                                       boolean vectorApi) {
        if (vectorApi) {
            SimdStatistics.accumulateGradientSums(dy, x, off, len, mean, sums);
            return;
        }
        for (int j = off; j < off + len; j++) {
            double d = dy[j];
            sums[0] += d;
            sums[1] += d * (x[j] - mean);
        }
    }
}
