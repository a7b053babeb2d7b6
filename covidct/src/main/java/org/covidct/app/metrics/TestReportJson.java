package org.covidct.app.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A {@link TestReport} as the test split's entry of test_metrics.json: the {@link MetricsReport}
 * keys, then
 * <ul>
 * <li>{@code precision}, {@code f1}: the positive class's, the point values the intervals go with;
 * <li>{@code accuracy_ci}, {@code sensitivity_ci}, {@code specificity_ci}, {@code precision_ci},
 *     {@code f1_ci}, {@code roc_auc_ci_bootstrap}, {@code roc_auc_ci_delong}: {@code [lower, upper]},
 *     or null with {@code <key>_undefined_reason}; {@code roc_auc_delong_se};
 * <li>{@code uncertainty}: how the intervals were made (confidence, resamples, seed, generator);
 * <li>{@code calibration}: {@code num_bins}, {@code ece}, {@code brier} and {@code bins}, each with
 *     {@code lower}, {@code upper}, {@code count}, {@code mean_confidence} and
 *     {@code observed_frequency} (null for an empty bin);
 * <li>{@code temperature_scaling}: {@code temperature}, {@code fitted_on}, {@code val_nll_before},
 *     {@code val_nll_after}, {@code at_bound} and the test set's {@code calibration} under it; or null
 *     with a reason;
 * <li>{@code operating_points}: {@code default} (argmax, score > 0.5) and {@code chosen} (the
 *     threshold chosen on validation, applied as score >= threshold; null with a reason when there
 *     is none), each with its rule, threshold and metrics ({@code val} where chosen, {@code test}
 *     with intervals); the chosen one also with {@code threshold_above_every_score}, true where no
 *     threshold on the validation scores beat predicting every case negative, so that its threshold
 *     (above 1) predicts none positive, and then a {@code threshold_note} saying so in words.
 * </ul>
 */
final class TestReportJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestReportJson() {
    }

    static ObjectNode tree(TestReport r) {
        ObjectNode root = r.metrics().toJsonTree();
        ClassificationReport cr = r.metrics().classificationReport();
        root.put("precision", cr.positive().precision());
        root.put("f1", cr.positive().f1());
        MetricIntervals ci = r.intervals();
        putIntervals(root, ci);
        putInterval(root, "roc_auc_ci_bootstrap", ci.rocAuc());
        putInterval(root, "roc_auc_ci_delong", r.rocAucDeLong());
        if (r.deLong().isPresent()) {
            root.put("roc_auc_delong_se", r.deLong().get().standardError());
        } else {
            root.putNull("roc_auc_delong_se");
        }

        ObjectNode how = root.putObject("uncertainty");
        how.put("confidence", 0.95);
        how.put("bootstrap", "stratified, percentile interval");
        how.put("resamples", r.options().resamples());
        how.put("seed", r.options().seed());
        how.put("generator", "SplitMix64");
        how.put("delong", "plain normal interval clipped to [0, 1]");

        root.set("calibration", calibration(r.calibration()));

        if (r.temperature().isPresent()) {
            TemperatureScaling t = r.temperature().get();
            ObjectNode ts = root.putObject("temperature_scaling");
            ts.put("temperature", t.temperature());
            ts.put("fitted_on", "val");
            ts.put("val_nll_before", t.nllBefore());
            ts.put("val_nll_after", t.nllAfter());
            ts.put("at_bound", t.atBound());
            ts.set("calibration", calibration(r.scaledCalibration().orElseThrow()));
        } else {
            root.putNull("temperature_scaling");
            root.put("temperature_scaling_undefined_reason", r.noTemperatureReason().orElseThrow());
        }

        ObjectNode points = root.putObject("operating_points");
        ObjectNode def = points.putObject("default");
        def.put("rule", "argmax");
        def.put("predict_covid_when", "score > threshold");
        def.put("threshold", 0.5);
        ObjectNode defTest = def.putObject("test");
        putMetrics(defTest, r.metrics().confusionMatrix());
        putIntervals(defTest, ci);
        if (r.chosen().isPresent()) {
            TestReport.ChosenPoint c = r.chosen().get();
            ObjectNode chosen = points.putObject("chosen");
            chosen.put("rule", c.point().rule().key());
            if (c.point().rule() instanceof ThresholdRule.TargetSensitivity t) {
                chosen.put("target_sensitivity", t.target());
            }
            chosen.put("chosen_on", "val");
            chosen.put("predict_covid_when", "score >= threshold");
            chosen.put("threshold", c.point().threshold());
            chosen.put("threshold_above_every_score", c.point().aboveEveryScore());
            if (c.point().aboveEveryScore()) {
                chosen.put("threshold_note", OperatingPoint.aboveEveryScoreMeaning(cr.names()));
            }
            putMetrics(chosen.putObject("val"), c.validation());
            ObjectNode test = chosen.putObject("test");
            putMetrics(test, c.test());
            putIntervals(test, c.testIntervals());
        } else {
            points.putNull("chosen");
            points.put("chosen_undefined_reason", r.noChosenPointReason().orElseThrow());
        }
        return root;
    }

    static ObjectNode calibration(Calibration c) {
        ObjectNode node = JSON.createObjectNode();
        node.put("num_bins", c.bins().size());
        node.put("ece", c.expectedCalibrationError());
        node.put("brier", c.brierScore());
        ArrayNode bins = node.putArray("bins");
        for (Calibration.Bin b : c.bins()) {
            ObjectNode bin = bins.addObject();
            bin.put("lower", b.lower());
            bin.put("upper", b.upper());
            bin.put("count", b.count());
            if (b.isEmpty()) {
                bin.putNull("mean_confidence");
                bin.putNull("observed_frequency");
            } else {
                bin.put("mean_confidence", b.meanConfidence());
                bin.put("observed_frequency", b.observedFrequency());
            }
        }
        return node;
    }

    private static void putMetrics(ObjectNode node, ConfusionMatrix cm) {
        ClassificationReport r = ClassificationReport.of(cm);
        node.put("accuracy", r.accuracy());
        node.put("sensitivity", r.sensitivity());
        node.put("specificity", r.specificity());
        node.put("precision", r.positive().precision());
        node.put("f1", r.positive().f1());
        ArrayNode rows = node.putArray("confusion_matrix");
        for (long[] row : cm.toArray()) {
            ArrayNode a = rows.addArray();
            for (long v : row) {
                a.add(v);
            }
        }
    }

    private static void putIntervals(ObjectNode node, MetricIntervals ci) {
        putInterval(node, "accuracy_ci", ci.accuracy());
        putInterval(node, "sensitivity_ci", ci.sensitivity());
        putInterval(node, "specificity_ci", ci.specificity());
        putInterval(node, "precision_ci", ci.precision());
        putInterval(node, "f1_ci", ci.f1());
    }

    private static void putInterval(ObjectNode node, String key, ConfidenceInterval ci) {
        switch (ci) {
            case ConfidenceInterval.Defined d -> node.putArray(key).add(d.lower()).add(d.upper());
            case ConfidenceInterval.Undefined u -> {
                node.putNull(key);
                node.put(key + "_undefined_reason", u.reason());
            }
        }
    }
}
