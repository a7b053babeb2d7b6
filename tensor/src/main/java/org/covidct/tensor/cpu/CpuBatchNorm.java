package org.covidct.tensor.cpu;

import static org.covidct.tensor.cpu.CpuBackend.data;

import org.covidct.tensor.Tensor;

/**
 * Batch normalisation over [N, C, H, W], one channel per task. Statistics accumulate in double:
 * a float running sum over N*H*W values would lose digits that PyTorch keeps.
 */
final class CpuBatchNorm {
    private CpuBatchNorm() {
    }

    static void training(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                         float momentum, float eps, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        float[] in = data(x), out = data(y), g = data(gamma), b = data(beta);
        float[] rm = data(runningMean), rv = data(runningVar), sm = data(saveMean), si = data(saveInvStd);
        int n = x.dim(0), channels = x.dim(1), plane = x.shape().sizeFrom(2);
        long count = (long) n * plane;
        Parallel.forRange(channels, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * channels + c) * plane;
                    for (int j = 0; j < plane; j++) {
                        s += in[base + j];
                    }
                }
                double mean = s / count;
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * channels + c) * plane;
                    for (int j = 0; j < plane; j++) {
                        double d = in[base + j] - mean;
                        ss += d * d;
                    }
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
                         Tensor dx, Tensor dgamma, Tensor dbeta) {
        float[] in = data(x), gy = data(dy), gx = data(dx), g = data(gamma);
        float[] mu = data(mean), is = data(invStd), dg = data(dgamma), db = data(dbeta);
        int n = x.dim(0), channels = x.dim(1), plane = x.shape().sizeFrom(2);
        long count = (long) n * plane;
        Parallel.forRange(channels, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                double m = mu[c], inv = is[c];
                double sumDy = 0, sumDyXhat = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * channels + c) * plane;
                    for (int j = 0; j < plane; j++) {
                        double d = gy[base + j];
                        sumDy += d;
                        sumDyXhat += d * (in[base + j] - m) * inv;
                    }
                }
                dg[c] = (float) sumDyXhat;
                db[c] = (float) sumDy;
                double k = g[c] * inv;
                // With batch statistics, mean and variance depend on x: subtract the gradient's
                // projection onto the constant and the normalised-input directions.
                double meanDy = batchStatistics ? sumDy / count : 0;
                double meanDyXhat = batchStatistics ? sumDyXhat / count : 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * channels + c) * plane;
                    for (int j = 0; j < plane; j++) {
                        double xhat = (in[base + j] - m) * inv;
                        gx[base + j] = (float) (k * (gy[base + j] - meanDy - xhat * meanDyXhat));
                    }
                }
            }
        });
    }
}
