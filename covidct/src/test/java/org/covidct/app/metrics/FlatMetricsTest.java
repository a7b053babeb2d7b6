package org.covidct.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** test_metrics.json as a flat map of its numbers. */
class FlatMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void flattensNumbersAndIntervalsButNotListsNullsOrTheIntervalMethod() throws IOException {
        String json = """
                {"val": {"accuracy": 0.5, "confusion_matrix": [[0, 3], [0, 3]], "odd_ci": [1, 2, 3],
                         "classification_report": {"CT_COVID": {"recall": 1.0, "support": 3}},
                         "roc_curve": {"fpr": [0.0, 1.0]}},
                 "test": {"roc_auc": 0.25, "accuracy_ci": [0.4, 0.6], "roc_auc_ci_delong": [0.1, 0.4],
                          "roc_auc_delong_se": 0.01,
                          "f1_ci": null, "f1_ci_undefined_reason": "no positive",
                          "uncertainty": {"resamples": 1000, "seed": 0},
                          "temperature_scaling": {"at_bound": false, "temperature": 2},
                          "calibration": {"ece": 0.2, "bins": [{"count": 0}], "mean": null}}}
                """;
        Map<String, Double> expected = new LinkedHashMap<>();
        expected.put("val.accuracy", 0.5);
        expected.put("val.classification_report.CT_COVID.recall", 1.0);
        expected.put("val.classification_report.CT_COVID.support", 3.0);
        expected.put("test.roc_auc", 0.25);
        expected.put("test.accuracy_ci.low", 0.4);
        expected.put("test.accuracy_ci.high", 0.6);
        expected.put("test.roc_auc_ci_delong.low", 0.1);
        expected.put("test.roc_auc_ci_delong.high", 0.4);
        expected.put("test.roc_auc_delong_se", 0.01);
        expected.put("test.temperature_scaling.temperature", 2.0);
        expected.put("test.calibration.ece", 0.2);
        Map<String, Double> flat = FlatMetrics.of(JSON.readTree(json));
        assertEquals(expected, flat);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(flat.keySet()), "in the file's order");
    }

    /** The entry RunReport writes finds the headline metrics where the seeds' summary looks for them. */
    @Test
    void findsTheMetricsOfARealTestReport() {
        Random r = new Random(3);
        List<Prediction> test = predictions(60, r);
        List<Prediction> val = predictions(40, r);
        TestReport report = TestReport.compute(MetricsReport.compute(test, 0.4), test, val, TestReportOptions.defaults(0));
        JsonNode tree = report.toJsonTree();
        Map<String, Double> flat = FlatMetrics.of(JSON.createObjectNode().set("test", tree));
        assertEquals(tree.get("accuracy").doubleValue(), flat.get("test.accuracy"));
        assertEquals(tree.get("f1").doubleValue(), flat.get("test.f1"));
        assertEquals(tree.get("precision").doubleValue(), flat.get("test.precision"));
        assertEquals(tree.get("roc_auc").doubleValue(), flat.get("test.roc_auc"));
        assertEquals(report.calibration().expectedCalibrationError(), flat.get("test.calibration.ece"));
        assertEquals(report.calibration().brierScore(), flat.get("test.calibration.brier"));
        assertEquals(report.chosen().orElseThrow().point().threshold(), flat.get("test.operating_points.chosen.threshold"));
        assertEquals(tree.at("/operating_points/chosen/test/sensitivity").doubleValue(),
                flat.get("test.operating_points.chosen.test.sensitivity"));
        assertEquals(tree.at("/roc_auc_ci_delong/1").doubleValue(), flat.get("test.roc_auc_ci_delong.high"));
        assertEquals(tree.at("/roc_auc_ci_bootstrap/0").doubleValue(), flat.get("test.roc_auc_ci_bootstrap.low"));
        assertEquals(tree.at("/operating_points/chosen/test/f1_ci/0").doubleValue(),
                flat.get("test.operating_points.chosen.test.f1_ci.low"));
        assertTrue(flat.keySet().stream().noneMatch(k -> k.contains("uncertainty") || k.contains(".bins.")
                || k.contains("roc_curve") || k.contains("confusion_matrix")), flat.keySet().toString());
    }

    /** n predictions of either class, the score loosely following it. */
    private static List<Prediction> predictions(int n, Random r) {
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int target = i % 2;
            double margin = (target == 1 ? 1.0 : -1.0) + 1.5 * r.nextGaussian();
            out.add(Prediction.fromScore(1 / (1 + Math.exp(-margin)), target));
        }
        return out;
    }

    @Test
    void aMissingOrDamagedFileIsNamed() throws IOException {
        Path file = dir.resolve("test_metrics.json");
        assertEquals(file + " is missing", assertThrows(IOException.class, () -> FlatMetrics.read(file)).getMessage());
        Files.writeString(file, "[1, 2]");
        assertEquals(file + ": not a JSON object", assertThrows(IOException.class, () -> FlatMetrics.read(file))
                .getMessage());
        Files.writeString(file, "{\"test\": ");
        assertTrue(assertThrows(IOException.class, () -> FlatMetrics.read(file)).getMessage()
                .startsWith(file + ": not valid JSON ("));
    }
}
