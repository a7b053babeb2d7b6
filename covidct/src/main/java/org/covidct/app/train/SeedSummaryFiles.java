package org.covidct.app.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.covidct.app.io.AtomicOutput;
import org.covidct.app.metrics.MeanStd;

/**
 * A {@link SeedSummary} as files in the seeds' output directory, each replaced atomically:
 * <ul>
 * <li>{@value #JSON}: {@code seeds}, {@code finished}, {@code failed}, {@code std} (what the deviation
 *     is), {@code runs} (per seed: {@code seed}, {@code run_dir} relative to the file, {@code status}
 *     {@code ok} or {@code failed}, {@code error}, null unless failed) and {@code metrics} (per metric:
 *     {@code n}, {@code mean}, {@code std}, null below two runs, and {@code values} per seed, null
 *     for a run without it);
 * <li>{@value #CSV}: a row per metric, {@code metric,n,mean,std,seed_A,seed_B,...}, empty where there
 *     is no value;
 * <li>{@value #HTML}: the page of {@link SeedSummaryPage}.
 * </ul>
 */
final class SeedSummaryFiles {
    static final String JSON = "summary.json";
    static final String CSV = "summary.csv";
    static final String HTML = "summary.html";
    private static final String STD = "sample standard deviation over the finished runs: n - 1 in the denominator, "
            + "null for fewer than two";

    private SeedSummaryFiles() {
    }

    static void write(Path out, SeedSummary summary) throws IOException {
        AtomicOutput.text(out.resolve(JSON), json(summary));
        AtomicOutput.text(out.resolve(CSV), csv(summary));
        AtomicOutput.text(out.resolve(HTML), SeedSummaryPage.html(summary));
    }

    static String json(SeedSummary summary) throws JsonProcessingException {
        ObjectNode root = Trainer.JSON.createObjectNode();
        ArrayNode seeds = root.putArray("seeds");
        summary.runs().forEach(r -> seeds.add(r.seed()));
        root.put("finished", summary.runs().size() - summary.failedCount());
        root.put("failed", summary.failedCount());
        root.put("std", STD);
        ArrayNode runs = root.putArray("runs");
        for (SeedSummary.SeedRun r : summary.runs()) {
            ObjectNode run = runs.addObject();
            run.put("seed", r.seed());
            run.put("run_dir", r.runDir().getFileName().toString());
            run.put("status", r.failed() ? "failed" : "ok");
            run.put("error", r.error());
        }
        ObjectNode metrics = root.putObject("metrics");
        for (String name : summary.metricNames()) {
            ObjectNode m = metrics.putObject(name);
            MeanStd s = summary.stats(name).orElseThrow(); // a name comes from a run that has it
            m.put("n", s.count());
            m.put("mean", s.mean());
            if (s.hasStd()) {
                m.put("std", s.std());
            } else {
                m.putNull("std");
            }
            ArrayNode values = m.putArray("values");
            summary.values(name).forEach(v -> {
                if (v == null) {
                    values.addNull();
                } else {
                    values.add(v);
                }
            });
        }
        return Trainer.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    static String csv(SeedSummary summary) {
        StringBuilder csv = new StringBuilder();
        List<String> header = new ArrayList<>(List.of("metric", "n", "mean", "std"));
        summary.runs().forEach(r -> header.add("seed_" + r.seed()));
        line(csv, header);
        for (String name : summary.metricNames()) {
            Optional<MeanStd> s = summary.stats(name);
            List<String> row = new ArrayList<>(List.of(name, Integer.toString(s.orElseThrow().count()),
                    Double.toString(s.get().mean()), s.get().hasStd() ? Double.toString(s.get().std()) : ""));
            summary.values(name).forEach(v -> row.add(v == null ? "" : Double.toString(v)));
            line(csv, row);
        }
        return csv.toString();
    }

    private static void line(StringBuilder csv, List<String> fields) {
        csv.append(fields.stream().map(ScoresCsv::quote).collect(Collectors.joining(","))).append('\n');
    }
}
