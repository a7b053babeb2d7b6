package org.covidct.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays scripts/metrics/make_uncertainty_fixtures.py, a Python reference written from the
 * published definitions: the SplitMix64 stream exactly, the bootstrap's intervals, DeLong's
 * variance and interval, the calibration and the chosen thresholds to 1e-12 (the temperature to
 * 1e-9 relative, the reference finding it by Newton's method where this code bisects).
 */
class UncertaintyFixtureTest {
    static final double TOL = 1e-12;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonNode load(String name) throws IOException {
        try (InputStream in = UncertaintyFixtureTest.class.getResourceAsStream("/metrics/uncertainty/" + name + ".json")) {
            assertNotNull(in, "missing fixture " + name);
            return MAPPER.readTree(in);
        }
    }

    static List<String> caseNames() throws IOException {
        List<String> names = new ArrayList<>();
        load("index").get("cases").forEach(n -> names.add(n.asText()));
        return names;
    }

    static List<Prediction> predictions(JsonNode split) {
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < split.get("y_true").size(); i++) {
            out.add(new Prediction(split.get("y_true").get(i).asInt(), split.get("y_pred").get(i).asInt(),
                    split.get("y_score").get(i).asDouble()));
        }
        return out;
    }

    static TestReportOptions options(JsonNode c) {
        JsonNode rule = c.get("rule");
        ThresholdRule r = rule.get("kind").asText().equals("youden") ? new ThresholdRule.Youden()
                : new ThresholdRule.TargetSensitivity(rule.get("target").asDouble());
        return new TestReportOptions(c.get("resamples").asInt(), c.get("seed").asLong(), r,
                c.get("fit_temperature").asBoolean());
    }

    static TestReport report(JsonNode c) {
        List<Prediction> test = predictions(c.get("test"));
        List<Prediction> val = c.get("val").isNull() ? null : predictions(c.get("val"));
        return TestReport.compute(MetricsReport.compute(test, 0.5), test, val, options(c));
    }

    @Test
    void fixturesCoverTheCases() throws IOException {
        assertEquals(12, caseNames().size());
        JsonNode index = load("index");
        assertEquals(index.get("z_975").asDouble(), DeLongAuc.Z_975, 0.0, "the normal quantile");
        assertEquals(index.get("max_margin").asDouble(), TemperatureScaling.MAX_MARGIN, 1e-13);
    }

    @Test
    void splitMix64DrawsPythonsStream() throws IOException {
        int checked = 0;
        for (JsonNode row : load("splitmix64")) {
            long seed = row.get("seed").asLong();
            SplitMix64 g = new SplitMix64(seed);
            for (JsonNode v : row.get("next_long")) {
                assertEquals(v.asLong(), g.nextLong(), "seed " + seed);
                checked++;
            }
            for (var e : row.get("next_int").properties()) {
                SplitMix64 h = new SplitMix64(seed);
                int bound = Integer.parseInt(e.getKey());
                for (JsonNode v : e.getValue()) {
                    assertEquals(v.asInt(), h.nextInt(bound), "seed " + seed + " bound " + bound);
                    checked++;
                }
            }
        }
        assertEquals(8 * (8 + 8 * 12), checked);
    }

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesTheReference() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : caseNames()) {
            JsonNode c = load(name);
            tests.add(DynamicTest.dynamicTest(name, () -> check(c)));
        }
        return tests.stream();
    }

    private static void check(JsonNode c) {
        JsonNode expected = c.get("expected");
        TestReport r = report(c);
        List<Prediction> test = predictions(c.get("test"));
        int[] targets = test.stream().mapToInt(Prediction::target).toArray();
        double[] scores = test.stream().mapToDouble(Prediction::score).toArray();

        JsonNode point = expected.get("point");
        ClassificationReport cr = r.metrics().classificationReport();
        assertEquals(point.get("accuracy").asDouble(), cr.accuracy(), TOL);
        assertEquals(point.get("precision").asDouble(), cr.positive().precision(), TOL);
        assertEquals(point.get("f1").asDouble(), cr.positive().f1(), TOL);

        compareIntervals(expected.get("intervals"), r.intervals(), "bootstrap");

        JsonNode delong = expected.get("delong");
        if (delong.isNull()) {
            assertInstanceOf(ConfidenceInterval.Undefined.class, r.rocAucDeLong());
            assertTrue(r.deLong().isEmpty());
        } else {
            DeLongAuc d = DeLongAuc.of(targets, scores);
            assertEquals(delong.get("auc").asDouble(), d.auc(), TOL, "DeLong AUC");
            assertEquals(delong.get("variance").asDouble(), d.variance(), TOL, "DeLong variance");
            compareInterval(delong.get("interval"), r.rocAucDeLong(), "DeLong interval");
            assertEquals(d, r.deLong().orElseThrow());
        }

        compareCalibration(expected.get("calibration"), r.calibration());

        if (expected.has("temperature")) {
            JsonNode t = expected.get("temperature");
            TemperatureScaling fit = r.temperature().orElseThrow();
            assertEquals(t.get("temperature").asDouble(), fit.temperature(), 1e-9 * fit.temperature(), "temperature");
            assertEquals(t.get("nll_before").asDouble(), fit.nllBefore(), TOL, "NLL before");
            assertEquals(t.get("nll_after").asDouble(), fit.nllAfter(), TOL, "NLL after");
            assertEquals(t.get("at_bound").asBoolean(), fit.atBound(), "at bound");
            compareCalibration(expected.get("scaled_calibration"), r.scaledCalibration().orElseThrow());
        } else {
            assertTrue(r.temperature().isEmpty());
            assertTrue(r.noTemperatureReason().isPresent());
        }

        if (expected.has("operating_point")) {
            JsonNode op = expected.get("operating_point");
            TestReport.ChosenPoint chosen = r.chosen().orElseThrow();
            assertEquals(op.get("threshold").asDouble(), chosen.point().threshold(), 0.0, "threshold");
            compareMetrics(op.get("val"), chosen.validation(), "validation");
            compareMetrics(op.get("test"), chosen.test(), "test");
            compareIntervals(op.get("test_intervals"), chosen.testIntervals(), "chosen threshold's bootstrap");
        } else {
            assertTrue(r.chosen().isEmpty());
            assertTrue(r.noChosenPointReason().isPresent());
        }
    }

    static void compareIntervals(JsonNode expected, MetricIntervals actual, String what) {
        compareInterval(expected.get("accuracy"), actual.accuracy(), what + " accuracy");
        compareInterval(expected.get("sensitivity"), actual.sensitivity(), what + " sensitivity");
        compareInterval(expected.get("specificity"), actual.specificity(), what + " specificity");
        compareInterval(expected.get("precision"), actual.precision(), what + " precision");
        compareInterval(expected.get("f1"), actual.f1(), what + " f1");
        compareInterval(expected.get("roc_auc"), actual.rocAuc(), what + " roc_auc");
    }

    static void compareInterval(JsonNode expected, ConfidenceInterval actual, String what) {
        if (expected.isNull()) {
            assertInstanceOf(ConfidenceInterval.Undefined.class, actual, what);
            return;
        }
        ConfidenceInterval.Defined d = assertInstanceOf(ConfidenceInterval.Defined.class, actual, what);
        assertEquals(expected.get(0).asDouble(), d.lower(), TOL, what + " lower");
        assertEquals(expected.get(1).asDouble(), d.upper(), TOL, what + " upper");
    }

    static void compareCalibration(JsonNode expected, Calibration actual) {
        assertEquals(Calibration.BINS, actual.bins().size());
        for (int b = 0; b < Calibration.BINS; b++) {
            Calibration.Bin bin = actual.bins().get(b);
            assertEquals(expected.get("counts").get(b).asLong(), bin.count(), "count of bin " + b);
            assertEquals(expected.get("positives").get(b).asLong(), bin.positives(), "positives of bin " + b);
            if (!bin.isEmpty()) {
                assertEquals(expected.get("mean_confidence").get(b).asDouble(), bin.meanConfidence(), TOL, "bin " + b);
                assertEquals(expected.get("observed_frequency").get(b).asDouble(), bin.observedFrequency(), TOL,
                        "bin " + b);
            }
        }
        assertEquals(expected.get("ece").asDouble(), actual.expectedCalibrationError(), TOL, "ECE");
        assertEquals(expected.get("brier").asDouble(), actual.brierScore(), TOL, "Brier");
    }

    private static void compareMetrics(JsonNode expected, ConfusionMatrix cm, String what) {
        long[][] a = cm.toArray();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                assertEquals(expected.get("confusion_matrix").get(i).get(j).asLong(), a[i][j], what + " cm");
            }
        }
        ClassificationReport r = ClassificationReport.of(cm);
        assertEquals(expected.get("accuracy").asDouble(), r.accuracy(), TOL, what + " accuracy");
        assertEquals(expected.get("sensitivity").asDouble(), r.sensitivity(), TOL, what + " sensitivity");
        assertEquals(expected.get("specificity").asDouble(), r.specificity(), TOL, what + " specificity");
        assertEquals(expected.get("precision").asDouble(), r.positive().precision(), TOL, what + " precision");
        assertEquals(expected.get("f1").asDouble(), r.positive().f1(), TOL, what + " f1");
    }
}
