package org.covidct.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CI performance gate for the CPU convolution, on JMH result files of {@link ConvGateBenchmark}:
 * every pass of every shape must reach {@code --min-sgemm} (0.8) times the flop rate of our sgemm
 * measured in the same run (result file), and {@code --min-direct} (8) times that of the direct
 * loop. Only ratios count, so a slower machine passes and a slower kernel does not.
 *
 * <p>Given several runs of a shape (a retried gate), each pass counts at its run with the best
 * ratio to that run's sgemm: a busy machine only ever slows a measurement down, and comparing within
 * a run keeps a quiet moment of the sgemm from being set against a busy one of the pass. The direct
 * loop counts at its fastest, which only makes its check stricter.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.covidct.bench.JmhGate results.json...};
 * exit status 1 when a check fails, 2 on bad arguments or an unreadable result file.
 */
public final class JmhGate {
    static final List<String> PASSES = List.of("forward", "backwardData", "backwardWeight");
    static final String SGEMM = "sgemm";
    static final String DIRECT = "direct";

    private JmhGate() {
    }

    /**
     * One measured benchmark of one shape, in one run.
     *
     * @param layer    the shape and batch, as "C-K-HW xN"
     * @param name     the benchmark
     * @param run      the result file it comes from
     * @param seconds  seconds per call
     * @param gflops   its flop rate
     * @param sgemm    the flop rate of the sgemm in the same run (NaN for the direct loop)
     * @param toSgemm  gflops over sgemm (NaN for the direct loop)
     * @param toDirect gflops over the direct loop's (NaN for the direct loop)
     */
    record Row(String layer, String name, String run, double seconds, double gflops, double sgemm, double toSgemm,
               double toDirect) {
        Row(JmhResults.Score s, String layer, double flops) {
            this(layer, s.benchmark(), s.run(), s.seconds(), flops / s.seconds() / 1e9, Double.NaN, Double.NaN,
                    Double.NaN);
        }

        Row against(double sgemmGflops, double directGflops) {
            return new Row(layer, name, run, seconds, gflops, sgemmGflops, gflops / sgemmGflops,
                    gflops / directGflops);
        }
    }

    /**
     * The gate's decision.
     *
     * @param rows     each shape's passes, then the direct loop
     * @param failures one line per failed check; empty when the gate passes
     */
    record Verdict(List<Row> rows, List<String> failures) {
        boolean passed() {
            return failures.isEmpty();
        }
    }

    /** Judges JMH scores of {@link ConvGateBenchmark} against the two minimum ratios. */
    static Verdict judge(List<JmhResults.Score> scores, double minToSgemm, double minToDirect) {
        // layer -> run -> benchmark -> row, in the order the results came.
        Map<String, Map<String, Map<String, Row>>> layers = new LinkedHashMap<>();
        Row direct = null;
        for (JmhResults.Score s : scores) {
            if (!PASSES.contains(s.benchmark()) && !s.benchmark().equals(SGEMM) && !s.benchmark().equals(DIRECT)) {
                throw new IllegalArgumentException("JMH result for " + s.benchmark()
                        + ", which is not a ConvGateBenchmark benchmark");
            }
            int[] shape = ConvGateBenchmark.parseShape(s.param("shape"));
            int batch = Integer.parseInt(s.param("batch"));
            String layer = s.param("shape") + " x" + batch;
            double flops = s.benchmark().equals(SGEMM) ? ConvGateBenchmark.sgemmFlops(shape, batch)
                    : Bench.convFlops(batch, shape[0], shape[1], shape[2]);
            Row row = new Row(s, layer, flops);
            if (s.benchmark().equals(DIRECT)) {
                direct = direct == null || row.seconds < direct.seconds ? row : direct;
            } else if (layers.computeIfAbsent(layer, l -> new LinkedHashMap<>())
                    .computeIfAbsent(s.run(), r -> new LinkedHashMap<>()).putIfAbsent(s.benchmark(), row) != null) {
                throw new IllegalArgumentException("two results for " + layer + " " + s.benchmark() + " in " + s.run());
            }
        }
        List<Row> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        if (layers.isEmpty()) {
            failures.add("no convolution results");
        }
        if (direct == null) {
            failures.add("no result for the direct loop");
        }
        double directGflops = direct == null ? Double.NaN : direct.gflops;
        for (Map.Entry<String, Map<String, Map<String, Row>>> layer : layers.entrySet()) {
            for (String pass : PASSES) {
                Row best = null;
                boolean measured = false;
                for (Map<String, Row> run : layer.getValue().values()) {
                    Row r = run.get(pass), sgemm = run.get(SGEMM);
                    measured |= r != null;
                    if (r != null && sgemm != null) {
                        Row judged = r.against(sgemm.gflops, directGflops);
                        best = best == null || judged.toSgemm > best.toSgemm ? judged : best;
                    }
                }
                if (best == null) {
                    failures.add(layer.getKey() + " " + pass + (measured ? ": no sgemm result in its run" : ": no result"));
                    continue;
                }
                rows.add(best);
                if (!(best.toSgemm >= minToSgemm)) {
                    failures.add(String.format(Locale.ROOT, "%s %s at %.2fx the sgemm's GFLOP/s, below %.2fx",
                            best.layer, pass, best.toSgemm, minToSgemm));
                }
                if (best.toDirect < minToDirect) {
                    failures.add(String.format(Locale.ROOT, "%s %s at %.1fx the direct loop's GFLOP/s, below %.1fx",
                            best.layer, pass, best.toDirect, minToDirect));
                }
            }
        }
        if (direct != null) {
            rows.add(direct);
        }
        return new Verdict(rows, failures);
    }

    /** The verdict as a table, then PASS or one FAIL line per failed check. */
    static String report(Verdict v, double minToSgemm, double minToDirect) {
        StringBuilder sb = new StringBuilder();
        String format = "%-14s %-15s %9s %9s %9s %8s %9s  %s%n";
        sb.append(String.format(Locale.ROOT, format, "shape", "pass", "ms", "GFLOP/s", "sgemm", "x sgemm",
                "x direct", "run"));
        for (Row r : v.rows) {
            sb.append(String.format(Locale.ROOT, format, r.layer, r.name, fixed(r.seconds * 1e3, "%.3f"),
                    fixed(r.gflops, "%.1f"), fixed(r.sgemm, "%.1f"), fixed(r.toSgemm, "%.2f"),
                    fixed(r.toDirect, "%.1f"), r.run).stripTrailing()).append(System.lineSeparator());
        }
        sb.append(String.format(Locale.ROOT, "JmhGate: minimum %.2fx sgemm and %.1fx direct loop: %s%n", minToSgemm,
                minToDirect, v.passed() ? "PASS" : "FAIL"));
        for (String f : v.failures) {
            sb.append("JmhGate: FAIL: ").append(f).append(System.lineSeparator());
        }
        return sb.toString();
    }

    private static String fixed(double x, String format) {
        return Double.isNaN(x) ? "" : String.format(Locale.ROOT, format, x);
    }

    public static void main(String[] args) {
        double minToSgemm = 0.8, minToDirect = 8;
        List<JmhResults.Score> scores = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--min-sgemm" -> minToSgemm = number(args, ++i);
                    case "--min-direct" -> minToDirect = number(args, ++i);
                    default -> scores.addAll(JmhResults.read(Path.of(args[i])));
                }
            }
            if (scores.isEmpty()) {
                throw new IllegalArgumentException(
                        "usage: JmhGate [--min-sgemm R] [--min-direct R] jmh-result.json...");
            }
            Verdict v = judge(scores, minToSgemm, minToDirect);
            System.out.print(report(v, minToSgemm, minToDirect));
            System.exit(v.passed() ? 0 : 1);
        } catch (IOException e) {
            System.err.println("JmhGate: cannot read " + e.getMessage() + " (" + e.getClass().getSimpleName() + ")");
            System.exit(2);
        } catch (IllegalArgumentException e) {
            System.err.println("JmhGate: " + e.getMessage());
            System.exit(2);
        }
    }

    private static double number(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a number");
        }
        try {
            return Double.parseDouble(args[i]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + ": not a number: " + args[i]);
        }
    }
}
