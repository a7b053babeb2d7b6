package org.covidct.app.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.covidct.app.io.ErrorLine;

/**
 * One configuration trained with several seeds, one after another: seed N into {@code OUT/seed-N/},
 * then the summary over them ({@link SeedSummary}) in {@code OUT/summary.json}, {@code summary.csv}
 * and {@code summary.html}, each written atomically, and as a table on the console. A seed whose run
 * throws is recorded as failed, with its error in one line, and the next seed runs all the same.
 */
public final class SeedRuns {
    /** Trains one seed's run into {@code runDir}, or resumes it when {@code runDir} already holds one. */
    @FunctionalInterface
    public interface SeedRun {
        void run(long seed, Path runDir) throws Exception;
    }

    private SeedRuns() {
    }

    /** The run directory of {@code seed}: {@code out/seed-N}. */
    public static Path runDirectory(Path out, long seed) {
        return out.resolve("seed-" + seed);
    }

    /**
     * Runs every seed of {@code seeds} in order with {@code run}, then writes and prints the
     * summary, which says whether any failed. {@code seeds} must be non-empty and distinct.
     *
     * @throws IOException when {@code out} or a summary file cannot be written
     */
    public static SeedSummary run(Path out, List<Long> seeds, SeedRun run, PrintStream log) throws IOException {
        requireDistinct(seeds);
        Files.createDirectories(out);
        Map<Long, String> errors = new LinkedHashMap<>();
        for (int i = 0; i < seeds.size(); i++) {
            long seed = seeds.get(i);
            Path dir = runDirectory(out, seed);
            log.println("seed " + seed + " (" + (i + 1) + " of " + seeds.size() + "): " + dir);
            try {
                run.run(seed, dir);
            } catch (Exception | OutOfMemoryError e) {
                // Out of memory fails that seed only: its run's memory is unreachable once it threw.
                errors.put(seed, ErrorLine.of(e));
                log.println("seed " + seed + " failed: " + errors.get(seed));
            }
        }
        SeedSummary summary = SeedSummary.read(out, seeds, errors);
        SeedSummaryFiles.write(out, summary);
        log.print(summary.formatTable());
        log.println("summary: " + out.resolve(SeedSummaryFiles.JSON) + ", " + SeedSummaryFiles.CSV + " and "
                + SeedSummaryFiles.HTML);
        return summary;
    }

    /**
     * Refuses an empty list of seeds, or one that names a seed twice (its runs would share a
     * directory), with an IllegalArgumentException that names them.
     */
    public static void requireDistinct(List<Long> seeds) {
        if (seeds == null || seeds.isEmpty()) {
            throw new IllegalArgumentException("--seeds: no seeds given");
        }
        Set<Long> seen = new LinkedHashSet<>();
        Set<Long> twice = new LinkedHashSet<>();
        for (long s : seeds) {
            if (!seen.add(s)) {
                twice.add(s);
            }
        }
        if (!twice.isEmpty()) {
            throw new IllegalArgumentException("--seeds " + join(seeds, ",") + ": " + join(twice, ", ")
                    + (twice.size() == 1 ? " is" : " are") + " given more than once");
        }
    }

    private static String join(Collection<Long> seeds, String separator) {
        return seeds.stream().map(String::valueOf).collect(Collectors.joining(separator));
    }
}
