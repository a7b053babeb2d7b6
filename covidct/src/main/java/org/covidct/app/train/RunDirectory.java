package org.covidct.app.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
     * for a checkpoint can be a gigabyte, and split.csv's); only the directory's claimant may, as no
     * one else writes.
     */
    public void removeStaleTemporaryFiles() throws IOException {
        String splitTemp = split().getFileName().toString();
        List<Path> stale;
        try (Stream<Path> files = Files.walk(root)) {
            stale = files.filter(f -> {
                String name = f.getFileName().toString();
                return (name.startsWith(".") || name.startsWith(splitTemp)) && !name.equals(splitTemp)
                        && name.endsWith(AtomicFile.TEMP_SUFFIX) && Files.isRegularFile(f);
            }).toList();
        }
        for (Path f : stale) {
            Files.deleteIfExists(f);
        }
    }

    /**
     * Deletes what an attempt that was stopped before its first checkpoint wrote besides
     * config.json: none of it can be resumed, and a new attempt would mix its logs with them.
     */
    public void discardUncheckpointedAttempt() throws IOException {
        removeStaleTemporaryFiles();
        deleteTree(tensorboard());
        Files.deleteIfExists(bestCheckpoint());
        Files.deleteIfExists(metrics());
        deleteEndOfRunFiles();
    }

    /**
     * Deletes the files a run's end makes from its best checkpoint, which no longer describe a run
     * that trains on: the scores, the test metrics, the plots, the analysis and report.html.
     */
    public void deleteEndOfRunFiles() throws IOException {
        for (Path file : List.of(valScores(), testScores(), testMetrics(), report())) {
            Files.deleteIfExists(file);
        }
        deleteTree(analysis());
        deleteTree(plots());
        Files.createDirectories(plots());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> files = Files.walk(dir)) {
            all = files.sorted(Comparator.reverseOrder()).toList(); // children before their folder
        }
        for (Path f : all) {
            Files.deleteIfExists(f);
        }
    }

    public Path config() {
        return root.resolve("config.json");
    }

    /**
     * The run's data set with every image's split, as a CSV manifest ({@code path,label,split[,group]},
     * paths relative to this directory): what the run trains, validates and tests on, and a
     * {@code --data} that repeats it.
     */
    public Path split() {
        return root.resolve("split.csv");
    }

    /** The SHA-256 of every data file the run reads, which a resume checks the data against. */
    public Path dataManifest() {
        return root.resolve("data.sha256");
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

    /** The Grad-CAM galleries of analyze. */
    public Path analysis() {
        return root.resolve("analysis");
    }

    /** analyze's page of the whole run. */
    public Path report() {
        return root.resolve("report.html");
    }
}
