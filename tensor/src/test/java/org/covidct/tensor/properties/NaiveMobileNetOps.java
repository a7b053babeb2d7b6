package org.covidct.tensor.properties;

/**
 * Double-precision references for the MobileNet ops (grouped convolution, asymmetric zero
 * padding, clamp), plain loops from their definitions sharing no code with the kernels.
 */
final class NaiveMobileNetOps {
    private NaiveMobileNetOps() {
    }

    /**
     * y[n,k,p,q] = bias[k] + sum over the cg = c/groups channels ci of k's group g = k/(k/groups) and
     * the taps (r, s) of x[n, g*cg + ci, p*sh-ph+r, q*sw-pw+s] * w[k,ci,r,s], zero padding.
     */
    static double[] groupedConv2d(double[] x, int n, int c, int h, int w, double[] weight, int k, int r, int s,
                                  double[] bias, int sh, int sw, int ph, int pw, int groups) {
        int cg = c / groups, kg = k / groups;
        int outH = NaiveOps.convOut(h, r, sh, ph), outW = NaiveOps.convOut(w, s, sw, pw);
        double[] y = new double[n * k * outH * outW];
        for (int ni = 0; ni < n; ni++) {
            for (int ki = 0; ki < k; ki++) {
                int group = ki / kg;
                for (int p = 0; p < outH; p++) {
                    for (int q = 0; q < outW; q++) {
                        double acc = bias == null ? 0 : bias[ki];
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ri = 0; ri < r; ri++) {
                                for (int si = 0; si < s; si++) {
                                    int ih = p * sh - ph + ri, iw = q * sw - pw + si;
                                    if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                        acc += x[((ni * c + group * cg + ci) * h + ih) * w + iw]
                                                * weight[((ki * cg + ci) * r + ri) * s + si];
                                    }
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

    /** The adjoints of {@link #groupedConv2d} as scatter loops; returns {dx, dw}. */
    static double[][] groupedConv2dBackward(double[] x, int n, int c, int h, int w, double[] weight, int k, int r,
                                            int s, double[] dy, int sh, int sw, int ph, int pw, int groups) {
        int cg = c / groups, kg = k / groups;
        int outH = NaiveOps.convOut(h, r, sh, ph), outW = NaiveOps.convOut(w, s, sw, pw);
        double[] dx = new double[x.length];
        double[] dw = new double[weight.length];
        for (int ni = 0; ni < n; ni++) {
            for (int ki = 0; ki < k; ki++) {
                int group = ki / kg;
                for (int p = 0; p < outH; p++) {
                    for (int q = 0; q < outW; q++) {
                        double g = dy[((ni * k + ki) * outH + p) * outW + q];
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ri = 0; ri < r; ri++) {
                                for (int si = 0; si < s; si++) {
                                    int ih = p * sh - ph + ri, iw = q * sw - pw + si;
                                    if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                        int xi = ((ni * c + group * cg + ci) * h + ih) * w + iw;
                                        int wi = ((ki * cg + ci) * r + ri) * s + si;
                                        dx[xi] += g * weight[wi];
                                        dw[wi] += g * x[xi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {dx, dw};
    }

    /** x [planes, h, w] zero-padded by top, bottom, left, right. */
    static double[] pad2d(double[] x, int planes, int h, int w, int top, int bottom, int left, int right) {
        int hp = h + top + bottom, wp = w + left + right;
        double[] y = new double[planes * hp * wp];
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    y[(pl * hp + i + top) * wp + j + left] = x[(pl * h + i) * w + j];
                }
            }
        }
        return y;
    }

    static double[] clamp(double[] x, double min, double max) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.min(Math.max(x[i], min), max);
        }
        return y;
    }
}
