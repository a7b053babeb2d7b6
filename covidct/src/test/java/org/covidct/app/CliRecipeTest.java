package org.covidct.app;

import static org.covidct.app.CliRun.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train --recipe and the options that change one of its settings. */
class CliRecipeTest {
    @TempDir
    Path dir;

    @Test
    void theTransferRecipeWithOneSettingChangedIsWhatTheRunRecordsAndUses() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 4, "val", 2, "test", 2), 40, 2);
        Path run = dir.resolve("run");
        CliRun train = cli("train", "--device", "cpu", "--data", data.toString(), "--arch", "vgg11_bn", "--weights",
                "none", "--image-size", "32", "--epochs", "2", "--batch-size", "4", "--recipe", "transfer",
                "--no-tta", "--freeze-epochs", "1", "--out", run.toString(), "--workers", "2", "--no-analyze");
        assertEquals(0, train.code(), train.err());
        JsonNode config = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals(2, config.get("accumulate").asInt(), "the transfer recipe's default");
        assertEquals(1e-4, config.get("lr").asDouble(), 1e-9, "AdamW's default rate");
        JsonNode recipe = config.get("recipe");
        assertEquals("transfer", recipe.get("name").asText());
        assertEquals("adamw", recipe.get("optimizer").asText());
        assertEquals("cosine", recipe.get("schedule").asText());
        assertEquals("strong", recipe.get("augmentation").asText());
        assertEquals(1, recipe.get("freeze_epochs").asInt());
        assertEquals(false, recipe.get("test_time_flip").asBoolean());
        assertEquals(0.1, recipe.get("label_smoothing").asDouble(), 1e-7);
        JsonNode epochs = new ObjectMapper().readTree(run.resolve("metrics.json").toFile()).get("epochs");
        assertEquals(0.0, epochs.get(1).get("learning_rate").asDouble(), 1e-12, "the cosine ends at 0");
        assertTrue(Files.isRegularFile(run.resolve("test_metrics.json")));
    }

    /** A transfer run tests with mirror images; evaluate --tta repeats its test scores. */
    @Test
    void evaluateWithTtaRepeatsATransferRunsTestScores() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 4, "val", 2, "test", 3), 40, 4);
        Path run = dir.resolve("run");
        CliRun train = cli("train", "--device", "cpu", "--data", data.toString(), "--arch", "vgg11_bn", "--weights",
                "none", "--image-size", "32", "--epochs", "1", "--batch-size", "4", "--recipe", "transfer",
                "--out", run.toString(), "--workers", "2", "--no-analyze");
        assertEquals(0, train.code(), train.err());
        Path best = run.resolve("checkpoints/best.safetensors");
        Path flipped = evaluate(best, data, "flipped.csv", "--tta");
        Path plain = evaluate(best, data, "plain.csv");
        assertEquals(Files.readAllLines(run.resolve("test_scores.csv")), Files.readAllLines(flipped));
        assertTrue(!Files.readAllLines(flipped).equals(Files.readAllLines(plain)), "--tta should change the scores");
    }

    /** evaluate's scores of the test split, with {@code options} added. */
    private Path evaluate(Path weights, Path data, String file, String... options) {
        Path scores = dir.resolve(file);
        List<String> args = new ArrayList<>(List.of("evaluate", "--device", "cpu", "--weights", weights.toString(),
                "--batch-size", "4", "--data", data.toString(), "--scores-out", scores.toString()));
        args.addAll(List.of(options));
        CliRun eval = cli(args.toArray(String[]::new));
        assertEquals(0, eval.code(), eval.err());
        return scores;
    }

    @Test
    void badRecipeSettingsAreUsageErrors() {
        String data = dir.toString();
        assertUsageError("unknown recipe 'fast': expected tutorial or transfer", "--recipe", "fast");
        assertUsageError("--optimizer adam: expected one of [sgd, adamw]", "--optimizer", "adam");
        assertUsageError("--schedule step: expected one of [plateau, cosine]", "--schedule", "step");
        assertUsageError("label smoothing 1.0 (0 to below 1)", "--label-smoothing", "1");
        assertUsageError("--recipe cannot be given with --resume", "--resume", data, "--recipe", "transfer");
    }

    private void assertUsageError(String expected, String... options) {
        String[] args = new String[options.length + 3];
        args[0] = "train";
        args[1] = "--data";
        args[2] = dir.toString();
        System.arraycopy(options, 0, args, 3, options.length);
        CliRun r = cli(args);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }
}
