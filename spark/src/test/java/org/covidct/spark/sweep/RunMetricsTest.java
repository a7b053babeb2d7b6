package org.covidct.spark.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunMetricsTest {
    @Test
    void flattensNumbersAndIntervalsButNotListsOrMethod() throws IOException {
        String json = """
                {"val": {"accuracy": 0.5, "confusion_matrix": [[0, 3], [0, 3]],
                         "classification_report": {"CT_COVID": {"recall": 1.0, "support": 3}},
                         "roc_curve": {"fpr": [0.0, 1.0]}},
                 "test": {"roc_auc": 0.25, "accuracy_ci": [0.4, 0.6], "roc_auc_delong_se": 0.01,
                          "uncertainty": {"resamples": 1000, "seed": 0},
                          "calibration": {"ece": 0.2, "bins": [{"count": 0}], "mean": null}}}
                """;
        Map<String, Double> flat = new LinkedHashMap<>();
        RunMetrics.flatten("", new ObjectMapper().readTree(json), flat);
        Map<String, Double> expected = new LinkedHashMap<>();
        expected.put("val.accuracy", 0.5);
        expected.put("val.classification_report.CT_COVID.recall", 1.0);
        expected.put("val.classification_report.CT_COVID.support", 3.0);
        expected.put("test.roc_auc", 0.25);
        expected.put("test.accuracy_ci.low", 0.4);
        expected.put("test.accuracy_ci.high", 0.6);
        expected.put("test.roc_auc_delong_se", 0.01);
        expected.put("test.calibration.ece", 0.2);
        assertEquals(expected, flat);
        assertEquals(expected.keySet().stream().toList(), flat.keySet().stream().toList(), "in the file's order");
    }
}
