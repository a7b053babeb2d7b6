package org.covidct.bench;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** JMH result files in the shape {@code -rf json} writes, for the gate's tests. */
final class JmhJson {
    private JmhJson() {
    }

    /** A sample-mode ConvGateBenchmark result: median {@code ms} per call, the mean a little above. */
    static String sample(String benchmark, String shape, int batch, double ms) {
        return String.format(Locale.ROOT, """
                {"benchmark": "org.covidct.bench.ConvGateBenchmark.%s", "mode": "sample",
                 "params": {"batch": "%d", "shape": "%s"},
                 "primaryMetric": {"score": %s, "scorePercentiles": {"0.0": %s, "50.0": %s, "100.0": %s},
                                   "scoreUnit": "ms/op"}}""", benchmark, batch, shape, ms * 1.1, ms * 0.9, ms,
                ms * 3);
    }

    /** An average-time ConvGateBenchmark result in {@code unit}. */
    static String average(String benchmark, String shape, int batch, double score, String unit) {
        return String.format(Locale.ROOT, """
                {"benchmark": "org.covidct.bench.ConvGateBenchmark.%s", "mode": "avgt",
                 "params": {"batch": "%d", "shape": "%s"},
                 "primaryMetric": {"score": %s, "scoreUnit": "%s"}}""", benchmark, batch, shape, score, unit);
    }

    static String array(List<String> entries) {
        return entries.stream().collect(Collectors.joining(",\n", "[\n", "\n]"));
    }
}
