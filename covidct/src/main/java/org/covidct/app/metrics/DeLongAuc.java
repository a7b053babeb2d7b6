package org.covidct.app.metrics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * DeLong's variance of the ROC AUC (DeLong, DeLong and Clarke-Pearson, Biometrics 1988), computed
 * the fast way of Sun and Xu (IEEE Signal Processing Letters 21(11), 2014) from midranks, so tied
 * scores count one half as in the Mann-Whitney statistic.
 *
 * <p>With m COVID scores X and n NonCOVID scores Y, the placements are
 * {@code V10(X_i) = (Tz_i - Tx_i) / n} and {@code V01(Y_j) = 1 - (Tz_j - Ty_j) / m}, where Tz is
 * a sample's midrank among all scores, Tx among the COVID scores and Ty among the NonCOVID ones.
 * The AUC is the mean of V10; its variance is {@code S10 / m + S01 / n}, with S10 and S01 the
 * sample variances (denominators m - 1 and n - 1) of the placements.
 *
 * <p>The 95% interval is the plain normal one, {@code AUC -/+ 1.959963984540054 * sqrt(variance)},
 * clipped to [0, 1] (as pROC's {@code ci.auc(method = "delong")}). It needs at least two samples of
 * each class, since S10 and S01 divide by m - 1 and n - 1.
 */
public record DeLongAuc(double auc, double variance) {
    /** The standard normal's 97.5th percentile. */
    public static final double Z_975 = 1.959963984540054;
    public static final String TOO_FEW = "undefined: DeLong's variance needs at least two samples of each class";

    /** DeLong's AUC and variance; at least two samples of each class are required. */
    public static DeLongAuc of(int[] targets, double[] scores) {
        if (targets.length != scores.length) {
            throw new IllegalArgumentException(targets.length + " targets but " + scores.length + " scores");
        }
        int m = 0;
        for (int t : targets) {
            if (t != 0 && t != 1) {
                throw new IllegalArgumentException("target must be 0 or 1, got " + t);
            }
            m += t;
        }
        int n = targets.length - m;
        if (m < 2 || n < 2) {
            throw new IllegalArgumentException("DeLong's variance needs at least two samples of each class, got "
                    + m + " positive and " + n + " negative");
        }
        double[] x = new double[m];
        double[] y = new double[n];
        for (int i = 0, a = 0, b = 0; i < targets.length; i++) {
            if (targets[i] == 1) {
                x[a++] = scores[i];
            } else {
                y[b++] = scores[i];
            }
        }
        double[] z = new double[m + n];
        System.arraycopy(x, 0, z, 0, m);
        System.arraycopy(y, 0, z, m, n);
        double[] tx = midranks(x);
        double[] ty = midranks(y);
        double[] tz = midranks(z);

        double[] v10 = new double[m];
        double[] v01 = new double[n];
        for (int i = 0; i < m; i++) {
            v10[i] = (tz[i] - tx[i]) / n;
        }
        for (int j = 0; j < n; j++) {
            v01[j] = 1.0 - (tz[m + j] - ty[j]) / m;
        }
        double auc = mean(v10);
        return new DeLongAuc(auc, sampleVariance(v10, auc) / m + sampleVariance(v01, auc) / n);
    }

    /** The 95% interval, or why there is none (fewer than two samples of a class). */
    public static ConfidenceInterval interval(int[] targets, double[] scores) {
        long m = Arrays.stream(targets).filter(t -> t == 1).count();
        if (m < 2 || targets.length - m < 2) {
            return new ConfidenceInterval.Undefined(m == 0 || m == targets.length ? RocAuc.ONE_CLASS : TOO_FEW);
        }
        return of(targets, scores).interval95();
    }

    public double standardError() {
        return Math.sqrt(variance);
    }

    /** {@code [max(0, AUC - z * SE), min(1, AUC + z * SE)]}. */
    public ConfidenceInterval.Defined interval95() {
        double half = Z_975 * standardError();
        return new ConfidenceInterval.Defined(Math.max(0.0, auc - half), Math.min(1.0, auc + half));
    }

    /** 1-based ranks, tied values sharing the mean of the ranks they span. */
    static double[] midranks(double[] v) {
        int n = v.length;
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i] + 0.0));
        double[] ranks = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        return ranks;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }

    private static double sampleVariance(double[] v, double mean) {
        double s = 0;
        for (double d : v) {
            s += (d - mean) * (d - mean);
        }
        return s / (v.length - 1);
    }
}
