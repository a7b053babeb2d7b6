package org.covidct.app.metrics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * sklearn.metrics.roc_curve for labels 0/1 with COVID (1) positive, as in scikit-learn 1.2
 * (Debian's): one point per distinct score, tied scores forming one step; with
 * {@code dropIntermediate} the collinear inner points dropped; then (0, 0) prepended with the
 * threshold "highest score + 1". (scikit-learn 1.3 and later prepend {@code +inf} instead;
 * the rates are the same.)
 *
 * <p>Defined only when both classes are present: with one class sklearn divides by zero and
 * returns NaN rates, which this type never holds.
 */
public record RocCurve(double[] fpr, double[] tpr, double[] thresholds) {

    public RocCurve {
        if (fpr.length != tpr.length || fpr.length != thresholds.length) {
            throw new IllegalArgumentException("fpr, tpr and thresholds differ in length");
        }
        fpr = fpr.clone();
        tpr = tpr.clone();
        thresholds = thresholds.clone();
    }

    @Override
    public double[] fpr() {
        return fpr.clone();
    }

    @Override
    public double[] tpr() {
        return tpr.clone();
    }

    @Override
    public double[] thresholds() {
        return thresholds.clone();
    }

    public int size() {
        return fpr.length;
    }

    /**
     * The curve of {@code scores} against {@code targets} (0 or 1).
     *
     * @throws IllegalArgumentException when the lengths differ, a score is not finite, a target is
     *     not 0 or 1, or only one class is present (see {@link RocAuc#of} for a non-throwing form)
     */
    public static RocCurve of(int[] targets, double[] scores, boolean dropIntermediate) {
        if (targets.length != scores.length) {
            throw new IllegalArgumentException(targets.length + " targets but " + scores.length + " scores");
        }
        int n = targets.length;
        long positives = 0;
        for (int i = 0; i < n; i++) {
            if (targets[i] != 0 && targets[i] != 1) {
                throw new IllegalArgumentException("target must be 0 or 1, got " + targets[i]);
            }
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("score must be finite, got " + scores[i]);
            }
            positives += targets[i];
        }
        if (positives == 0 || positives == n) {
            throw new IllegalArgumentException(RocAuc.ONE_CLASS);
        }
        // numpy's argsort(kind="mergesort")[::-1]: descending, equal scores in reverse index order,
        // so a tie group's threshold is the score of its first sample (matters only for -0.0 vs 0.0).
        Comparator<Integer> byScore = (a, b) -> scores[a] < scores[b] ? 1 : scores[a] > scores[b] ? -1 : 0;
        int[] order = IntStream.range(0, n).boxed()
                .sorted(byScore.thenComparing(Comparator.reverseOrder()))
                .mapToInt(Integer::intValue).toArray();

        // One point per distinct score: cumulative true and false positives at the group's end.
        double[] tps = new double[n];
        double[] fps = new double[n];
        double[] thr = new double[n];
        int groups = 0;
        long tp = 0;
        for (int i = 0; i < n; i++) {
            tp += targets[order[i]];
            if (i == n - 1 || scores[order[i]] != scores[order[i + 1]]) {
                tps[groups] = tp;
                fps[groups] = i + 1 - tp;
                thr[groups] = scores[order[i]];
                groups++;
            }
        }
        int m = groups;

        int[] keep;
        if (dropIntermediate && m > 2) {
            // Keep the ends and every corner: a non-zero second difference in fps or tps.
            keep = IntStream.range(0, m).filter(j -> j == 0 || j == m - 1
                    || fps[j + 1] - 2 * fps[j] + fps[j - 1] != 0
                    || tps[j + 1] - 2 * tps[j] + tps[j - 1] != 0).toArray();
        } else {
            keep = IntStream.range(0, m).toArray();
        }

        int k = keep.length + 1;
        double[] fpr = new double[k];
        double[] tpr = new double[k];
        double[] thresholds = new double[k];
        double lastFp = fps[m - 1];
        double lastTp = tps[m - 1];
        thresholds[0] = thr[keep[0]] + 1;
        for (int j = 0; j < keep.length; j++) {
            fpr[j + 1] = fps[keep[j]] / lastFp;
            tpr[j + 1] = tps[keep[j]] / lastTp;
            thresholds[j + 1] = thr[keep[j]];
        }
        return new RocCurve(fpr, tpr, thresholds);
    }

    /**
     * The area under this curve as sklearn.metrics.auc takes it: numpy's trapz,
     * {@code sum(diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0)}, summed in numpy's pairwise order so the
     * result agrees to the last bit.
     */
    public double auc() {
        double[] terms = new double[fpr.length - 1];
        for (int i = 0; i < terms.length; i++) {
            terms[i] = (fpr[i + 1] - fpr[i]) * (tpr[i + 1] + tpr[i]) / 2.0;
        }
        return pairwiseSum(terms, 0, terms.length);
    }

    /** numpy's pairwise_sum (8-way unrolled blocks of at most 128, halves above that). */
    static double pairwiseSum(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        if (n <= 128) {
            double[] r = new double[8];
            System.arraycopy(a, from, r, 0, 8);
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[from + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RocCurve r && Arrays.equals(fpr, r.fpr) && Arrays.equals(tpr, r.tpr)
                && Arrays.equals(thresholds, r.thresholds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(fpr) + Arrays.hashCode(tpr)) + Arrays.hashCode(thresholds);
    }

    @Override
    public String toString() {
        return "RocCurve[fpr=" + Arrays.toString(fpr) + ", tpr=" + Arrays.toString(tpr)
                + ", thresholds=" + Arrays.toString(thresholds) + "]";
    }
}
