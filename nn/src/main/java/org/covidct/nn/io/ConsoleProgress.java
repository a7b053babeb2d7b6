package org.covidct.nn.io;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * A progress bar (bytes, percent, speed) on stderr by default: one line redrawn in place on a
 * terminal, or a new line every few seconds when the stream goes to a log.
 */
public final class ConsoleProgress implements ProgressListener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LOG_LINE_NANOS = 5_000_000_000L;
    private static final int BAR = 30;
    private static final double MIB = 1024.0 * 1024.0;

    private final PrintStream out;
    private final boolean inPlace;
    private String name = "";
    private long startNanos;
    private long startBytes;
    private long lastDraw;
    private boolean lineOpen;

    /** On stderr, redrawn in place when the process has a terminal. */
    public ConsoleProgress() {
        this(System.err, System.console() != null && System.console().isTerminal());
    }

    /** Redrawn in place on {@code out}. */
    public ConsoleProgress(PrintStream out) {
        this(out, true);
    }

    public ConsoleProgress(PrintStream out, boolean inPlace) {
        this.out = out;
        this.inPlace = inPlace;
    }

    @Override
    public void started(String name, long resumedFrom, long total) {
        this.name = name;
        startNanos = System.nanoTime();
        startBytes = resumedFrom;
        lastDraw = startNanos;
        draw(resumedFrom, total, startNanos);
    }

    @Override
    public void progress(long done, long total) {
        long now = System.nanoTime();
        if (now - lastDraw >= (inPlace ? REDRAW_NANOS : LOG_LINE_NANOS)) {
            lastDraw = now;
            draw(done, total, now);
        }
    }

    @Override
    public void retrying(int attempt, int maxAttempts, IOException cause, Duration wait) {
        endLine();
        out.printf(Locale.ROOT, "attempt %d of %d failed (%s); retrying in %.1f s%n", attempt, maxAttempts,
                WeightsDownload.why(cause), wait.toMillis() / 1000.0);
        out.flush();
    }

    @Override
    public void finished(long total) {
        draw(total, total, System.nanoTime());
        endLine();
    }

    private void draw(long done, long total, long now) {
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? (done - startBytes) / seconds : 0;
        if (inPlace) {
            out.print("\r" + line(name, done, total, rate));
            lineOpen = true;
        } else {
            out.println(line(name, done, total, rate));
        }
        out.flush();
    }

    private void endLine() {
        if (lineOpen) {
            out.println();
            lineOpen = false;
        }
    }

    /** The progress line, e.g. {@code name [######------]  45.0%  246.6/548.1 MiB  35.2 MiB/s}. */
    static String line(String name, long done, long total, double bytesPerSecond) {
        if (total <= 0) {
            return String.format(Locale.ROOT, "%s  %.1f MiB  %.1f MiB/s", name, done / MIB, bytesPerSecond / MIB);
        }
        double fraction = Math.min(1.0, Math.max(0.0, done / (double) total));
        int filled = (int) Math.round(fraction * BAR);
        return String.format(Locale.ROOT, "%s [%s%s] %5.1f%%  %.1f/%.1f MiB  %.1f MiB/s", name, "#".repeat(filled),
                "-".repeat(BAR - filled), 100 * fraction, done / MIB, total / MIB, bytesPerSecond / MIB);
    }
}
