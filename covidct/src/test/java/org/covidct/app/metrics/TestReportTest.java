package org.covidct.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** test_metrics.json's test entry and the console table, from the reference cases. */
class TestReportTest {
    private static final double TOL = UncertaintyFixtureTest.TOL;

    private static TestReport report(String name) throws IOException {
        return UncertaintyFixtureTest.report(UncertaintyFixtureTest.load(name));
    }

    private static void interval(JsonNode expected, JsonNode actual, String what) {
        assertTrue(actual.isArray() && actual.size() == 2, what + " is [lower, upper]: " + actual);
        assertEquals(expected.get(0).asDouble(), actual.get(0).asDouble(), TOL, what);
        assertEquals(expected.get(1).asDouble(), actual.get(1).asDouble(), TOL, what);
    }

    @Test
    void jsonAddsTheIntervalsCalibrationAndOperatingPointsToTheMetrics() throws IOException {
        JsonNode c = UncertaintyFixtureTest.load("test_203_val_118");
        JsonNode e = c.get("expected");
        TestReport r = UncertaintyFixtureTest.report(c);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode j = mapper.readTree(mapper.writeValueAsString(r.toJsonTree()));

        JsonNode plain = mapper.readTree(r.metrics().toJson());
        List<String> plainKeys = new ArrayList<>();
        plain.fieldNames().forEachRemaining(plainKeys::add);
        for (String k : plainKeys) {
            assertEquals(plain.get(k), j.get(k), "the MetricsReport key " + k + " is kept as it was");
        }
        assertEquals(e.get("point").get("precision").asDouble(), j.get("precision").asDouble(), TOL);
        assertEquals(e.get("point").get("f1").asDouble(), j.get("f1").asDouble(), TOL);
        for (String m : List.of("accuracy", "sensitivity", "specificity", "precision", "f1")) {
            interval(e.get("intervals").get(m), j.get(m + "_ci"), m + "_ci");
        }
        interval(e.get("intervals").get("roc_auc"), j.get("roc_auc_ci_bootstrap"), "roc_auc_ci_bootstrap");
        interval(e.get("delong").get("interval"), j.get("roc_auc_ci_delong"), "roc_auc_ci_delong");
        assertEquals(Math.sqrt(e.get("delong").get("variance").asDouble()), j.get("roc_auc_delong_se").asDouble(), TOL);
        assertEquals(1000, j.get("uncertainty").get("resamples").asInt());
        assertEquals(7, j.get("uncertainty").get("seed").asLong());

        JsonNode cal = j.get("calibration");
        assertEquals(e.get("calibration").get("ece").asDouble(), cal.get("ece").asDouble(), TOL);
        assertEquals(e.get("calibration").get("brier").asDouble(), cal.get("brier").asDouble(), TOL);
        assertEquals(10, cal.get("bins").size());
        for (int b = 0; b < 10; b++) {
            JsonNode bin = cal.get("bins").get(b);
            assertEquals(e.get("calibration").get("counts").get(b).asLong(), bin.get("count").asLong());
            assertEquals(b / 10.0, bin.get("lower").asDouble(), 1e-15);
            JsonNode freq = e.get("calibration").get("observed_frequency").get(b);
            assertEquals(freq.isNull(), bin.get("observed_frequency").isNull());
            if (!freq.isNull()) {
                assertEquals(freq.asDouble(), bin.get("observed_frequency").asDouble(), TOL);
            }
        }

        JsonNode ts = j.get("temperature_scaling");
        assertEquals(e.get("temperature").get("temperature").asDouble(), ts.get("temperature").asDouble(), 1e-8);
        assertEquals("val", ts.get("fitted_on").asText());
        assertEquals(e.get("scaled_calibration").get("ece").asDouble(), ts.get("calibration").get("ece").asDouble(), TOL);

        JsonNode points = j.get("operating_points");
        JsonNode def = points.get("default");
        assertEquals(0.5, def.get("threshold").asDouble());
        assertEquals(j.get("confusion_matrix"), def.get("test").get("confusion_matrix"));
        assertEquals(j.get("accuracy_ci"), def.get("test").get("accuracy_ci"));
        JsonNode chosen = points.get("chosen");
        JsonNode op = e.get("operating_point");
        assertEquals("youden", chosen.get("rule").asText());
        assertEquals(op.get("threshold").asDouble(), chosen.get("threshold").asDouble(), 0.0);
        assertEquals(op.get("val").get("confusion_matrix"), chosen.get("val").get("confusion_matrix"));
        assertEquals(op.get("test").get("confusion_matrix"), chosen.get("test").get("confusion_matrix"));
        assertEquals(op.get("test").get("sensitivity").asDouble(), chosen.get("test").get("sensitivity").asDouble(), TOL);
        interval(op.get("test_intervals").get("f1"), chosen.get("test").get("f1_ci"), "chosen f1_ci");
        assertFalse(j.toString().contains("NaN"));
    }

    @Test
    void whatIsUndefinedIsNullWithItsReason() throws IOException {
        JsonNode j = report("one_class_positive").toJsonTree();
        assertTrue(j.get("specificity_ci").isNull());
        assertEquals("undefined: no CT_NonCOVID sample", j.get("specificity_ci_undefined_reason").asText());
        assertTrue(j.get("roc_auc_ci_bootstrap").isNull());
        assertEquals(RocAuc.ONE_CLASS, j.get("roc_auc_ci_bootstrap_undefined_reason").asText());
        assertTrue(j.get("roc_auc_ci_delong").isNull());
        assertTrue(j.get("roc_auc_delong_se").isNull());
        assertTrue(j.get("operating_points").get("chosen").isNull());
        assertEquals("the validation set holds one class only",
                j.get("operating_points").get("chosen_undefined_reason").asText());
        assertTrue(j.get("temperature_scaling").isObject(), "a one-class validation set still fits a temperature");
        assertTrue(j.get("calibration").get("bins").get(0).get("mean_confidence").isNull(), "an empty bin");
        assertFalse(j.toString().contains("NaN"));

        JsonNode few = report("one_positive").toJsonTree();
        assertEquals(DeLongAuc.TOO_FEW, few.get("roc_auc_ci_delong_undefined_reason").asText());
        assertTrue(few.get("roc_auc_ci_bootstrap").isArray());

        JsonNode noVal = report("one_class_negative_no_val").toJsonTree();
        assertEquals("no validation predictions", noVal.get("temperature_scaling_undefined_reason").asText());
        assertEquals("no validation predictions", noVal.get("operating_points").get("chosen_undefined_reason").asText());
        assertEquals("not requested", report("no_temperature").toJsonTree()
                .get("temperature_scaling_undefined_reason").asText());
    }

    @Test
    void aTargetSensitivityIsRecordedWithItsTarget() throws IOException {
        JsonNode chosen = report("target_sensitivity_95").toJsonTree().get("operating_points").get("chosen");
        assertEquals("target_sensitivity", chosen.get("rule").asText());
        assertEquals(0.95, chosen.get("target_sensitivity").asDouble());
        assertTrue(chosen.get("val").get("sensitivity").asDouble() >= 0.95);
    }

    @Test
    void theTablePutsEachIntervalBesideItsValue() throws IOException {
        TestReport r = report("test_203_val_118");
        String table = r.formatTable();
        MetricIntervals ci = r.intervals();
        assertTrue(table.startsWith("------------------- Test Performance --------------------------------------\n"
                + "Accuracy \t " + PythonFormat.fixed(r.metrics().accuracy(), 3) + " (95% CI "
                + PythonFormat.fixed(((ConfidenceInterval.Defined) ci.accuracy()).lower(), 3) + "-"
                + PythonFormat.fixed(((ConfidenceInterval.Defined) ci.accuracy()).upper(), 3) + ")\n"), table);
        assertTrue(table.contains("Sensitivity \t " + TestReportTable.withInterval(r.metrics().sensitivity(),
                ci.sensitivity()) + "\n"), table);
        assertTrue(table.contains("Area Under ROC \t " + r.metrics().rocAuc().format(3) + " (95% CI "
                + ci.rocAuc().format(3) + " bootstrap, " + r.rocAucDeLong().format(3) + " DeLong)\n"), table);
        assertTrue(table.contains("95% CI: stratified bootstrap, 1000 resamples, seed 7"), table);
        assertTrue(table.contains(r.metrics().confusionMatrix().format()), table);
        assertTrue(table.contains(r.metrics().classificationReport().formatText()), table);
        assertTrue(table.contains("Calibration (P(CT_COVID), 10 equal-width bins): ECE "
                + PythonFormat.fixed(r.calibration().expectedCalibrationError(), 3)), table);
        assertTrue(table.contains("Temperature " + PythonFormat.fixed(r.temperature().orElseThrow().temperature(), 3)
                + " fitted on validation"), table);
        assertTrue(table.contains("threshold 0.5 (argmax, score > 0.5): accuracy "), table);
        assertTrue(table.contains("threshold " + PythonFormat.fixed(r.chosen().orElseThrow().point().threshold(), 4)
                + " (Youden's J on validation, score >= threshold): accuracy "), table);

        String undefined = report("one_class_positive").formatTable();
        assertTrue(undefined.contains("Specificity \t 0.000 (95% CI " + "undefined: no CT_NonCOVID sample" + ")\n"),
                undefined);
        assertTrue(undefined.contains("Area Under ROC \t " + RocAuc.ONE_CLASS + "\n"), undefined);
        assertTrue(undefined.contains("no threshold chosen on validation (the validation set holds one class only)"),
                undefined);
    }

    /**
     * Validation scores that rank the classes backwards: no threshold on them beats predicting every
     * case negative, so Youden's J keeps "highest score + 1", which every output names for what it is.
     */
    @Test
    void aThresholdAboveEveryScoreIsShownAsNoThreshold() throws IOException {
        ClassNames names = new ClassNames("normal", "pneumonia");
        List<Prediction> val = List.of(Prediction.fromScore(0.9, 0), Prediction.fromScore(0.7, 0),
                Prediction.fromScore(0.4, 1), Prediction.fromScore(0.2, 1));
        List<Prediction> test = List.of(Prediction.fromScore(0.8, 1), Prediction.fromScore(0.6, 0),
                Prediction.fromScore(0.3, 1), Prediction.fromScore(0.1, 0));
        TestReport r = TestReport.compute(MetricsReport.compute(test, 0.7, names), test, val,
                TestReportOptions.defaults(5));
        OperatingPoint point = r.chosen().orElseThrow().point();
        assertTrue(point.aboveEveryScore());
        assertEquals(0.9 + 1, point.threshold(), 0.0, "the sentinel, highest score + 1");
        String meaning = "no threshold on the validation scores did better than predicting every case normal "
                + "(Youden's J at most 0), so no case is predicted pneumonia";

        JsonNode chosen = new ObjectMapper().readTree(r.toJsonTree().toString()).get("operating_points").get("chosen");
        assertEquals(0.9 + 1, chosen.get("threshold").asDouble(), 0.0, "the number stays for programs");
        assertTrue(chosen.get("threshold_above_every_score").asBoolean());
        assertEquals(meaning, chosen.get("threshold_note").asText());
        assertEquals("[[2,0],[2,0]]", chosen.get("test").get("confusion_matrix").toString(), "every case negative");

        String table = r.formatTable();
        assertTrue(table.contains("\nthreshold none (Youden's J on validation: " + meaning + "): accuracy 0.500 "),
                table);
        assertFalse(table.contains("threshold 1.9"), table);

        JsonNode usual = report("test_203_val_118").toJsonTree().get("operating_points").get("chosen");
        assertFalse(usual.get("threshold_above_every_score").asBoolean());
        assertFalse(usual.has("threshold_note"));
    }

    @Test
    void badInputIsRefusedInOneLineNamingIt() {
        List<Prediction> two = List.of(Prediction.fromScore(0.8, 1), Prediction.fromScore(0.3, 0));
        MetricsReport m = MetricsReport.compute(two, 0.1);
        refuses("bootstrap resamples must be at least 1000, got 999",
                () -> new TestReportOptions(999, 1, new ThresholdRule.Youden(), true));
        refuses("the metrics count 2 samples but there are 1 test predictions",
                () -> TestReport.compute(m, two.subList(0, 1), null, TestReportOptions.defaults(1)));
        refuses("bootstrap resamples must be at least 2, got 1", () -> new StratifiedBootstrap(1, 0));
        refuses("bootstrap: no predictions", () -> new StratifiedBootstrap(1000, 0).intervals(List.of()));
        refuses("target sensitivity must be in (0, 1], got 1.5", () -> new ThresholdRule.TargetSensitivity(1.5));
        refuses("choosing a threshold needs both classes in the validation set, got 1 positive and 0 negative",
                () -> OperatingPoint.choose(new ThresholdRule.Youden(), two.subList(0, 1)));
        refuses("DeLong's variance needs at least two samples of each class, got 1 positive and 1 negative",
                () -> DeLongAuc.of(new int[] {1, 0}, new double[] {0.8, 0.3}));
        refuses("calibration: score 0 must be a probability in [0, 1], got 1.2",
                () -> Calibration.of(new int[] {1}, new double[] {1.2}));
        refuses("score must be a probability in [0, 1], got -0.1", () -> TemperatureScaling.margin(-0.1));
        refuses("temperature scaling: no validation samples", () -> TemperatureScaling.fit(new int[0], new double[0]));
        refuses("bound must be at least 1, got 0", () -> new SplitMix64(0).nextInt(0));
    }

    private static void refuses(String message, Executable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::execute);
        assertEquals(message, e.getMessage());
    }

    /** An action that may throw. */
    private interface Executable {
        void execute() throws Exception;
    }
}
