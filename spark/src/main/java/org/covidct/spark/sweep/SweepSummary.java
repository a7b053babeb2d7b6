package org.covidct.spark.sweep;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.covidct.app.io.AtomicOutput;
import org.covidct.app.metrics.MeanStd;
import org.covidct.app.train.ScoresCsv;

/**
 * A sweep's summary tables, as CSV in its output directory: {@value #POINTS}, one row per grid
 * point with its settings, whether it failed and why, and every metric of its run; and
 * {@value #BY_SETTING}, one row per setting (the grid's keys but the seed) with how many runs it
 * had, how many failed, and each metric's mean and standard deviation over the seeds that finished.
 * The deviation is the sample one (divided by n - 1, as pandas' std), empty for fewer than two runs.
 */
final class SweepSummary {
    static final String POINTS = "summary.csv";
    static final String BY_SETTING = "summary_by_setting.csv";
    /** The metrics the console lines show of each setting. */
    private static final List<String> SHOWN = List.of("test.accuracy", "test.roc_auc", "test.f1");

    private SweepSummary() {
    }

    /** Writes both tables into {@code out}; returns a few console lines about them. */
    static String write(Path out, List<String> keys, List<SweepResult> results) throws IOException {
        AtomicOutput.text(out.resolve(POINTS), pointsCsv(keys, results));
        AtomicOutput.text(out.resolve(BY_SETTING), bySettingCsv(keys, results));
        return consoleLines(keys, results);
    }

    static String pointsCsv(List<String> keys, List<SweepResult> results) {
        List<String> metrics = metricNames(results);
        StringBuilder csv = new StringBuilder();
        List<String> header = new ArrayList<>(List.of("point"));
        header.addAll(keys);
        header.addAll(List.of("status", "error", "run_dir", "seconds"));
        header.addAll(metrics);
        line(csv, header);
        for (SweepResult r : results) {
            List<String> row = new ArrayList<>(List.of(r.point().name()));
            keys.forEach(k -> row.add(r.point().settings().get(k)));
            row.add(r.failed() ? "failed" : "ok");
            row.add(r.failed() ? r.error() : "");
            row.add(r.runDir());
            row.add(String.format(Locale.ROOT, "%.1f", r.seconds()));
            Map<String, Double> values = r.metrics();
            metrics.forEach(m -> row.add(values.containsKey(m) ? Double.toString(values.get(m)) : ""));
            line(csv, row);
        }
        return csv.toString();
    }

    static String bySettingCsv(List<String> keys, List<SweepResult> results) {
        List<String> settingKeys = keys.stream().filter(k -> !k.equals(SweepGrid.SEED)).toList();
        List<String> metrics = metricNames(results);
        StringBuilder csv = new StringBuilder();
        List<String> header = new ArrayList<>(settingKeys);
        header.addAll(List.of("runs", "failed"));
        metrics.forEach(m -> header.addAll(List.of(m + ".mean", m + ".std")));
        line(csv, header);
        for (Map.Entry<Map<String, String>, List<SweepResult>> group : bySetting(results).entrySet()) {
            List<String> row = new ArrayList<>();
            settingKeys.forEach(k -> row.add(group.getKey().get(k)));
            row.add(Integer.toString(group.getValue().size()));
            row.add(Long.toString(group.getValue().stream().filter(SweepResult::failed).count()));
            for (String m : metrics) {
                List<Double> values = values(group.getValue(), m);
                MeanStd spread = values.isEmpty() ? null : MeanStd.of(values);
                row.add(spread == null ? "" : Double.toString(spread.mean()));
                row.add(spread == null || !spread.hasStd() ? "" : Double.toString(spread.std()));
            }
            line(csv, row);
        }
        return csv.toString();
    }

    private static String consoleLines(List<String> keys, List<SweepResult> results) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<Map<String, String>, List<SweepResult>> group : bySetting(results).entrySet()) {
            String name = group.getKey().isEmpty() ? "all runs" : group.getKey().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
            long failed = group.getValue().stream().filter(SweepResult::failed).count();
            text.append(name).append(": ").append(group.getValue().size()).append(" runs, ").append(failed)
                    .append(" failed");
            for (String m : SHOWN) {
                List<Double> values = values(group.getValue(), m);
                if (!values.isEmpty()) {
                    MeanStd spread = MeanStd.of(values);
                    text.append(String.format(Locale.ROOT, "; %s %.4f", m, spread.mean()));
                    if (spread.hasStd()) {
                        text.append(String.format(Locale.ROOT, " ± %.4f", spread.std()));
                    }
                }
            }
            text.append(System.lineSeparator());
        }
        for (SweepResult r : results) {
            if (r.failed()) {
                text.append(r.point().name()).append(" failed: ").append(r.error()).append(System.lineSeparator());
            }
        }
        return text.toString();
    }

    /** The results grouped by setting, in the order the settings first appear. */
    private static LinkedHashMap<Map<String, String>, List<SweepResult>> bySetting(List<SweepResult> results) {
        LinkedHashMap<Map<String, String>, List<SweepResult>> groups = new LinkedHashMap<>();
        for (SweepResult r : results) {
            groups.computeIfAbsent(r.point().setting(), s -> new ArrayList<>()).add(r);
        }
        return groups;
    }

    /** The finished runs' values of {@code metric}. */
    private static List<Double> values(List<SweepResult> runs, String metric) {
        return runs.stream().filter(r -> !r.failed() && r.metrics().containsKey(metric))
                .map(r -> r.metrics().get(metric)).toList();
    }

    /** Every metric name any run has, in the order they first appear. */
    private static List<String> metricNames(List<SweepResult> results) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        results.forEach(r -> names.addAll(r.metrics().keySet()));
        return List.copyOf(names);
    }

    private static void line(StringBuilder csv, List<String> fields) {
        csv.append(fields.stream().map(f -> ScoresCsv.quote(f == null ? "" : f)).collect(Collectors.joining(",")))
                .append('\n');
    }
}
