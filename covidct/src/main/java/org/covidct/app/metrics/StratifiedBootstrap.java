package org.covidct.app.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Percentile 95% confidence intervals by the stratified bootstrap: each resample draws, with
 * replacement, as many COVID (positive) samples from the COVID samples as there are, and as many
 * NonCOVID (negative) samples from the NonCOVID ones, so every resample keeps both class sizes.
 *
 * <p>The draws come from {@link SplitMix64} seeded with the seed: for each resample, first the
 * positives' draws ({@code nextInt(P)} P times, indexing the COVID samples in input order), then
 * the negatives' ({@code nextInt(N)} N times). Each resample's metrics are computed exactly as the
 * point estimates are: accuracy, sensitivity (recall of COVID), specificity (recall of NonCOVID),
 * and COVID's precision and F1 with sklearn's zero-division value 0 (a resample that predicts no
 * COVID has precision 0, as the whole set would), and the ROC AUC as the Mann-Whitney statistic
 * (equal to sklearn's trapezoidal area). Since the class sizes are fixed, a metric is defined in
 * every resample exactly when it is defined on the data: sensitivity needs a COVID sample,
 * specificity a NonCOVID one, the AUC both; otherwise its interval is {@link
 * ConfidenceInterval.Undefined} and says why.
 *
 * <p>The interval's bounds are the 2.5th and 97.5th percentiles of the B resampled values,
 * interpolated linearly between order statistics: with the values sorted, {@code h = (B - 1) * q},
 * {@code i = floor(h)}, the percentile is {@code min(v[i + 1], v[i] + (h - i) * (v[i + 1] - v[i]))}
 * (numpy's default "linear" method; the min keeps a rounding from stepping past {@code v[i + 1]}).
 */
public final class StratifiedBootstrap {

    private final int resamples;
    private final long seed;

    /** A bootstrap of {@code resamples} resamples drawn from {@code seed}. */
    public StratifiedBootstrap(int resamples, long seed) {
        if (resamples < 2) {
            throw new IllegalArgumentException("bootstrap resamples must be at least 2, got " + resamples);
        }
        this.resamples = resamples;
        this.seed = seed;
    }

    public int resamples() {
        return resamples;
    }

    public long seed() {
        return seed;
    }

    /** Why a metric of class {@code name} has no interval: the data hold no sample of it. */
    public static String noSample(String name) {
        return "undefined: no " + name + " sample";
    }

    /** {@link #intervals(List, ClassNames)} with COVID-CT's class names. */
    public MetricIntervals intervals(List<Prediction> predictions) {
        return intervals(predictions, ClassNames.COVID_CT);
    }

    /**
     * The intervals of the predictions' metrics, each prediction's class as it was predicted; an
     * undefined interval names the class {@code names} that has no sample.
     */
    public MetricIntervals intervals(List<Prediction> predictions, ClassNames names) {
        int n = predictions.size();
        if (n == 0) {
            throw new IllegalArgumentException("bootstrap: no predictions");
        }
        List<Integer> positives = new ArrayList<>();
        List<Integer> negatives = new ArrayList<>();
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            (predictions.get(i).target() == Prediction.COVID ? positives : negatives).add(i);
            scores[i] = predictions.get(i).score();
        }
        int p = positives.size(), q = negatives.size();
        ScoreGroups groups = new ScoreGroups(scores);
        long[] posPerGroup = new long[groups.groups()];
        long[] negPerGroup = new long[groups.groups()];
        double[][] values = new double[6][resamples];
        SplitMix64 random = new SplitMix64(seed);
        for (int b = 0; b < resamples; b++) {
            Arrays.fill(posPerGroup, 0);
            Arrays.fill(negPerGroup, 0);
            long tp = 0, fp = 0;
            for (int k = 0; k < p; k++) {
                int i = positives.get(random.nextInt(p));
                tp += predictions.get(i).predicted();
                posPerGroup[groups.groupOf(i)]++;
            }
            for (int k = 0; k < q; k++) {
                int i = negatives.get(random.nextInt(q));
                fp += predictions.get(i).predicted();
                negPerGroup[groups.groupOf(i)]++;
            }
            ClassificationReport r = ClassificationReport.of(new ConfusionMatrix(q - fp, fp, p - tp, tp));
            values[0][b] = r.accuracy();
            values[1][b] = r.sensitivity();
            values[2][b] = r.specificity();
            values[3][b] = r.positive().precision();
            values[4][b] = r.positive().f1();
            values[5][b] = p > 0 && q > 0 ? ScoreGroups.auc(posPerGroup, negPerGroup) : Double.NaN;
        }
        return new MetricIntervals(
                interval(values[0]),
                p > 0 ? interval(values[1]) : new ConfidenceInterval.Undefined(noSample(names.positive())),
                q > 0 ? interval(values[2]) : new ConfidenceInterval.Undefined(noSample(names.negative())),
                interval(values[3]),
                interval(values[4]),
                p > 0 && q > 0 ? interval(values[5]) : new ConfidenceInterval.Undefined(RocAuc.ONE_CLASS));
    }

    private static ConfidenceInterval interval(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new ConfidenceInterval.Defined(percentile(sorted, 0.025), percentile(sorted, 0.975));
    }

    /** The {@code q}-quantile (0 to 1) of ascending {@code sorted} values, numpy's "linear" method. */
    static double percentile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int i = (int) Math.floor(h);
        if (i >= sorted.length - 1) {
            return sorted[sorted.length - 1];
        }
        return Math.min(sorted[i + 1], sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]));
    }
}
