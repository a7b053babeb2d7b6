package org.covidct.spark.sweep;

import java.io.Serializable;
import java.util.LinkedHashMap;

/**
 * How one grid point's run went.
 *
 * @param point   the grid point
 * @param error   null for a run that finished, else why it failed, in one line
 * @param runDir  the run directory
 * @param seconds how long the task took
 * @param metrics the finished run's metrics by name (see {@link RunMetrics}); empty for a failed run
 */
public record SweepResult(SweepPoint point, String error, String runDir, double seconds,
                          LinkedHashMap<String, Double> metrics) implements Serializable {
    public SweepResult {
        metrics = new LinkedHashMap<>(metrics);
    }

    public boolean failed() {
        return error != null;
    }

    @Override
    public LinkedHashMap<String, Double> metrics() {
        return new LinkedHashMap<>(metrics);
    }
}
