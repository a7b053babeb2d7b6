package org.covidct.app.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.covidct.nn.io.AtomicFile;

/** Where a run keeps its files. */
public record RunDirectory(Path root) {
    /** Creates the directory and {@link #claim claims} it. */
    public void create() throws IOException {
        Files.createDirectories(checkpoints());
        Files.createDirectories(plots());
        claim();
    }

    /**
     * Makes this process the directory's only writer until it exits; an IOException names the
     * process that already is.
     */
    public void claim() throws IOException {
        RunLock.claim(root);
    }

    /**
     * Deletes what writers killed mid-file left behind ({@link AtomicFile}'s temporary files, which
     * for a checkpoint can be a gigabyte); only the directory's claimant may, as no one else writes.
     */
    public void removeStaleTemporaryFiles() throws IOException {
        List<Path> stale;
        try (Stream<Path> files = Files.walk(root)) {
            stale = files.filter(f -> {
                String name = f.getFileName().toString();
                return name.startsWith(".") && name.endsWith(AtomicFile.TEMP_SUFFIX) && Files.isRegularFile(f);
            }).toList();
        }
        for (Path f : stale) {
            Files.deleteIfExists(f);
        }
    }

    public Path config() {
        return root.resolve("config.json");
    }

    /** Every epoch's training and validation metrics. */
    public Path metrics() {
        return root.resolve("metrics.json");
    }

    /** The best model's test (and validation) metrics. */
    public Path testMetrics() {
        return root.resolve("test_metrics.json");
    }

    public Path valScores() {
        return root.resolve("val_scores.csv");
    }

    public Path testScores() {
        return root.resolve("test_scores.csv");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path lastCheckpoint() {
        return checkpoints().resolve("last.safetensors");
    }

    /** The model with the best validation accuracy so far. */
    public Path bestCheckpoint() {
        return checkpoints().resolve("best.safetensors");
    }

    public Path tensorboard() {
        return root.resolve("tensorboard");
    }

    public Path plots() {
        return root.resolve("plots");
    }
}
