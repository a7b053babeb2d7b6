package org.covidct.app.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * How well the scores, as probabilities of COVID, match the observed frequency of COVID: the
 * reliability diagram's bins, the expected calibration error and the Brier score.
 *
 * <p>The bins are sklearn's {@code calibration_curve(y, p, n_bins=10, strategy="uniform")}: ten
 * equal widths with edges {@code k * 0.1} (numpy's {@code linspace(0, 1, 11)}), each closed on the
 * right, so bin b holds the scores in {@code (e_b, e_{b+1}]} and bin 0 holds 0 as well.
 *
 * <p>The expected calibration error is taken for the probability of COVID (not the confidence of
 * the predicted class, as Guo et al. 2017 take it for many classes): {@code sum over bins of
 * (n_b / N) * |o_b - c_b|}, with o_b the fraction of COVID samples in the bin and c_b the mean
 * score; empty bins add nothing. The Brier score is {@code mean((p - y)^2)}, sklearn's
 * {@code brier_score_loss}.
 */
public record Calibration(List<Bin> bins, double expectedCalibrationError, double brierScore, long count) {
    public static final int BINS = 10;

    /**
     * One bin: its edges, how many samples fall in it, how many of those are COVID and the sum of
     * their scores.
     */
    public record Bin(double lower, double upper, long count, long positives, double scoreSum) {
        public boolean isEmpty() {
            return count == 0;
        }

        /** The mean score of the bin's samples; the bin must not be empty. */
        public double meanConfidence() {
            requireSamples();
            return scoreSum / count;
        }

        /** The fraction of the bin's samples that are COVID; the bin must not be empty. */
        public double observedFrequency() {
            requireSamples();
            return (double) positives / count;
        }

        private void requireSamples() {
            if (count == 0) {
                throw new IllegalStateException("calibration bin (" + lower + ", " + upper + "] is empty");
            }
        }
    }

    public Calibration {
        bins = List.copyOf(bins);
    }

    /** The calibration of {@code scores} (probabilities in [0, 1]) against {@code targets} (0 or 1). */
    public static Calibration of(int[] targets, double[] scores) {
        if (targets.length != scores.length) {
            throw new IllegalArgumentException(targets.length + " targets but " + scores.length + " scores");
        }
        if (targets.length == 0) {
            throw new IllegalArgumentException("calibration: no samples");
        }
        double[] edges = new double[BINS + 1];
        for (int k = 0; k < BINS; k++) {
            edges[k] = k * (1.0 / BINS);
        }
        edges[BINS] = 1.0;
        long[] count = new long[BINS];
        long[] positives = new long[BINS];
        double[] scoreSum = new double[BINS];
        double squaredErrors = 0;
        for (int i = 0; i < scores.length; i++) {
            double p = scores[i];
            int y = targets[i];
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("calibration: score " + i + " must be a probability in [0, 1], got " + p);
            }
            if (y != 0 && y != 1) {
                throw new IllegalArgumentException("target must be 0 or 1, got " + y);
            }
            int b = 0;
            while (b < BINS - 1 && edges[b + 1] < p) {
                b++;
            }
            count[b]++;
            positives[b] += y;
            scoreSum[b] += p;
            squaredErrors += (p - y) * (p - y);
        }
        List<Bin> bins = new ArrayList<>();
        double ece = 0;
        for (int b = 0; b < BINS; b++) {
            Bin bin = new Bin(edges[b], edges[b + 1], count[b], positives[b], scoreSum[b]);
            bins.add(bin);
            if (!bin.isEmpty()) {
                ece += (double) bin.count() / scores.length * Math.abs(bin.observedFrequency() - bin.meanConfidence());
            }
        }
        return new Calibration(bins, ece, squaredErrors / scores.length, scores.length);
    }
}
