package org.covidct.app;

import static org.covidct.app.CliRun.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.covidct.tensor.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train, evaluate and predict through the command line on a generated 20-image data set. */
class CliEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void trainEvaluatePredict() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("COVID-CT"), Map.of("train", 4, "val", 3, "test", 3), 48, 1);
        Path run = dir.resolve("run");
        CliRun train = cli("train", "--device", "cpu", "--data", data.toString(), "--arch", "vgg11_bn",
                "--weights", "none", "--image-size", "32", "--epochs", "2", "--batch-size", "4", "--accumulate", "2",
                "--out", run.toString(), "--workers", "2");
        assertEquals(0, train.code(), train.err());
        for (String f : List.of("config.json", "metrics.json", "test_metrics.json", "val_scores.csv", "test_scores.csv",
                "checkpoints/best.safetensors", "checkpoints/last.safetensors", "plots/roc_curve.png",
                "plots/confusion_matrix.png", "plots/misclassified_scores.png", "plots/losses.png",
                "plots/accuracies.png", "plots/samples.png")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), "run directory lacks " + f);
        }
        JsonNode metrics = new ObjectMapper().readTree(run.resolve("metrics.json").toFile());
        assertEquals(2, metrics.get("epochs").size());
        try (var board = Files.list(run.resolve("tensorboard"))) {
            assertTrue(board.count() >= 5, "tensorboard holds the main file and one folder per add_scalars key");
        }
        List<String> testCsv = Files.readAllLines(run.resolve("test_scores.csv"));
        assertEquals("path,target,covid_probability,prediction", testCsv.get(0));
        assertEquals(1 + 6, testCsv.size());

        Path scores = dir.resolve("eval.csv"), json = dir.resolve("eval.json");
        CliRun eval = cli("evaluate", "--device", "cpu", "--weights", run.resolve("checkpoints/best.safetensors").toString(),
                "--arch", "vgg11_bn", "--image-size", "32", "--batch-size", "4", "--data", data.toString(),
                "--split", "test", "--scores-out", scores.toString(), "--metrics-out", json.toString());
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("Accuracy"), eval.out());
        // Same batch size as the run: the kernels' blocking, and so float rounding, follows the batch.
        assertEquals(testCsv, Files.readAllLines(scores), "evaluate agrees with the run's own test scores");
        JsonNode m = new ObjectMapper().readTree(json.toFile());
        for (String key : List.of("accuracy", "sensitivity", "specificity", "roc_auc", "confusion_matrix", "loss")) {
            assertTrue(m.has(key), "metrics JSON lacks " + key);
        }

        Path image = Files.list(data.resolve("Images-processed/CT_COVID")).sorted().findFirst().orElseThrow();
        CliRun predict = cli("predict", "--device", "cpu", "--weights", run.resolve("checkpoints/best.safetensors").toString(),
                "--arch", "vgg11_bn", "--image-size", "32", image.toString());
        assertEquals(0, predict.code(), predict.err());
        List<String> lines = predict.out().lines().toList();
        assertEquals("path,covid_probability,prediction", lines.get(0));
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).matches("\".*\",0\\.\\d{8},[01]|.*,[01]\\.\\d{8},[01]"), lines.get(1));
    }

    @Test
    void benchPrintsOneJsonLine() throws IOException {
        CliRun r = cli("bench", "--device", "cpu", "--arch", "vgg11_bn", "--image-size", "32", "--batch-size", "2",
                "--steps", "1");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.size(), r.out());
        JsonNode json = new ObjectMapper().readTree(lines.get(0));
        for (String key : List.of("train_images_per_s", "infer_images_per_s", "peak_memory_bytes")) {
            assertTrue(json.get(key).asDouble() > 0, key + " in " + lines.get(0));
        }
    }

    @Test
    void withoutCudaTheDeviceOptionSaysWhatIsMissing() throws IOException {
        Optional<String> reason = Device.cudaUnavailableReason();
        assumeTrue(reason.isPresent(), "CUDA is usable here");
        CliRun r = cli("train", "--device", "cuda", "--data", dir.toString());
        assertEquals(1, r.code());
        assertEquals("error: --device cuda: " + reason.get(), r.err().strip());

        r = cli("bench", "--device", "auto", "--arch", "vgg11_bn", "--image-size", "32", "--batch-size", "1",
                "--steps", "1");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("warning: " + reason.get() + "; running on the CPU"),
                r.err().strip().lines().toList());
        assertEquals("cpu", new ObjectMapper().readTree(r.out()).get("device").asText());
    }

    @Test
    void badInputGivesOneLineErrors() throws IOException {
        Path missing = dir.resolve("nowhere");
        Path out = dir.resolve("run");
        CliRun r = cli("train", "--device", "cpu", "--data", missing.toString(), "--weights", "none",
                "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(missing.toString()), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(Files.notExists(out), "a failed start leaves no run directory behind");

        Path notImage = Files.writeString(dir.resolve("scan.png"), "not an image");
        Path weights = Files.writeString(dir.resolve("w.pth"), "garbage");
        r = cli("predict", "--weights", weights.toString(), "--arch", "vgg11_bn", notImage.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(notImage.toString()), r.err());

        Path image = dir.resolve("ok.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(40, 40, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", image.toFile());
        r = cli("predict", "--device", "cpu", "--weights", weights.toString(), "--arch", "vgg11_bn", image.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(weights.toString()), r.err());

        r = cli("train", "--arch", "resnet50", "--data", dir.toString(), "--weights", "none", "--device", "cpu");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("resnet50"), r.err());
    }
}
