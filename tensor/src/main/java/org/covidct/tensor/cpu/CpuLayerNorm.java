package org.covidct.tensor.cpu;

import static org.covidct.tensor.cpu.CpuBackend.data;

import org.covidct.tensor.Tensor;

/**
 * Layer normalisation of x viewed as [rows, size], one row per task: statistics and the row sums
 * of the gradient accumulate in double ({@link CpuStatistics}), each element is computed in double
 * and rounded once. The parameter gradients sum over the rows per column, the threads taking
 * column ranges, so no thread's sum depends on how the rows were split.
 */
final class CpuLayerNorm {
    /** About this many elements per task. */
    private static final int GRAIN_ELEMENTS = 1 << 14;

    private CpuLayerNorm() {
    }

    static void forward(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor invStd,
                        boolean vectorApi) {
        float[] in = data(x), out = data(y), w = data(weight), b = data(bias), mu = data(mean), is = data(invStd);
        int size = (int) weight.numel(), rows = (int) mean.numel();
        Parallel.forRange(rows, Math.max(1, GRAIN_ELEMENTS / size), (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = r * size;
                double m = CpuStatistics.sum(in, off, size, vectorApi) / size;
                double var = CpuStatistics.sumSquaredDeviations(in, off, size, m, vectorApi) / size;
                double inv = 1.0 / Math.sqrt(var + eps);
                for (int j = 0; j < size; j++) {
                    out[off + j] = (float) ((in[off + j] - m) * inv * w[j] + b[j]);
                }
                mu[r] = (float) m;
                is[r] = (float) inv;
            }
        });
    }

    /**
     * With g = dy * weight and xhat = (x - mean) * invStd per row: dx = invStd * (g - mean(g) - xhat *
     * mean(g * xhat)), dweight = the sum over rows of dy * xhat, dbias = the sum over rows of dy.
     */
    static void backward(Tensor x, Tensor dy, Tensor weight, Tensor mean, Tensor invStd, Tensor dx, Tensor dweight,
                         Tensor dbias) {
        float[] in = data(x), gy = data(dy), w = data(weight), mu = data(mean), is = data(invStd);
        float[] gx = data(dx), dw = data(dweight), db = data(dbias);
        int size = (int) weight.numel(), rows = (int) mean.numel();
        Parallel.forRange(rows, Math.max(1, GRAIN_ELEMENTS / size), (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = r * size;
                double m = mu[r], inv = is[r];
                double sumG = 0, sumGXhat = 0;
                for (int j = 0; j < size; j++) {
                    double g = (double) gy[off + j] * w[j];
                    sumG += g;
                    sumGXhat += g * ((in[off + j] - m) * inv);
                }
                double meanG = sumG / size, meanGXhat = sumGXhat / size;
                for (int j = 0; j < size; j++) {
                    double g = (double) gy[off + j] * w[j];
                    gx[off + j] = (float) (inv * (g - meanG - (in[off + j] - m) * inv * meanGXhat));
                }
            }
        });
        Parallel.forRange(size, Math.max(1, GRAIN_ELEMENTS / Math.max(1, rows)), (j0, j1) -> {
            double[] sumDyXhat = new double[j1 - j0], sumDy = new double[j1 - j0];
            for (int r = 0; r < rows; r++) {
                int off = r * size;
                double m = mu[r], inv = is[r];
                for (int j = j0; j < j1; j++) {
                    double d = gy[off + j];
                    sumDy[j - j0] += d;
                    sumDyXhat[j - j0] += d * ((in[off + j] - m) * inv);
                }
            }
            for (int j = j0; j < j1; j++) {
                dw[j] = (float) sumDyXhat[j - j0];
                db[j] = (float) sumDy[j - j0];
            }
        });
    }
}
