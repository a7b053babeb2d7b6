package org.covidct.nn.io;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * The console progress bar: a label, a bar and the figures of the work beside it. On a terminal
 * one line is redrawn in place, at most ten times a second; in a log it prints a new line at each
 * tenth of the work, or every five seconds when the total is unknown. Downloads report to it as a
 * {@link ProgressListener} (bytes, percent, speed), training and evaluation through
 * {@link #batchesDone} (batches, images per second, running loss, time left).
 */
public final class ConsoleProgress implements ProgressListener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LOG_LINE_NANOS = 5_000_000_000L;
    private static final int BAR = 30;
    private static final double MIB = 1024.0 * 1024.0;

    private final PrintStream out;
    private final boolean inPlace;
    private String label = "";
    private long total = -1;
    private long startNanos;
    private long startBytes;
    private long lastDraw;
    private int lastTenth = -1;
    private int lastLength;
    private boolean lineOpen;

    /** On stderr, redrawn in place when the process has a terminal. */
    public ConsoleProgress() {
        this(System.err, System.console() != null && System.console().isTerminal());
    }

    public ConsoleProgress(PrintStream out, boolean inPlace) {
        this.out = out;
        this.inPlace = inPlace;
    }

    /** Starts a bar of {@code total} units (-1 if unknown) under {@code label}; returns this. */
    public ConsoleProgress begin(String label, long total) {
        endLine();
        this.label = label;
        this.total = total;
        startNanos = System.nanoTime();
        lastDraw = startNanos;
        lastTenth = -1;
        startBytes = 0;
        return this;
    }

    /**
     * {@code done} batches of the total are finished, holding {@code images} images whose mean loss
     * is {@code meanLoss}; the line ends with the last batch.
     */
    public void batchesDone(long done, long images, double meanLoss) {
        long now = System.nanoTime();
        if (!due(done, now)) {
            return;
        }
        double seconds = (now - startNanos) / 1e9;
        double eta = done == 0 ? 0 : seconds * (total - done) / done;
        draw(done, String.format(Locale.ROOT, "%d/%d  %.1f img/s  loss %.4f  ETA %s", done, total,
                images / Math.max(seconds, 1e-9), meanLoss, clock(eta)), now);
        if (done >= total) {
            endLine();
        }
    }

    @Override
    public void started(String name, long resumedFrom, long total) {
        begin(name, total);
        startBytes = resumedFrom;
        draw(resumedFrom, bytes(resumedFrom, 0), startNanos);
    }

    @Override
    public void progress(long done, long total) {
        long now = System.nanoTime();
        if (done < total && due(done, now)) {
            draw(done, bytes(done, now), now);
        }
    }

    @Override
    public void retrying(int attempt, int maxAttempts, IOException cause, Duration wait) {
        endLine();
        out.printf(Locale.ROOT, "attempt %d of %d failed (%s); retrying in %.1f s%n", attempt, maxAttempts,
                ResumableDownload.why(cause), wait.toMillis() / 1000.0);
        out.flush();
    }

    @Override
    public void finished(long total) {
        long now = System.nanoTime();
        draw(total, bytes(total, now), now);
        endLine();
    }

    /** Whether {@code done} units are worth a line now: always the last one, others as the mode allows. */
    private boolean due(long done, long now) {
        if (total > 0 && done >= total) {
            return true;
        }
        if (inPlace) {
            return now - lastDraw >= REDRAW_NANOS || lastTenth < 0;
        }
        if (total > 0) {
            return (int) (10 * done / total) != lastTenth;
        }
        return now - lastDraw >= LOG_LINE_NANOS;
    }

    private String bytes(long done, long now) {
        double seconds = (now - startNanos) / 1e9;
        return bytesDetail(done, total, seconds > 0 ? (done - startBytes) / seconds : 0);
    }

    private void draw(long done, String detail, long now) {
        lastDraw = now;
        lastTenth = total > 0 ? (int) (10 * Math.min(done, total) / total) : 0;
        String line = line(label, done, total, detail);
        if (inPlace) {
            // Spaces wipe what a longer previous line left behind.
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            lineOpen = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    private void endLine() {
        if (lineOpen) {
            out.println();
            out.flush();
            lineOpen = false;
            lastLength = 0;
        }
    }

    /** {@code label [######------] detail}, or {@code label  detail} when the total is unknown. */
    static String line(String label, long done, long total, String detail) {
        if (total <= 0) {
            return label + "  " + detail;
        }
        int filled = (int) Math.round(Math.min(1.0, Math.max(0.0, done / (double) total)) * BAR);
        return label + " [" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] " + detail;
    }

    /** A download's figures, e.g. {@code  45.0%  246.6/548.1 MiB  35.2 MiB/s}. */
    static String bytesDetail(long done, long total, double bytesPerSecond) {
        if (total <= 0) {
            return String.format(Locale.ROOT, "%.1f MiB  %.1f MiB/s", done / MIB, bytesPerSecond / MIB);
        }
        double fraction = Math.min(1.0, Math.max(0.0, done / (double) total));
        return String.format(Locale.ROOT, "%5.1f%%  %.1f/%.1f MiB  %.1f MiB/s", 100 * fraction, done / MIB,
                total / MIB, bytesPerSecond / MIB);
    }

    /** Seconds as m:ss, or h:mm:ss from an hour. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
