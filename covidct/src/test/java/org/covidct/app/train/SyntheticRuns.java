package org.covidct.app.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Hand-written metrics.json and test_metrics.json of finished runs, in the layout the trainer writes. */
final class SyntheticRuns {
    private SyntheticRuns() {
    }

    /** metrics.json with one epoch per validation accuracy. */
    static void metrics(Path runDir, double... valAccuracies) throws IOException {
        StringBuilder epochs = new StringBuilder();
        for (int i = 0; i < valAccuracies.length; i++) {
            epochs.append(i == 0 ? "" : ",\n").append(String.format(Locale.ROOT, """
                    {"epoch": %d, "learning_rate": 0.01, "seconds": 1.5, "train_loss": 0.6, "train_accuracy": 0.7,
                     "train_images_skipped": 0, "val": {"num_samples": 8, "accuracy": %s, "loss": 0.5,
                     "confusion_matrix": [[3, 1], [1, 3]]}}""", i + 1, valAccuracies[i]));
        }
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("metrics.json"), "{\"epochs\": [\n" + epochs + "\n]}\n");
    }

    /**
     * test_metrics.json with the given test accuracy, ROC AUC (null: undefined) and, where
     * {@code chosenF1} is not null, a chosen operating point; the rest is fixed.
     */
    static void testMetrics(Path runDir, double accuracy, Double rocAuc, Double chosenF1) throws IOException {
        String auc = rocAuc == null ? "null, \"roc_auc_undefined_reason\": \"only one class present\"" : rocAuc.toString();
        String chosen = chosenF1 == null ? "null, \"chosen_undefined_reason\": \"no threshold\""
                : "{\"rule\": \"youden\", \"threshold\": 0.4, \"test\": {\"f1\": " + chosenF1
                        + ", \"confusion_matrix\": [[1, 1], [0, 2]]}}";
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("test_metrics.json"), String.format(Locale.ROOT, """
                {"val": {"num_samples": 8, "accuracy": 0.75},
                 "test": {"num_samples": 10, "accuracy": %s, "roc_auc": %s, "accuracy_ci": [0.5, 0.9],
                          "uncertainty": {"confidence": 0.95, "resamples": 1000, "seed": 0},
                          "calibration": {"num_bins": 10, "ece": 0.1, "brier": 0.2, "bins": [{"count": 3}]},
                          "temperature_scaling": {"temperature": 1.5, "at_bound": false},
                          "operating_points": {"default": {"threshold": 0.5}, "chosen": %s}}}
                """, accuracy, auc, chosen));
    }
}
