package org.covidct.spark.sweep;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.apache.spark.api.java.function.Function;
import org.covidct.app.io.ErrorLine;
import org.covidct.app.metrics.FlatMetrics;
import org.covidct.app.train.RunDirectory;
import org.covidct.app.train.TrainConfig;
import org.covidct.spark.ExecutorDevice;

/**
 * One Spark task of a sweep: trains one grid point into {@code OUT/runs/NAME}, logging to
 * {@code OUT/logs/NAME.log}, and returns its metrics. A run that fails is returned as failed,
 * with why, rather than thrown: Spark would otherwise retry it and, in the end, stop the sweep.
 */
final class SweepTask implements Function<SweepPoint, SweepResult> {
    private static final long serialVersionUID = 1L;

    private final SweepSettings settings;

    SweepTask(SweepSettings settings) {
        this.settings = settings;
    }

    static Path runDir(SweepSettings settings, SweepPoint point) {
        return Path.of(settings.out(), "runs", point.name());
    }

    static Path logFile(SweepSettings settings, SweepPoint point) {
        return Path.of(settings.out(), "logs", point.name() + ".log");
    }

    @Override
    public SweepResult call(SweepPoint point) throws IOException {
        long start = System.nanoTime();
        Path runDir = runDir(settings, point);
        Path logFile = logFile(settings, point);
        Files.createDirectories(logFile.getParent());
        try (PrintStream log = new PrintStream(new FileOutputStream(logFile.toFile(), true), true,
                StandardCharsets.UTF_8)) {
            try {
                TrainConfig config = SweepTraining.config(settings, point, runDir);
                Path finished = SweepTraining.run(config, ExecutorDevice.resolve(settings.device()), log);
                return new SweepResult(point, null, finished.toString(), seconds(start),
                        FlatMetrics.read(new RunDirectory(finished).testMetrics()));
            } catch (Exception | OutOfMemoryError e) {
                e.printStackTrace(log);
                return new SweepResult(point, ErrorLine.of(e), runDir.toString(), seconds(start), new LinkedHashMap<>());
            }
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
