package org.covidct.app.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's test_metrics.json as one flat map: every number in it (the best model's validation and
 * test metrics, with the test intervals, calibration and operating points), named by its path, such
 * as {@code test.roc_auc}, {@code test.calibration.ece}, {@code test.operating_points.chosen.test.f1}
 * or {@code val.classification_report.CT_COVID.recall}, in the file's order. A two-number interval
 * {@code X_ci} (or {@code X_ci_METHOD}, as the AUC's) becomes {@code X_ci.low} and {@code X_ci.high}. Lists (curves, bins, confusion
 * matrices), nulls (an undefined AUC or interval), booleans, text and {@code uncertainty} (how the
 * intervals were made: settings, not metrics) are left out, so the metrics are found in the file
 * rather than listed here.
 */
public final class FlatMetrics {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** test_metrics.json's record of the interval method. */
    private static final String METHOD = "uncertainty";

    private FlatMetrics() {
    }

    /** The numbers of the test_metrics.json at {@code file}; an IOException names a missing or malformed file. */
    public static LinkedHashMap<String, Double> read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IOException(file + " is missing", e);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": not a JSON object");
        }
        return of(root);
    }

    /** The numbers of a test_metrics.json tree. */
    public static LinkedHashMap<String, Double> of(JsonNode root) {
        LinkedHashMap<String, Double> flat = new LinkedHashMap<>();
        flatten("", root, flat);
        return flat;
    }

    /** accuracy_ci and the like, and the AUC's two, roc_auc_ci_bootstrap and roc_auc_ci_delong. */
    private static boolean isInterval(String key) {
        return key.endsWith("_ci") || key.contains("_ci_");
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Double> flat) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isNumber()) {
                flat.put(name, value.doubleValue());
            } else if (value.isObject() && !field.getKey().equals(METHOD)) {
                flatten(name + ".", value, flat);
            } else if (value.isArray() && isInterval(field.getKey()) && value.size() == 2
                    && value.get(0).isNumber() && value.get(1).isNumber()) {
                flat.put(name + ".low", value.get(0).doubleValue());
                flat.put(name + ".high", value.get(1).doubleValue());
            }
        }
    }
}
