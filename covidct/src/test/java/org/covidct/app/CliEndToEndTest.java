package org.covidct.app;

import static org.covidct.app.CliRun.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.nn.io.SafeTensors;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train, then evaluate, predict and export its checkpoint through the command line, on a
 * generated 20-image data set; the checkpoint says how it was trained, so --weights is enough.
 */
class CliEndToEndTest {
    @TempDir
    static Path shared;
    static Path data;
    static Path run;
    static Path best;

    @TempDir
    Path dir;

    @BeforeAll
    static void train() throws IOException {
        data = TinyCovidCt.create(shared.resolve("COVID-CT"), Map.of("train", 4, "val", 3, "test", 3), 48, 1);
        run = shared.resolve("run");
        CliRun train = cli("train", "--device", "cpu", "--data", data.toString(), "--arch", "vgg11_bn",
                "--weights", "none", "--image-size", "32", "--epochs", "2", "--batch-size", "4", "--accumulate", "2",
                "--out", run.toString(), "--workers", "2", "--no-analyze");
        assertEquals(0, train.code(), train.err());
        best = run.resolve("checkpoints/best.safetensors");
    }

    private static Path firstImage(String cls) throws IOException {
        try (var files = Files.list(data.resolve("Images-processed/" + cls))) {
            return files.sorted().findFirst().orElseThrow();
        }
    }

    @Test
    void trainWritesTheRunDirectory() throws IOException {
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
    }

    /** The checkpoints record how the model was trained, in the standard safetensors metadata. */
    @Test
    void checkpointsDescribeTheirModel() throws IOException {
        for (String name : List.of("best", "last")) {
            Map<String, String> meta = SafeTensors.readMetadata(run.resolve("checkpoints/" + name + ".safetensors"));
            assertEquals("vgg11_bn", meta.get("architecture"), name);
            assertEquals("32", meta.get("image_size"), name);
            assertEquals("[0.0,0.0,0.0]", meta.get("normalize_mean"), name);
            assertEquals("[1.0,1.0,1.0]", meta.get("normalize_std"), name);
            assertEquals("[\"NonCOVID\",\"COVID\"]", meta.get("class_names"), name);
            assertEquals("COVID", meta.get("positive_class"), name);
            assertTrue(meta.containsKey("library_version"), name);
        }
    }

    /** Today's defaults (vgg19_bn at 224) would not even load this checkpoint; its own record does. */
    @Test
    void evaluateNeedsOnlyTheWeights() throws IOException {
        Path scores = dir.resolve("eval.csv"), json = dir.resolve("eval.json");
        CliRun eval = cli("evaluate", "--device", "cpu", "--weights", best.toString(), "--batch-size", "4",
                "--data", data.toString(), "--split", "test", "--scores-out", scores.toString(),
                "--metrics-out", json.toString());
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("Accuracy"), eval.out());
        // Same batch size as the run: the kernels' blocking, and so float rounding, follows the batch.
        assertEquals(Files.readAllLines(run.resolve("test_scores.csv")), Files.readAllLines(scores),
                "evaluate agrees with the run's own test scores");
        JsonNode m = new ObjectMapper().readTree(json.toFile());
        for (String key : List.of("accuracy", "sensitivity", "specificity", "roc_auc", "confusion_matrix", "loss")) {
            assertTrue(m.has(key), "metrics JSON lacks " + key);
        }

        CliRun repeated = cli("evaluate", "--device", "cpu", "--weights", best.toString(), "--arch", "vgg11_bn",
                "--image-size", "32", "--data", data.toString());
        assertEquals(0, repeated.code(), "flags that repeat the record are fine: " + repeated.err());
    }

    @Test
    void aFlagThatContradictsTheWeightsIsAUsageError() {
        CliRun size = cli("evaluate", "--device", "cpu", "--weights", best.toString(), "--image-size", "224",
                "--data", data.toString());
        assertEquals(2, size.code());
        assertEquals("error: --image-size 224 contradicts " + best + ", trained at 32", size.err().strip());

        CliRun arch = cli("predict", "--device", "cpu", "--weights", best.toString(), "--arch", "vgg19_bn", "x.png");
        assertEquals(2, arch.code());
        assertEquals("error: --arch vgg19_bn contradicts " + best + ", trained as vgg11_bn", arch.err().strip());

        CliRun cam = cli("gradcam", "--device", "cpu", "--weights", best.toString(), "--image-size", "64",
                "--image", "x.png");
        assertEquals(2, cam.code());
        assertEquals("error: --image-size 64 contradicts " + best + ", trained at 32", cam.err().strip());
    }

    /** A checkpoint from before the record takes the flags, and the wrong ones are named briefly. */
    @Test
    void anOlderCheckpointTakesTheFlags() throws IOException {
        Path old = dir.resolve("old.safetensors");
        SafeTensors.Contents contents = SafeTensors.readContents(best);
        Map<String, String> meta = new LinkedHashMap<>(contents.metadata());
        meta.keySet().removeAll(ModelMetadata.of("x", 1, new float[0], new float[0], List.of("a", "b"), "b")
                .toMetadata().keySet());
        SafeTensors.write(old, contents.tensors(), meta);
        contents.tensors().values().forEach(Tensor::close);
        assertEquals(Optional.empty(), ModelMetadata.read(old));

        Path scores = dir.resolve("old.csv");
        CliRun eval = cli("evaluate", "--device", "cpu", "--weights", old.toString(), "--arch", "vgg11_bn",
                "--image-size", "32", "--batch-size", "4", "--data", data.toString(), "--scores-out", scores.toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals(Files.readAllLines(run.resolve("test_scores.csv")), Files.readAllLines(scores));

        CliRun wrong = cli("evaluate", "--device", "cpu", "--weights", old.toString(), "--arch", "vgg13_bn",
                "--image-size", "32", "--data", data.toString());
        assertEquals(1, wrong.code());
        String err = wrong.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("error: " + old + ": does not fit this architecture: "), err);
        assertTrue(err.matches(".*: \\d+ keys differ, such as [^,]+, [^,]+, [^,]+ \\(were the weights.*"), err);
        assertTrue(err.length() < 400, err.length() + " characters: " + err);
    }

    @Test
    void predictPrintsClassNames() throws IOException {
        Path covid = firstImage("CT_COVID"), nonCovid = firstImage("CT_NonCOVID");
        CliRun predict = cli("predict", "--device", "cpu", "--weights", best.toString(), covid.toString(),
                nonCovid.toString());
        assertEquals(0, predict.code(), predict.err());
        List<String> lines = predict.out().lines().toList();
        assertEquals("path,covid_probability,prediction", lines.get(0));
        assertEquals(3, lines.size());
        assertTrue(lines.get(1).matches("\".*\",[01]\\.\\d{8},(COVID|NonCOVID)"), lines.get(1));
        double p = Double.parseDouble(lines.get(1).split(",")[2]);
        assertTrue(lines.get(1).endsWith(p > 0.5 ? ",COVID" : ",NonCOVID"), lines.get(1));
    }

    /** Rows stream out a batch at a time, so the images before an unreadable one are answered. */
    @Test
    void predictStreamsUntilABadImage() throws IOException {
        Path bad = Files.writeString(dir.resolve("scan.png"), "not an image");
        CliRun predict = cli("predict", "--device", "cpu", "--weights", best.toString(), "--batch-size", "1",
                firstImage("CT_COVID").toString(), firstImage("CT_NonCOVID").toString(), bad.toString());
        assertEquals(1, predict.code());
        assertEquals(3, predict.out().lines().count(), "the header and the two readable images: " + predict.out());
        assertEquals(1, predict.err().strip().lines().count(), predict.err());
        assertTrue(predict.err().startsWith("error: ") && predict.err().contains(bad.toString()), predict.err());
    }

    /** weights convert exports the model alone, still describing itself. */
    @Test
    void anExportIsSelfDescribingToo() throws IOException {
        Path export = dir.resolve("model.safetensors");
        CliRun convert = cli("weights", "convert", best.toString(), export.toString());
        assertEquals(0, convert.code(), convert.err());
        assertTrue(SafeTensors.read(export).keySet().stream().noneMatch(k -> k.startsWith("optimizer.")),
                "no optimiser state in an export");
        assertEquals(ModelMetadata.read(best), ModelMetadata.read(export));
        Path image = firstImage("CT_COVID");
        CliRun fromExport = cli("predict", "--device", "cpu", "--weights", export.toString(), image.toString());
        CliRun fromCheckpoint = cli("predict", "--device", "cpu", "--weights", best.toString(), image.toString());
        assertEquals(0, fromExport.code(), fromExport.err());
        assertEquals(fromCheckpoint.out(), fromExport.out());
    }

    @Test
    void benchPrintsOneJsonLine() throws IOException {
        CliRun r = cli("bench", "--device", "cpu", "--arch", "vgg11_bn", "--image-size", "32", "--batch-size", "2",
                "--steps", "1", "--warmup-seconds", "0.2");
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
                "--steps", "1", "--warmup-seconds", "0");
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

        Path weights = Files.writeString(dir.resolve("w.pth"), "garbage");
        r = cli("predict", "--device", "cpu", "--weights", weights.toString(), "--arch", "vgg11_bn",
                firstImage("CT_COVID").toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: " + weights), r.err());
        assertFalse(r.out().contains(","), "no rows from a model that did not load: " + r.out());
    }
}
