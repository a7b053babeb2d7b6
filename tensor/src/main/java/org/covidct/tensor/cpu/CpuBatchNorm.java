package org.covidct.tensor.cpu;

import static org.covidct.tensor.cpu.CpuBackend.data;

import org.covidct.tensor.Tensor;

/**
 * Batch normalisation over [N, C, H, W], one channel per task. Statistics accumulate in double
 * ({@link CpuStatistics}); the elementwise passes are float multiply-adds.
 */
final class CpuBatchNorm {
    private CpuBatchNorm() {
    }

    static void training(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                         float momentum, float eps, Tensor y, Tensor saveMean, Tensor saveInvStd, boolean vectorApi) {
        float[] in = data(x), out = data(y), g = data(gamma), b = data(beta);
        float[] rm = data(runningMean), rv = data(runningVar), sm = data(saveMean), si = data(saveInvStd);
        int n = x.dim(0), channels = x.dim(1), plane = x.shape().sizeFrom(2);
        long count = (long) n * plane;
        Parallel.forRange(channels, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += CpuStatistics.sum(in, (i * channels + c) * plane, plane, vectorApi);
                }
                double mean = s / count;
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    ss += CpuStatistics.sumSquaredDeviations(in, (i * channels + c) * plane, plane, mean, vectorApi);
                }
                double var = ss / count;
                double invStd = 1.0 / Math.sqrt(var + eps);
                normalise(in, out, (float) mean, (float) invStd, g[c], b[c], c, n, channels, plane);
                sm[c] = (float) mean;
                si[c] = (float) invStd;
                rm[c] = (float) ((1 - momentum) * rm[c] + momentum * mean);
                rv[c] = (float) ((1 - momentum) * rv[c] + momentum * ss / (count - 1));
            }
        });
    }

    static void inference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                          float eps, Tensor y) {
        float[] in = data(x), out = data(y), g = data(gamma), b = data(beta);
        float[] rm = data(runningMean), rv = data(runningVar);
        int n = x.dim(0), channels = x.dim(1), plane = x.shape().sizeFrom(2);
        Parallel.forRange(channels, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                float invStd = (float) (1.0 / Math.sqrt((double) rv[c] + eps));
                normalise(in, out, rm[c], invStd, g[c], b[c], c, n, channels, plane);
            }
        });
    }

    /** y = (x - mean) * invStd * gamma + beta over one channel, as one multiply-add per element. */
    private static void normalise(float[] in, float[] out, float mean, float invStd, float gamma, float beta,
                                  int c, int n, int channels, int plane) {
        float scale = invStd * gamma;
        float shift = beta - mean * scale;
        for (int i = 0; i < n; i++) {
            int base = (i * channels + c) * plane;
            for (int j = 0; j < plane; j++) {
                out[base + j] = in[base + j] * scale + shift;
            }
        }
    }

    static void backward(Tensor x, Tensor dy, Tensor gamma, Tensor mean, Tensor invStd, boolean batchStatistics,
                         Tensor dx, Tensor dgamma, Tensor dbeta, boolean vectorApi) {
        float[] in = data(x), gy = data(dy), gx = data(dx), g = data(gamma);
        float[] mu = data(mean), is = data(invStd), dg = data(dgamma), db = data(dbeta);
        int n = x.dim(0), channels = x.dim(1), plane = x.shape().sizeFrom(2);
        long count = (long) n * plane;
        Parallel.forRange(channels, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                double m = mu[c], inv = is[c];
                double[] sums = new double[2]; // sum of dy, sum of dy * (x - mean)
                for (int i = 0; i < n; i++) {
                    CpuStatistics.accumulateGradientSums(gy, in, (i * channels + c) * plane, plane, m, sums, vectorApi);
                }
                double sumDy = sums[0], sumDyXhat = sums[1] * inv;
                dg[c] = (float) sumDyXhat;
                db[c] = (float) sumDy;
                double k = g[c] * inv;
                // With batch statistics, mean and variance depend on x: subtract the gradient's
                // projection onto the constant and the normalised-input directions. As one
                // multiply-add per element, in float: dx = k dy + slope (x - mean) + shift.
                double meanDy = batchStatistics ? sumDy / count : 0;
                double meanDyXhat = batchStatistics ? sumDyXhat / count : 0;
                float scale = (float) k, slope = (float) (-k * inv * meanDyXhat), shift = (float) (-k * meanDy);
                float mf = (float) m;
                for (int i = 0; i < n; i++) {
                    int base = (i * channels + c) * plane;
                    for (int j = base; j < base + plane; j++) {
                        gx[j] = scale * gy[j] + slope * (in[j] - mf) + shift;
                    }
                }
            }
        });
    }
}
