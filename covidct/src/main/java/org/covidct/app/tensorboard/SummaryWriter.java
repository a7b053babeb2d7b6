package org.covidct.app.tensorboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * torch.utils.tensorboard.SummaryWriter's scalar logging. Like PyTorch it opens an event file in the
 * log directory at once; {@link #addScalars} writes each key to its own run directory
 * {@code <logdir>/<mainTag with "/" replaced by "_">_<key>/} under the tag {@code mainTag}, so
 * TensorBoard draws the keys as runs on one chart.
 */
public final class SummaryWriter implements AutoCloseable {
    private final Path logDir;
    private final DoubleSupplier clock;
    private final String host;
    private final EventWriter main;
    private final Map<String, EventWriter> runs = new LinkedHashMap<>();

    public SummaryWriter(Path logDir) throws IOException {
        this(logDir, EventWriter::now, EventWriter.localHostName());
    }

    /** @param clock wall time in seconds since the epoch; @param host the host part of file names */
    public SummaryWriter(Path logDir, DoubleSupplier clock, String host) throws IOException {
        this.logDir = logDir;
        this.clock = clock;
        this.host = host;
        this.main = new EventWriter(logDir, clock, host);
    }

    public Path logDir() {
        return logDir;
    }

    /** The event file of the log directory itself. */
    public Path file() {
        return main.file();
    }

    /** {@code add_scalar(tag, value, step)}: the value is stored as float32, as PyTorch stores it. */
    public void addScalar(String tag, double value, long step) {
        addScalar(tag, value, step, clock.getAsDouble());
    }

    public void addScalar(String tag, double value, long step, double wallTime) {
        main.addScalar(tag, (float) value, step, wallTime);
    }

    /** {@code add_scalars(mainTag, {key: value}, step)}: one wall time for all keys. */
    public void addScalars(String mainTag, Map<String, ? extends Number> values, long step) {
        addScalars(mainTag, values, step, clock.getAsDouble());
    }

    public synchronized void addScalars(String mainTag, Map<String, ? extends Number> values, long step,
            double wallTime) {
        for (Map.Entry<String, ? extends Number> e : values.entrySet()) {
            String run = mainTag.replace("/", "_") + "_" + e.getKey();
            EventWriter w = runs.get(run);
            if (w == null) {
                try {
                    w = new EventWriter(logDir.resolve(run), clock, host);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
                runs.put(run, w);
            }
            w.addScalar(mainTag, e.getValue().floatValue(), step, wallTime);
        }
    }

    public synchronized void flush() {
        main.flush();
        runs.values().forEach(EventWriter::flush);
    }

    @Override
    public synchronized void close() {
        main.close();
        runs.values().forEach(EventWriter::close);
    }
}
