package org.covidct.tensor.properties;

/**
 * Double-precision reference implementations of the tensor ops, written as plain loops straight
 * from their definitions and sharing no code with the production kernels. Arrays are row-major;
 * the dimensions are passed explicitly (N batch, C input channels, K output channels).
 */
final class NaiveOps {
    private NaiveOps() {
    }

    // ---- convolution ----------------------------------------------------------------------------

    static int convOut(int in, int kernel, int stride, int pad) {
        return (in + 2 * pad - kernel) / stride + 1;
    }

    /** y[n,k,p,q] = bias[k] + sum_{c,r,s} x[n,c,p*sh-ph+r, q*sw-pw+s] * w[k,c,r,s], zero padding. */
    static double[] conv2d(double[] x, int n, int c, int h, int w, double[] weight, int k, int r, int s,
                           double[] bias, int strideH, int strideW, int padH, int padW) {
        int outH = convOut(h, r, strideH, padH);
        int outW = convOut(w, s, strideW, padW);
        double[] y = new double[n * k * outH * outW];
        for (int ni = 0; ni < n; ni++) {
            for (int ki = 0; ki < k; ki++) {
                for (int p = 0; p < outH; p++) {
                    for (int q = 0; q < outW; q++) {
                        double acc = bias == null ? 0 : bias[ki];
                        for (int ci = 0; ci < c; ci++) {
                            for (int ri = 0; ri < r; ri++) {
                                int ih = p * strideH - padH + ri;
                                if (ih < 0 || ih >= h) {
                                    continue;
                                }
                                for (int si = 0; si < s; si++) {
                                    int iw = q * strideW - padW + si;
                                    if (iw < 0 || iw >= w) {
                                        continue;
                                    }
                                    acc += x[((ni * c + ci) * h + ih) * w + iw]
                                            * weight[((ki * c + ci) * r + ri) * s + si];
                                }
                            }
                        }
                        y[((ni * k + ki) * outH + p) * outW + q] = acc;
                    }
                }
            }
        }
        return y;
    }

    /**
     * The adjoints of {@link #conv2d} as plain scatter loops: dx[n,c,ih,iw] += dy[n,k,p,q] * w[k,c,r,s]
     * and dw[k,c,r,s] += dy[n,k,p,q] * x[n,c,ih,iw] over every in-image tap; returns {dx, dw}.
     */
    static double[][] conv2dBackward(double[] x, int n, int c, int h, int w, double[] weight, int k, int r, int s,
                                     double[] dy, int strideH, int strideW, int padH, int padW) {
        int outH = convOut(h, r, strideH, padH);
        int outW = convOut(w, s, strideW, padW);
        double[] dx = new double[x.length];
        double[] dw = new double[weight.length];
        for (int ni = 0; ni < n; ni++) {
            for (int ki = 0; ki < k; ki++) {
                for (int p = 0; p < outH; p++) {
                    for (int q = 0; q < outW; q++) {
                        double g = dy[((ni * k + ki) * outH + p) * outW + q];
                        for (int ci = 0; ci < c; ci++) {
                            for (int ri = 0; ri < r; ri++) {
                                int ih = p * strideH - padH + ri;
                                if (ih < 0 || ih >= h) {
                                    continue;
                                }
                                for (int si = 0; si < s; si++) {
                                    int iw = q * strideW - padW + si;
                                    if (iw < 0 || iw >= w) {
                                        continue;
                                    }
                                    int xi = ((ni * c + ci) * h + ih) * w + iw;
                                    int wi = ((ki * c + ci) * r + ri) * s + si;
                                    dx[xi] += g * weight[wi];
                                    dw[wi] += g * x[xi];
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {dx, dw};
    }

    // ---- batch normalisation --------------------------------------------------------------------

    /** Training-mode outputs: y, the batch mean, biased and unbiased batch variances. */
    record BatchNormTrain(double[] y, double[] mean, double[] var, double[] unbiasedVar) {
    }

    /** x [N, C, HW]; normalises each channel with its batch mean and biased variance. */
    static BatchNormTrain batchNormTraining(double[] x, int n, int c, int hw, double[] gamma, double[] beta,
                                            double eps) {
        double[] mean = new double[c];
        double[] var = new double[c];
        double[] unbiased = new double[c];
        int m = n * hw;
        for (int ci = 0; ci < c; ci++) {
            double s = 0;
            for (int ni = 0; ni < n; ni++) {
                for (int i = 0; i < hw; i++) {
                    s += x[(ni * c + ci) * hw + i];
                }
            }
            mean[ci] = s / m;
            double ss = 0;
            for (int ni = 0; ni < n; ni++) {
                for (int i = 0; i < hw; i++) {
                    double d = x[(ni * c + ci) * hw + i] - mean[ci];
                    ss += d * d;
                }
            }
            var[ci] = ss / m;
            unbiased[ci] = ss / (m - 1);
        }
        double[] y = normalise(x, n, c, hw, gamma, beta, mean, var, eps);
        return new BatchNormTrain(y, mean, var, unbiased);
    }

    /** Eval mode: normalises with the running statistics. */
    static double[] batchNormEval(double[] x, int n, int c, int hw, double[] gamma, double[] beta,
                                  double[] runningMean, double[] runningVar, double eps) {
        return normalise(x, n, c, hw, gamma, beta, runningMean, runningVar, eps);
    }

    private static double[] normalise(double[] x, int n, int c, int hw, double[] gamma, double[] beta,
                                      double[] mean, double[] var, double eps) {
        double[] y = new double[x.length];
        for (int ni = 0; ni < n; ni++) {
            for (int ci = 0; ci < c; ci++) {
                double inv = 1 / Math.sqrt(var[ci] + eps);
                for (int i = 0; i < hw; i++) {
                    int idx = (ni * c + ci) * hw + i;
                    y[idx] = (x[idx] - mean[ci]) * inv * gamma[ci] + beta[ci];
                }
            }
        }
        return y;
    }

    /** running' = (1 - momentum) * running + momentum * batch. */
    static double[] runningUpdate(double[] running, double[] batch, double momentum) {
        double[] out = new double[running.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (1 - momentum) * running[i] + momentum * batch[i];
        }
        return out;
    }

    // ---- elementwise ----------------------------------------------------------------------------

    static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] > 0 ? x[i] : 0;
        }
        return y;
    }

    static double[] add(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    static double[] mul(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] * b[i];
        }
        return y;
    }

    static double[] scale(double[] a, double alpha) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = alpha * a[i];
        }
        return y;
    }

    // ---- pooling --------------------------------------------------------------------------------

    /** Max over each kernel window, no padding, floor output size. */
    static double[] maxPool2d(double[] x, int n, int c, int h, int w, int kh, int kw, int sh, int sw) {
        int outH = (h - kh) / sh + 1;
        int outW = (w - kw) / sw + 1;
        double[] y = new double[n * c * outH * outW];
        for (int plane = 0; plane < n * c; plane++) {
            for (int p = 0; p < outH; p++) {
                for (int q = 0; q < outW; q++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            max = Math.max(max, x[(plane * h + p * sh + i) * w + q * sw + j]);
                        }
                    }
                    y[(plane * outH + p) * outW + q] = max;
                }
            }
        }
        return y;
    }

    /** Routes each dy to the first (row-major) maximum of its window, as PyTorch's indices do. */
    static double[] maxPool2dBackward(double[] x, double[] dy, int n, int c, int h, int w, int kh, int kw,
                                      int sh, int sw) {
        int outH = (h - kh) / sh + 1;
        int outW = (w - kw) / sw + 1;
        double[] dx = new double[x.length];
        for (int plane = 0; plane < n * c; plane++) {
            for (int p = 0; p < outH; p++) {
                for (int q = 0; q < outW; q++) {
                    int best = -1;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            int idx = (plane * h + p * sh + i) * w + q * sw + j;
                            if (best < 0 || x[idx] > x[best]) {
                                best = idx;
                            }
                        }
                    }
                    dx[best] += dy[(plane * outH + p) * outW + q];
                }
            }
        }
        return dx;
    }

    /** floor(i * in / out). */
    static int binStart(int i, int in, int out) {
        return (int) Math.floor((double) i * in / out);
    }

    /** ceil((i + 1) * in / out). */
    static int binEnd(int i, int in, int out) {
        return (int) Math.ceil((double) (i + 1) * in / out);
    }

    /** Mean over bin (i, j) = rows [floor(i*H/P), ceil((i+1)*H/P)) x the same for columns. */
    static double[] adaptiveAvgPool2d(double[] x, int n, int c, int h, int w, int outH, int outW) {
        double[] y = new double[n * c * outH * outW];
        for (int plane = 0; plane < n * c; plane++) {
            for (int i = 0; i < outH; i++) {
                int r0 = binStart(i, h, outH), r1 = binEnd(i, h, outH);
                for (int j = 0; j < outW; j++) {
                    int c0 = binStart(j, w, outW), c1 = binEnd(j, w, outW);
                    double s = 0;
                    for (int r = r0; r < r1; r++) {
                        for (int col = c0; col < c1; col++) {
                            s += x[(plane * h + r) * w + col];
                        }
                    }
                    y[(plane * outH + i) * outW + j] = s / ((r1 - r0) * (c1 - c0));
                }
            }
        }
        return y;
    }

    // ---- dense layers ---------------------------------------------------------------------------

    /** y [N, O] = x [N, I] W^T + b, W [O, I], b [O] or null. */
    static double[] linear(double[] x, int n, int in, double[] weight, int out, double[] bias) {
        double[] y = new double[n * out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int j = 0; j < in; j++) {
                    s += x[i * in + j] * weight[o * in + j];
                }
                y[i * out + o] = s;
            }
        }
        return y;
    }

    /**
     * op(a) op(b): a is stored [aRows, aCols] and op(a) is a or its transpose, likewise b. The result
     * has op(a)'s rows and op(b)'s columns.
     */
    static double[] matmul(double[] a, int aRows, int aCols, boolean transA,
                           double[] b, int bRows, int bCols, boolean transB) {
        int m = transA ? aCols : aRows;
        int k = transA ? aRows : aCols;
        int kb = transB ? bCols : bRows;
        int n = transB ? bRows : bCols;
        if (k != kb) {
            throw new IllegalArgumentException("inner sizes " + k + " and " + kb);
        }
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) {
                    double av = transA ? a[l * aCols + i] : a[i * aCols + l];
                    double bv = transB ? b[j * bCols + l] : b[l * bCols + j];
                    s += av * bv;
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }

    // ---- classification -------------------------------------------------------------------------

    static double[] softmaxRows(double[] x, int rows, int cols) {
        double[] out = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[r * cols + j]);
            }
            double z = 0;
            for (int j = 0; j < cols; j++) {
                z += Math.exp(x[r * cols + j] - max);
            }
            for (int j = 0; j < cols; j++) {
                out[r * cols + j] = Math.exp(x[r * cols + j] - max) / z;
            }
        }
        return out;
    }

    /** Mean over rows of -log softmax(row)[target]. */
    static double crossEntropy(double[] logits, int rows, int cols, int[] targets) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, logits[r * cols + j]);
            }
            double z = 0;
            for (int j = 0; j < cols; j++) {
                z += Math.exp(logits[r * cols + j] - max);
            }
            total += max + Math.log(z) - logits[r * cols + targets[r]];
        }
        return total / rows;
    }

    // ---- reductions -----------------------------------------------------------------------------

    static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }

    /** out[c] = sum of x[n, c, i] over n and i, x laid out as [batch, channels, inner]. */
    static double[] sumPerChannel(double[] x, int batch, int channels, int inner) {
        double[] out = new double[channels];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < inner; i++) {
                    out[c] += x[(n * channels + c) * inner + i];
                }
            }
        }
        return out;
    }

    /** Index of the first maximum of each row. */
    static int[] argmaxRows(double[] x, int rows, int cols) {
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int j = 1; j < cols; j++) {
                if (x[r * cols + j] > x[r * cols + best]) {
                    best = j;
                }
            }
            out[r] = best;
        }
        return out;
    }

    // ---- optimiser ------------------------------------------------------------------------------

    /**
     * One torch.optim.SGD step, in place: g = grad + wd * p; with momentum, buf = g on the first step
     * and momentum * buf + g after, and the step uses buf; p -= lr * step. {@code buf} may be null
     * when momentum is 0, and is left alone then.
     */
    static void sgdStep(double[] p, double[] grad, double[] buf, double lr, double momentum, double weightDecay,
                        boolean firstStep) {
        for (int i = 0; i < p.length; i++) {
            double g = grad[i] + weightDecay * p[i];
            if (momentum != 0) {
                buf[i] = firstStep ? g : momentum * buf[i] + g;
                g = buf[i];
            }
            p[i] -= lr * g;
        }
    }
}
