package org.covidct.app.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar for an epoch: bar, images/s, running loss and ETA. On a terminal it
 * redraws in place; otherwise (a log file, CI) it prints a line at every tenth of the epoch.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String label;
    private final int total;
    private final boolean interactive;
    private final long start = System.nanoTime();
    private int lastDecile = -1;

    public ProgressBar(PrintStream out, String label, int totalBatches, boolean interactive) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, totalBatches);
        this.interactive = interactive;
    }

    /** A bar on stderr that redraws in place when stderr is a terminal. */
    public static ProgressBar onStderr(String label, int totalBatches) {
        return new ProgressBar(System.err, label, totalBatches, System.console() != null);
    }

    /** Reports that {@code done} batches and {@code images} images are finished. */
    public void update(int done, long images, double meanLoss) {
        int decile = done * 10 / total;
        if (!interactive && decile == lastDecile && done < total) {
            return;
        }
        lastDecile = decile;
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = images / Math.max(seconds, 1e-9);
        double eta = done == 0 ? 0 : seconds * (total - done) / done;
        int filled = done * WIDTH / total;
        String line = String.format(Locale.ROOT, "%s [%s%s] %d/%d  %.1f img/s  loss %.4f  ETA %s", label,
                "#".repeat(filled), ".".repeat(WIDTH - filled), done, total, rate, meanLoss, clock(eta));
        if (interactive) {
            out.print("\r" + line + (done >= total ? System.lineSeparator() : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
