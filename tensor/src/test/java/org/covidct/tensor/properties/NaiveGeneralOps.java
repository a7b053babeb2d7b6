package org.covidct.tensor.properties;

import java.util.function.DoubleUnaryOperator;

/**
 * Double-precision references for the general op set (activations, exp and log, average pooling and
 * padded max pooling, layer norm, the elementwise losses), plain loops from their definitions
 * sharing no code with the kernels.
 */
final class NaiveGeneralOps {
    private NaiveGeneralOps() {
    }

    static double[] map(double[] x, DoubleUnaryOperator f) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = f.applyAsDouble(x[i]);
        }
        return out;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** x * Phi(x), Phi the standard normal CDF. */
    static double geluExact(double x) {
        return x * 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /**
     * erf(x) = 2/sqrt(pi) exp(-x^2) times the sum over n of 2^n x^(2n+1) / (1 * 3 * ... * (2n+1)), a series
     * of positive terms (no cancellation), to double precision; 1 in double beyond |x| = 6.
     */
    static double erf(double x) {
        double a = Math.abs(x);
        if (a > 6) {
            return Math.signum(x);
        }
        double term = a, sum = a;
        for (int n = 1; term > 1e-17 * sum; n++) {
            term *= 2 * a * a / (2 * n + 1);
            sum += term;
        }
        return Math.signum(x) * 2 / Math.sqrt(Math.PI) * Math.exp(-a * a) * sum;
    }

    /**
     * Pooling of [n*c planes, h, w] with windows kh x kw at stride (sh, sw), padding (ph, pw): the
     * mean over all kh * kw cells (padded ones are zeros) when {@code average}, else the maximum over
     * the cells inside the plane.
     */
    static double[] pool2d(double[] x, int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                           boolean average) {
        int p = (h + 2 * ph - kh) / sh + 1, q = (w + 2 * pw - kw) / sw + 1;
        double[] y = new double[planes * p * q];
        for (int plane = 0; plane < planes; plane++) {
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                    double sum = 0, max = Double.NEGATIVE_INFINITY;
                    for (int r = i * sh - ph; r < i * sh - ph + kh; r++) {
                        for (int c = j * sw - pw; c < j * sw - pw + kw; c++) {
                            if (r >= 0 && r < h && c >= 0 && c < w) {
                                double v = x[(plane * h + r) * w + c];
                                sum += v;
                                max = Math.max(max, v);
                            }
                        }
                    }
                    y[(plane * p + i) * q + j] = average ? sum / (kh * kw) : max;
                }
            }
        }
        return y;
    }

    /** Each row of [rows, size] normalised by its mean and biased variance, then weight * . + bias. */
    static double[] layerNorm(double[] x, int rows, int size, double[] weight, double[] bias, double eps) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int j = 0; j < size; j++) {
                mean += x[r * size + j] / size;
            }
            double var = 0;
            for (int j = 0; j < size; j++) {
                var += (x[r * size + j] - mean) * (x[r * size + j] - mean) / size;
            }
            for (int j = 0; j < size; j++) {
                y[r * size + j] = (x[r * size + j] - mean) / Math.sqrt(var + eps) * weight[j] + bias[j];
            }
        }
        return y;
    }

    /** The mean of -(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))), binary cross-entropy as defined. */
    static double binaryCrossEntropyWithLogits(double[] x, double[] t) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double p = sigmoid(x[i]);
            s -= t[i] * Math.log(p) + (1 - t[i]) * Math.log(1 - p);
        }
        return s / x.length;
    }

    static double mseLoss(double[] x, double[] t) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (x[i] - t[i]) * (x[i] - t[i]);
        }
        return s / x.length;
    }
}
