package org.covidct.app.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.covidct.app.io.ErrorLine;
import org.covidct.app.metrics.FlatMetrics;
import org.covidct.app.metrics.MeanStd;

/**
 * What one configuration trained with several seeds came to: each seed's run, finished or failed
 * (with why), and for every metric its value in each finished run, with their mean and sample
 * standard deviation (n - 1 in the denominator) over the finished runs that have it. The metrics are
 * the best validation accuracy and the epochs trained, from each run's metrics.json, then every
 * number of its test_metrics.json as {@link FlatMetrics} names them, in the order they first appear.
 */
public final class SeedSummary {
    /** The best validation accuracy of any epoch, from metrics.json. */
    public static final String BEST_VAL_ACCURACY = "best_val_accuracy";
    /** How many epochs the run trained (fewer than --epochs when it stopped early), from metrics.json. */
    public static final String EPOCHS_TRAINED = "epochs_trained";
    /** The metrics the console table and the page's first table show, with their labels; the files hold all. */
    static final Map<String, String> HEADLINE = headlineMetrics();

    /**
     * One seed's run.
     *
     * @param seed   the seed
     * @param runDir its run directory
     * @param error  why it failed, in one line; null when it finished
     * @param values its metrics by name; empty when it failed
     */
    public record SeedRun(long seed, Path runDir, String error, LinkedHashMap<String, Double> values) {
        public SeedRun {
            values = new LinkedHashMap<>(values);
        }

        public boolean failed() {
            return error != null;
        }

        @Override
        public LinkedHashMap<String, Double> values() {
            return new LinkedHashMap<>(values);
        }
    }

    private final List<SeedRun> runs;
    private final List<String> metrics;

    SeedSummary(List<SeedRun> runs) {
        this.runs = List.copyOf(runs);
        LinkedHashSet<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.addAll(r.values().keySet()));
        this.metrics = List.copyOf(names);
    }

    /**
     * The summary of the runs of {@code seeds} in {@code out}, each in {@link SeedRuns#runDirectory}:
     * the seeds {@code errors} names failed with that error; the others are read from their run
     * directories, and one whose metrics cannot be read counts as failed, saying why.
     */
    public static SeedSummary read(Path out, List<Long> seeds, Map<Long, String> errors) {
        List<SeedRun> runs = new ArrayList<>();
        for (long seed : seeds) {
            Path dir = SeedRuns.runDirectory(out, seed);
            if (errors.containsKey(seed)) {
                runs.add(new SeedRun(seed, dir, errors.get(seed), new LinkedHashMap<>()));
                continue;
            }
            try {
                runs.add(new SeedRun(seed, dir, null, readRun(new RunDirectory(dir))));
            } catch (IOException e) {
                runs.add(new SeedRun(seed, dir, ErrorLine.of(e), new LinkedHashMap<>()));
            }
        }
        return new SeedSummary(runs);
    }

    /** A finished run's metrics: the best validation accuracy and the epochs trained, then test_metrics.json's. */
    static LinkedHashMap<String, Double> readRun(RunDirectory run) throws IOException {
        JsonNode epochs;
        try {
            epochs = Trainer.JSON.readTree(Files.readString(run.metrics())).path("epochs");
        } catch (NoSuchFileException e) {
            throw new IOException(run.metrics() + " is missing", e);
        } catch (JsonProcessingException e) {
            throw new IOException(run.metrics() + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (!epochs.isArray() || epochs.isEmpty()) {
            throw new IOException(run.metrics() + ": no epochs");
        }
        double best = Double.NEGATIVE_INFINITY;
        for (JsonNode epoch : epochs) {
            JsonNode accuracy = epoch.path("val").path("accuracy");
            if (!accuracy.isNumber()) {
                throw new IOException(run.metrics() + ": epoch " + epoch.path("epoch").asText("?")
                        + " has no val.accuracy");
            }
            best = Math.max(best, accuracy.doubleValue());
        }
        LinkedHashMap<String, Double> values = new LinkedHashMap<>();
        values.put(BEST_VAL_ACCURACY, best);
        values.put(EPOCHS_TRAINED, (double) epochs.size());
        values.putAll(FlatMetrics.read(run.testMetrics()));
        return values;
    }

    /** Every seed's run, in the order the seeds were given. */
    public List<SeedRun> runs() {
        return runs;
    }

    /** Every metric any finished run has, in the order they first appear. */
    public List<String> metricNames() {
        return metrics;
    }

    /** Each run's value of {@code metric}, in the order of {@link #runs()}; null where it failed or lacks it. */
    public List<Double> values(String metric) {
        List<Double> values = new ArrayList<>();
        runs.forEach(r -> values.add(r.values().get(metric)));
        return values;
    }

    /** The mean and sample standard deviation of {@code metric} over the runs that have it; empty where none has. */
    public Optional<MeanStd> stats(String metric) {
        List<Double> present = values(metric).stream().filter(v -> v != null).toList();
        return present.isEmpty() ? Optional.empty() : Optional.of(MeanStd.of(present));
    }

    public boolean anyFailed() {
        return runs.stream().anyMatch(SeedRun::failed);
    }

    public long failedCount() {
        return runs.stream().filter(SeedRun::failed).count();
    }

    /** One line: the seeds, how many finished and failed, and what the ± means. */
    String headline() {
        return String.format(Locale.ROOT, "%d seeds (%s): %d finished, %d failed; mean ± sample standard deviation "
                        + "(n - 1) over the finished runs", runs.size(),
                runs.stream().map(r -> Long.toString(r.seed())).collect(Collectors.joining(", ")),
                runs.size() - failedCount(), failedCount());
    }

    /**
     * The console table: a row per {@link #HEADLINE} metric with each seed's value and the mean ±
     * standard deviation, then a line per failed seed with its error.
     */
    public String formatTable() {
        List<String> header = new ArrayList<>(List.of("metric"));
        runs.forEach(r -> header.add("seed " + r.seed()));
        header.add("mean ± std");
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, String> m : HEADLINE.entrySet()) {
            if (metrics.contains(m.getKey())) {
                List<String> row = new ArrayList<>(List.of(m.getValue()));
                row.addAll(cells(m.getKey()));
                row.add(meanStd(m.getKey()));
                rows.add(row);
            }
        }
        int[] widths = new int[header.size()];
        for (List<String> line : concat(header, rows)) {
            for (int c = 0; c < line.size(); c++) {
                widths[c] = Math.max(widths[c], line.get(c).length());
            }
        }
        StringBuilder text = new StringBuilder(headline()).append('\n');
        for (List<String> line : concat(header, rows)) {
            for (int c = 0; c < line.size(); c++) {
                String cell = line.get(c);
                text.append(c == 0 ? cell + " ".repeat(widths[c] - cell.length())
                        : "  " + " ".repeat(widths[c] - cell.length()) + cell);
            }
            text.append('\n');
        }
        for (SeedRun r : runs) {
            if (r.failed()) {
                text.append("seed ").append(r.seed()).append(" failed: ").append(r.error()).append('\n');
            }
        }
        return text.toString();
    }

    private static List<List<String>> concat(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>(List.of(header));
        all.addAll(rows);
        return all;
    }

    /** Each run's value of {@code metric} as the tables show it: "failed" for a failed run, "-" where it has none. */
    List<String> cells(String metric) {
        boolean whole = isWhole(metric);
        List<String> cells = new ArrayList<>();
        for (SeedRun r : runs) {
            Double v = r.values().get(metric);
            cells.add(r.failed() ? "failed" : v == null ? "-" : whole ? Long.toString(Math.round(v)) : format(v));
        }
        return cells;
    }

    /** "mean ± std" to four places (two for a count such as the epochs), the mean alone for one run, "-" for none. */
    String meanStd(String metric) {
        Optional<MeanStd> s = stats(metric);
        if (s.isEmpty()) {
            return "-";
        }
        String pattern = isWhole(metric) ? "%.2f" : "%.4f";
        String mean = String.format(Locale.ROOT, pattern, s.get().mean());
        return s.get().hasStd() ? mean + " ± " + String.format(Locale.ROOT, pattern, s.get().std()) : mean;
    }

    /**
     * Whether {@code metric} is a count: the epochs, or whole numbers not all 0 or 1 (which rates can
     * be), such as a support.
     */
    private boolean isWhole(String metric) {
        List<Double> present = values(metric).stream().filter(v -> v != null).toList();
        return present.stream().allMatch(v -> v == Math.rint(v) && Math.abs(v) < 1e15)
                && (metric.equals(EPOCHS_TRAINED) || present.stream().anyMatch(v -> Math.abs(v) > 1));
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static Map<String, String> headlineMetrics() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(BEST_VAL_ACCURACY, "best val accuracy");
        m.put(EPOCHS_TRAINED, "epochs trained");
        m.put("test.accuracy", "test accuracy");
        m.put("test.sensitivity", "test sensitivity");
        m.put("test.specificity", "test specificity");
        m.put("test.precision", "test precision");
        m.put("test.f1", "test F1");
        m.put("test.roc_auc", "test ROC AUC");
        m.put("test.calibration.ece", "test ECE");
        m.put("test.calibration.brier", "test Brier");
        m.put("test.operating_points.chosen.threshold", "chosen threshold");
        m.put("test.operating_points.chosen.test.sensitivity", "test sensitivity, chosen");
        m.put("test.operating_points.chosen.test.specificity", "test specificity, chosen");
        return Collections.unmodifiableMap(m);
    }
}
