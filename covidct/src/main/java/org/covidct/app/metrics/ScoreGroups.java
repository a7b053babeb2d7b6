package org.covidct.app.metrics;

import java.util.Arrays;

/**
 * The distinct scores of a data set in ascending order, and each sample's place among them: what a
 * resample's AUC needs, so that a resample only counts samples per score.
 */
final class ScoreGroups {
    private final int[] groupOf;
    private final int groups;

    ScoreGroups(double[] scores) {
        // Adding 0.0 turns -0.0 into 0.0: they are one score to a comparison, though not to a sort.
        double[] distinct = Arrays.stream(scores).map(s -> s + 0.0).sorted().distinct().toArray();
        groupOf = new int[scores.length];
        for (int i = 0; i < scores.length; i++) {
            groupOf[i] = Arrays.binarySearch(distinct, scores[i] + 0.0);
        }
        groups = distinct.length;
    }

    int groupOf(int sample) {
        return groupOf[sample];
    }

    int groups() {
        return groups;
    }

    /**
     * The Mann-Whitney AUC from per-score counts of positives and negatives: the fraction of
     * (positive, negative) pairs ordered correctly, a tie counting one half. Summed in integers as
     * twice the count, so the one division is the only rounding.
     */
    static double auc(long[] positivesPerGroup, long[] negativesPerGroup) {
        long twiceCorrect = 0, positives = 0, negativesBelow = 0;
        for (int g = 0; g < positivesPerGroup.length; g++) {
            twiceCorrect += positivesPerGroup[g] * (2 * negativesBelow + negativesPerGroup[g]);
            positives += positivesPerGroup[g];
            negativesBelow += negativesPerGroup[g];
        }
        return (double) twiceCorrect / (2.0 * positives * negativesBelow);
    }
}
