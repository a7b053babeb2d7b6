package org.covidct.app.metrics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A decision threshold on the score, chosen on validation by a {@link ThresholdRule}, under which a
 * sample is predicted positive when its score is at least the threshold (sklearn's {@code roc_curve}
 * convention). The tutorial's own rule, argmax of the logits, is score > 0.5 instead.
 *
 * <p>The candidates are the thresholds of {@code roc_curve(y, p, drop_intermediate=False)}: every
 * distinct score, and above them "highest score + 1", which predicts no positive. Youden's J is
 * compared exactly, as {@code tp * N - fp * P} in integers (P, N: the positive and negative counts), and
 * of equal J the highest threshold wins, which is what {@code np.argmax(tpr - fpr)} over
 * roc_curve's descending thresholds picks when no rounding intervenes. A target sensitivity picks
 * the highest threshold whose {@code tp / P >= target}.
 *
 * <p>Youden's J picks "highest score + 1" when no threshold among the scores did better than
 * predicting every case negative (J is 0 there, and at most 0 everywhere else): a threshold above 1
 * that means "never positive", which {@link #aboveEveryScore()} tells the reports.
 *
 * @param rule how the threshold was chosen
 * @param threshold predict the positive class when {@code score >= threshold}
 * @param aboveEveryScore whether the threshold is the one above every validation score, which predicts
 *     no validation case positive
 */
public record OperatingPoint(ThresholdRule rule, double threshold, boolean aboveEveryScore) {

    /** The threshold {@code rule} chooses on {@code predictions}, which must hold both classes. */
    public static OperatingPoint choose(ThresholdRule rule, List<Prediction> predictions) {
        int n = predictions.size();
        long positives = predictions.stream().filter(p -> p.target() == Prediction.COVID).count();
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("choosing a threshold needs both classes in the validation set, got "
                    + positives + " positive and " + negatives + " negative");
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> predictions.get(i).score() + 0.0).reversed());

        double best = predictions.get(order[0]).score() + 1;
        boolean bestAboveAll = true;
        long bestTp = 0, bestFp = 0;
        long tp = 0, fp = 0;
        for (int k = 0; k < n; k++) {
            Prediction p = predictions.get(order[k]);
            if (p.target() == Prediction.COVID) {
                tp++;
            } else {
                fp++;
            }
            if (k + 1 < n && predictions.get(order[k + 1]).score() == p.score()) {
                continue; // a tie group is one threshold
            }
            switch (rule) {
                case ThresholdRule.Youden y -> {
                    if (tp * negatives - fp * positives > bestTp * negatives - bestFp * positives) {
                        best = p.score();
                        bestAboveAll = false;
                        bestTp = tp;
                        bestFp = fp;
                    }
                }
                case ThresholdRule.TargetSensitivity t -> {
                    if ((double) tp / positives >= t.target()) {
                        return new OperatingPoint(rule, p.score(), false);
                    }
                }
            }
        }
        return new OperatingPoint(rule, best, bestAboveAll);
    }

    /**
     * What a threshold {@link #aboveEveryScore() above every score} means, in words naming the classes
     * {@code names}, for the printed table, test_metrics.json and the report.
     */
    public static String aboveEveryScoreMeaning(ClassNames names) {
        return "no threshold on the validation scores did better than predicting every case " + names.negative()
                + " (Youden's J at most 0), so no case is predicted " + names.positive();
    }

    /** The predictions relabelled by this threshold: positive when {@code score >= threshold}. */
    public List<Prediction> relabel(List<Prediction> predictions) {
        return predictions.stream().map(p -> new Prediction(p.target(),
                p.score() >= threshold ? Prediction.COVID : Prediction.NON_COVID, p.score())).toList();
    }

    /** The confusion matrix of {@code predictions} under this threshold. */
    public ConfusionMatrix confusionMatrix(List<Prediction> predictions) {
        return ConfusionMatrix.of(relabel(predictions));
    }
}
