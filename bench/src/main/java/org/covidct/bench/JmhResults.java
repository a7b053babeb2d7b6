package org.covidct.bench;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the result file JMH writes with {@code -rf json}: one score per benchmark and parameter set.
 * Each file is one run: its name (less ".json") tells the runs apart.
 */
final class JmhResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JmhResults() {
    }

    /**
     * One benchmark's result.
     *
     * @param run       the result file's name, less ".json"
     * @param benchmark the benchmark method's simple name, such as {@code forward}
     * @param params    its JMH parameters, such as shape and batch
     * @param seconds   seconds per call: the median of the timed calls in sample mode, else the score
     */
    record Score(String run, String benchmark, Map<String, String> params, double seconds) {
        String param(String name) {
            String value = params.get(name);
            if (value == null) {
                throw new IllegalArgumentException("JMH result for " + benchmark + " has no parameter " + name
                        + " (has " + params.keySet() + ")");
            }
            return value;
        }
    }

    static List<Score> read(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    /** The scores in {@code json}, read from the file {@code source}, which names it in errors and the run. */
    static List<Score> parse(String json, String source) {
        String run = Path.of(source).getFileName().toString().replaceFirst("\\.json$", "");
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(source + ": not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(source + ": expected JMH's JSON result array");
        }
        List<Score> scores = new ArrayList<>();
        for (JsonNode entry : root) {
            String name = text(entry, "benchmark", source), where = source + " " + name;
            JsonNode metric = entry.path("primaryMetric");
            // Sample mode times every call: its median shrugs off the calls a busy machine slowed.
            double value = "sample".equals(entry.path("mode").asText())
                    ? number(metric.path("scorePercentiles"), "50.0", where) : number(metric, "score", where);
            Map<String, String> params = new LinkedHashMap<>();
            entry.path("params").properties().forEach(p -> params.put(p.getKey(), p.getValue().asText()));
            scores.add(new Score(run, name.substring(name.lastIndexOf('.') + 1), params,
                    seconds(value, text(metric, "scoreUnit", where), where)));
        }
        return scores;
    }

    /** A score in {@code unit} (time per op, or ops per time) as seconds per call. */
    static double seconds(double value, String unit, String where) {
        String[] parts = unit.split("/");
        if (parts.length == 2 && parts[1].equals("op")) {
            return value * secondsIn(parts[0], where);
        }
        if (parts.length == 2 && parts[0].equals("ops")) {
            return secondsIn(parts[1], where) / value;
        }
        throw new IllegalArgumentException(where + ": unit " + unit + " is neither time/op nor ops/time");
    }

    private static double secondsIn(String unit, String where) {
        return switch (unit) {
            case "s" -> 1;
            case "ms" -> 1e-3;
            case "us" -> 1e-6;
            case "ns" -> 1e-9;
            case "min" -> 60;
            default -> throw new IllegalArgumentException(where + ": unknown time unit " + unit);
        };
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.path(field);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(where + ": no text field " + field);
        }
        return v.asText();
    }

    private static double number(JsonNode node, String field, String where) {
        JsonNode v = node.path(field);
        if (v.isMissingNode()) {
            throw new IllegalArgumentException(where + ": no " + field);
        }
        if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
            throw new IllegalArgumentException(where + ": " + field + " is not a positive number: " + v);
        }
        return v.asDouble();
    }
}
