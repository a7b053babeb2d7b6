package org.covidct.app.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a run keeps its files. */
public record RunDirectory(Path root) {
    public void create() throws IOException {
        Files.createDirectories(checkpoints());
        Files.createDirectories(plots());
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
