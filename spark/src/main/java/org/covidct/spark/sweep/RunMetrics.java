package org.covidct.spark.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A finished run's metrics as one flat row: every number in its test_metrics.json (the best
 * model's validation and test metrics, with the test intervals and calibration), named by its
 * path, such as {@code test.roc_auc} or {@code val.classification_report.CT_COVID.recall}; a
 * two-number interval {@code X_ci} becomes {@code X_ci.low} and {@code X_ci.high}. Curves, bins and
 * the confusion matrix (lists) and the description of how the intervals were computed are left out.
 */
final class RunMetrics {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** test_metrics.json's record of the interval method: settings, not metrics. */
    private static final String METHOD = "uncertainty";

    private RunMetrics() {
    }

    static LinkedHashMap<String, Double> read(Path testMetrics) throws IOException {
        LinkedHashMap<String, Double> flat = new LinkedHashMap<>();
        flatten("", JSON.readTree(testMetrics.toFile()), flat);
        return flat;
    }

    static void flatten(String prefix, JsonNode node, Map<String, Double> flat) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isNumber()) {
                flat.put(name, value.doubleValue());
            } else if (value.isObject() && !field.getKey().equals(METHOD)) {
                flatten(name + ".", value, flat);
            } else if (value.isArray() && field.getKey().endsWith("_ci") && value.size() == 2
                    && value.get(0).isNumber() && value.get(1).isNumber()) {
                flat.put(name + ".low", value.get(0).doubleValue());
                flat.put(name + ".high", value.get(1).doubleValue());
            }
        }
    }
}
