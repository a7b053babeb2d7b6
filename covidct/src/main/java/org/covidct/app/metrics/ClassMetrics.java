package org.covidct.app.metrics;

/** One row of sklearn's classification_report: precision, recall, F1 and support. */
public record ClassMetrics(double precision, double recall, double f1, long support) {

    /**
     * sklearn 1.2's precision_recall_fscore_support for one class. A zero denominator gives 0 (its
     * {@code zero_division="warn"} value, after the warning). F1 is {@code 2*p*r/(p+r)} from the
     * rounded p and r, as sklearn 1.2 computes it (1.3 and later use 2tp/(2tp+fp+fn), which differs
     * in the last bit).
     */
    public static ClassMetrics of(long truePositives, long predictedCount, long support) {
        double precision = divide(truePositives, predictedCount);
        double recall = divide(truePositives, support);
        return new ClassMetrics(precision, recall, f1(precision, recall), support);
    }

    static double f1(double precision, double recall) {
        double denom = precision + recall;
        return 2.0 * precision * recall / (denom == 0.0 ? 1.0 : denom);
    }

    private static double divide(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / (double) denominator;
    }
}
