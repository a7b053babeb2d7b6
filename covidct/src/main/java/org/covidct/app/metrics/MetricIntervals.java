package org.covidct.app.metrics;

/** One confidence interval for each of the thresholded metrics and the ROC AUC. */
public record MetricIntervals(
        ConfidenceInterval accuracy,
        ConfidenceInterval sensitivity,
        ConfidenceInterval specificity,
        ConfidenceInterval precision,
        ConfidenceInterval f1,
        ConfidenceInterval rocAuc) {
}
