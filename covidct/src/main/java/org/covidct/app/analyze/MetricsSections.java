package org.covidct.app.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.covidct.app.metrics.ClassNames;
import org.covidct.app.metrics.OperatingPoint;
import org.covidct.app.metrics.PythonFormat;
import org.covidct.app.report.HtmlReport;
import org.covidct.app.report.Plots;

/**
 * The report's sections drawn from test_metrics.json: the metrics of both splits with the test
 * split's 95% intervals, the test set's calibration with its reliability diagram, and both
 * operating points. A run written before intervals, calibration or operating points were recorded
 * lacks those keys; its sections say so and the rest renders as before. Numbers print as the
 * console prints them (Python's rounding); the classes are named as the model names them.
 */
final class MetricsSections {
    static final String RELIABILITY_PNG = "reliability_diagram.png";

    private final JsonNode metrics;
    private final Path plots;
    private final ClassNames names;
    private final String positive;

    /**
     * {@code metrics} is the whole test_metrics.json; {@code plots} the run's plot folder;
     * {@code names} the model's classes, negative first.
     */
    MetricsSections(JsonNode metrics, Path plots, ClassNames names) {
        this.metrics = metrics;
        this.plots = plots;
        this.names = names;
        this.positive = names.positive();
    }

    /** The metrics table: one column per split, intervals beside the test values where recorded. */
    void metricsTable(HtmlReport page) {
        List<String> splits = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("metric"));
        for (String split : List.of("val", "test")) {
            if (metrics.has(split)) {
                splits.add(split);
                header.add(split.equals("val") ? "validation" : "test");
            }
        }
        List<List<String>> table = new ArrayList<>();
        table.add(row("images", splits, s -> Integer.toString(s.path("num_samples").asInt())));
        table.add(row("accuracy", splits, s -> withInterval(s, s.path("accuracy"), "accuracy_ci")));
        table.add(row("sensitivity", splits, s -> withInterval(s, s.path("sensitivity"), "sensitivity_ci")));
        table.add(row("specificity", splits, s -> withInterval(s, s.path("specificity"), "specificity_ci")));
        table.add(row("precision (" + positive + ")", splits, s -> withInterval(s, positiveClass(s, "precision", "precision"),
                "precision_ci")));
        table.add(row("F1 (" + positive + ")", splits, s -> withInterval(s, positiveClass(s, "f1", "f1-score"), "f1_ci")));
        table.add(row("ROC AUC", splits, MetricsSections::rocAuc));
        table.add(row("loss", splits, s -> fixed(s.path("loss"), 4)));
        page.table(header, table);
        JsonNode how = metrics.path("test").path("uncertainty");
        if (how.isObject()) {
            page.paragraph("95% confidence intervals: stratified percentile bootstrap, "
                    + how.path("resamples").asInt() + " resamples, seed " + how.path("seed").asLong()
                    + "; for the ROC AUC also DeLong's (" + how.path("delong").asText() + ").");
        }
    }

    /** ECE, Brier score, the bins and the reliability diagram of the test scores. */
    void calibration(HtmlReport page) throws IOException {
        JsonNode cal = metrics.path("test").path("calibration");
        if (!cal.isObject()) {
            page.note("Not recorded: this run's test_metrics.json has no calibration.");
            return;
        }
        page.paragraph("Expected calibration error " + fixed(cal.path("ece"), 3) + " and Brier score "
                + fixed(cal.path("brier"), 3) + " of the probability of " + positive + ", over " + cal.path("num_bins").asInt()
                + " equal-width bins.");
        JsonNode ts = metrics.path("test").path("temperature_scaling");
        if (ts.isObject()) {
            page.paragraph("Temperature " + fixed(ts.path("temperature"), 3)
                    + (ts.path("at_bound").asBoolean() ? " (an end of the searched range)" : "")
                    + " fitted on validation (NLL " + fixed(ts.path("val_nll_before"), 4) + " to "
                    + fixed(ts.path("val_nll_after"), 4) + "): on test, expected calibration error "
                    + fixed(ts.path("calibration").path("ece"), 3) + " and Brier score "
                    + fixed(ts.path("calibration").path("brier"), 3) + ".");
        } else {
            page.note("No temperature: " + metrics.path("test").path("temperature_scaling_undefined_reason")
                    .asText("not recorded") + ".");
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode b : cal.path("bins")) {
            // bins are closed on the right; the first holds 0 as well
            String open = b.path("lower").asDouble() == 0 ? "[" : "(";
            rows.add(List.of(open + fixed(b.path("lower"), 1) + ", " + fixed(b.path("upper"), 1) + "]",
                    Long.toString(b.path("count").asLong()), fixed(b.path("mean_confidence"), 3),
                    fixed(b.path("observed_frequency"), 3)));
        }
        page.table(List.of("P(" + positive + ") bin", "images", "mean P(" + positive + ")",
                "observed " + positive + " frequency"), rows);
        Path png = plots.resolve(RELIABILITY_PNG);
        if (!Files.isRegularFile(png)) {
            drawReliabilityDiagram(metrics.path("test"), positive, png);
        }
        page.figure("Reliability diagram", Files.readAllBytes(png));
    }

    /** The tutorial's threshold and the one chosen on validation, with their test metrics. */
    void operatingPoints(HtmlReport page) {
        JsonNode points = metrics.path("test").path("operating_points");
        if (!points.isObject()) {
            page.note("Not recorded: this run's test_metrics.json has no operating points.");
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(point("0.5", "argmax of the logits (the tutorial's)", "score > 0.5", points.path("default").path("test")));
        JsonNode chosen = points.path("chosen");
        boolean aboveEveryScore = chosen.isObject() && aboveEveryScore(chosen);
        if (chosen.isObject()) {
            String rule = chosen.path("rule").asText().equals("target_sensitivity")
                    ? "sensitivity >= " + chosen.path("target_sensitivity").asText() + " on validation"
                    : "Youden's J on validation";
            rows.add(aboveEveryScore ? point("none", rule, "never", chosen.path("test"))
                    : point(fixed(chosen.path("threshold"), 4), rule, "score >= threshold", chosen.path("test")));
        }
        page.table(List.of("threshold", "chosen by", positive + " when", "accuracy", "sensitivity", "specificity",
                "precision", "F1"), rows);
        if (aboveEveryScore) {
            page.note("No threshold chosen: " + OperatingPoint.aboveEveryScoreMeaning(names)
                    + ". The scores do not tell the classes apart on validation.");
        }
        if (chosen.isObject()) {
            JsonNode val = chosen.path("val");
            page.paragraph("On validation, where the threshold was chosen: accuracy " + fixed(val.path("accuracy"), 3)
                    + ", sensitivity " + fixed(val.path("sensitivity"), 3) + ", specificity "
                    + fixed(val.path("specificity"), 3) + ".");
        } else {
            page.note("No threshold chosen on validation: " + points.path("chosen_undefined_reason").asText() + ".");
        }
    }

    private static List<String> point(String threshold, String rule, String when, JsonNode test) {
        List<String> r = new ArrayList<>(List.of(threshold, rule, when));
        for (String m : List.of("accuracy", "sensitivity", "specificity", "precision", "f1")) {
            r.add(withInterval(test, test.path(m), m + "_ci"));
        }
        return r;
    }

    /** The raw scores' bins and, where a temperature was fitted, the scaled scores' bins. */
    private static void drawReliabilityDiagram(JsonNode test, String positive, Path png) throws IOException {
        List<String> names = new ArrayList<>(List.of("test scores"));
        List<JsonNode> bins = new ArrayList<>(List.of(test.path("calibration").path("bins")));
        JsonNode ts = test.path("temperature_scaling");
        if (ts.isObject()) {
            names.add("scaled by temperature " + fixed(ts.path("temperature"), 3));
            bins.add(ts.path("calibration").path("bins"));
        }
        List<double[]> confidence = new ArrayList<>();
        List<double[]> frequency = new ArrayList<>();
        for (JsonNode series : bins) {
            List<JsonNode> filled = new ArrayList<>();
            series.forEach(b -> {
                if (b.path("count").asLong() > 0) {
                    filled.add(b);
                }
            });
            confidence.add(filled.stream().mapToDouble(b -> b.path("mean_confidence").asDouble()).toArray());
            frequency.add(filled.stream().mapToDouble(b -> b.path("observed_frequency").asDouble()).toArray());
        }
        Files.createDirectories(png.getParent());
        Plots.reliabilityDiagram(names, confidence, frequency, positive, png);
    }

    private List<String> row(String name, List<String> splits, Function<JsonNode, String> value) {
        List<String> r = new ArrayList<>(List.of(name));
        splits.forEach(s -> r.add(value.apply(metrics.get(s))));
        return r;
    }

    /**
     * Whether the chosen threshold lies above every validation score, predicting no case positive:
     * as recorded, or for a run written before that was, a threshold above 1, which only that one is.
     */
    private static boolean aboveEveryScore(JsonNode chosen) {
        return chosen.path("threshold_above_every_score").asBoolean(chosen.path("threshold").asDouble() > 1);
    }

    /**
     * The positive class's precision or F1: the split's own key, or for an older run its
     * classification report's row of label 1, the second.
     */
    private static JsonNode positiveClass(JsonNode split, String key, String reportKey) {
        if (split.has(key)) {
            return split.get(key);
        }
        List<JsonNode> rows = new ArrayList<>();
        split.path("classification_report").forEach(rows::add);
        return rows.size() > 1 ? rows.get(1).path(reportKey) : MissingNode.getInstance();
    }

    private static String rocAuc(JsonNode s) {
        if (!s.path("roc_auc").isNumber()) {
            return "undefined: " + s.path("roc_auc_undefined_reason").asText();
        }
        String v = fixed(s.path("roc_auc"), 3);
        JsonNode boot = s.path("roc_auc_ci_bootstrap");
        JsonNode delong = s.path("roc_auc_ci_delong");
        if (boot.isArray()) {
            v += " (95% CI " + interval(boot) + " bootstrap; "
                    + (delong.isArray() ? interval(delong) + " DeLong" : "DeLong "
                    + s.path("roc_auc_ci_delong_undefined_reason").asText()) + ")";
        }
        return v;
    }

    /** "0.828 (95% CI 0.776-0.877)" where the split records {@code ciKey}, else the value alone. */
    static String withInterval(JsonNode split, JsonNode value, String ciKey) {
        String v = fixed(value, 3);
        JsonNode ci = split.get(ciKey);
        if (ci == null) {
            return v;
        }
        return v + " (95% CI " + (ci.isArray() ? interval(ci) : split.path(ciKey + "_undefined_reason").asText()) + ")";
    }

    private static String interval(JsonNode ci) {
        return fixed(ci.get(0), 3) + "-" + fixed(ci.get(1), 3);
    }

    static String fixed(JsonNode v, int digits) {
        return v.isNumber() ? PythonFormat.fixed(v.asDouble(), digits) : "n/a";
    }
}
