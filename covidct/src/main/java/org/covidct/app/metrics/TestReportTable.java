package org.covidct.app.metrics;

/**
 * A {@link TestReport} as the console prints it: the tutorial's "Test Performance" block with each
 * metric's 95% interval beside it (and precision and F1 added), the loss, the confusion matrix,
 * sklearn's classification report, then the calibration and both operating points.
 */
final class TestReportTable {
    private static final String HEAD = "------------------- Test Performance --------------------------------------";
    private static final String RULE = "------------------------------------------------------------------------------";

    private TestReportTable() {
    }

    static String format(TestReport r) {
        MetricsReport m = r.metrics();
        MetricIntervals ci = r.intervals();
        ClassificationReport cr = m.classificationReport();
        StringBuilder sb = new StringBuilder();
        sb.append(HEAD).append('\n');
        sb.append("Accuracy \t ").append(withInterval(m.accuracy(), ci.accuracy())).append('\n');
        sb.append("Sensitivity \t ").append(withInterval(m.sensitivity(), ci.sensitivity())).append('\n');
        sb.append("Specificity \t ").append(withInterval(m.specificity(), ci.specificity())).append('\n');
        sb.append("Precision \t ").append(withInterval(cr.positive().precision(), ci.precision())).append('\n');
        sb.append("F1 \t ").append(withInterval(cr.positive().f1(), ci.f1())).append('\n');
        sb.append("Area Under ROC \t ").append(m.rocAuc().format(3));
        if (ci.rocAuc() instanceof ConfidenceInterval.Defined) {
            sb.append(" (95% CI ").append(ci.rocAuc().format(3)).append(" bootstrap, ")
                    .append(r.rocAucDeLong().format(3)).append(r.rocAucDeLong() instanceof ConfidenceInterval.Defined
                            ? " DeLong)" : ")");
        }
        sb.append('\n').append(RULE).append('\n');
        sb.append("95% CI: stratified bootstrap, ").append(r.options().resamples()).append(" resamples, seed ")
                .append(r.options().seed()).append("; DeLong's for the AUC as well\n");
        sb.append("Loss \t ").append(PythonFormat.repr(m.loss())).append("\n\n");
        sb.append(MetricsReport.confusionMatrixHeading(cr.names())).append('\n')
                .append(m.confusionMatrix().format()).append("\n\n");
        sb.append(cr.formatText()).append('\n');

        sb.append("Calibration (P(").append(cr.names().positive()).append("), ").append(Calibration.BINS).append(" equal-width bins): ")
                .append(calibration(r.calibration())).append('\n');
        if (r.temperature().isPresent()) {
            TemperatureScaling t = r.temperature().get();
            sb.append("Temperature ").append(PythonFormat.fixed(t.temperature(), 3))
                    .append(t.atBound() ? " (a bound of the search)" : "")
                    .append(" fitted on validation (NLL ").append(PythonFormat.fixed(t.nllBefore(), 4)).append(" -> ")
                    .append(PythonFormat.fixed(t.nllAfter(), 4)).append("): ")
                    .append(calibration(r.scaledCalibration().orElseThrow())).append('\n');
        } else {
            sb.append("Temperature: none (").append(r.noTemperatureReason().orElseThrow()).append(")\n");
        }
        sb.append('\n').append("Operating points on test (95% CI)\n");
        sb.append("threshold 0.5 (argmax, score > 0.5): ").append(point(m.confusionMatrix(), ci)).append('\n');
        if (r.chosen().isPresent()) {
            TestReport.ChosenPoint c = r.chosen().get();
            if (c.point().aboveEveryScore()) {
                sb.append("threshold none (").append(c.point().rule().describe()).append(": ")
                        .append(OperatingPoint.aboveEveryScoreMeaning(cr.names())).append("): ");
            } else {
                sb.append("threshold ").append(PythonFormat.fixed(c.point().threshold(), 4)).append(" (")
                        .append(c.point().rule().describe()).append(", score >= threshold): ");
            }
            sb.append(point(c.test(), c.testIntervals())).append('\n');
        } else {
            sb.append("no threshold chosen on validation (").append(r.noChosenPointReason().orElseThrow()).append(")\n");
        }
        return sb.toString();
    }

    /** "0.828 (95% CI 0.776-0.877)". */
    static String withInterval(double value, ConfidenceInterval ci) {
        return PythonFormat.fixed(value, 3) + " (95% CI " + ci.format(3) + ")";
    }

    private static String calibration(Calibration c) {
        return "ECE " + PythonFormat.fixed(c.expectedCalibrationError(), 3) + ", Brier "
                + PythonFormat.fixed(c.brierScore(), 3);
    }

    private static String point(ConfusionMatrix cm, MetricIntervals ci) {
        ClassificationReport r = ClassificationReport.of(cm);
        return "accuracy " + brief(r.accuracy(), ci.accuracy())
                + ", sensitivity " + brief(r.sensitivity(), ci.sensitivity())
                + ", specificity " + brief(r.specificity(), ci.specificity())
                + ", precision " + brief(r.positive().precision(), ci.precision())
                + ", F1 " + brief(r.positive().f1(), ci.f1());
    }

    private static String brief(double value, ConfidenceInterval ci) {
        return PythonFormat.fixed(value, 3) + " (" + ci.format(3) + ")";
    }
}
