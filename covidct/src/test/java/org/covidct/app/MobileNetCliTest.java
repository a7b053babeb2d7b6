package org.covidct.app;

import static org.covidct.app.CliRun.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.covidct.nn.io.SafeTensors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train, evaluate and predict with --arch mobilenet_v2, from scratch and from the real TFLite file. */
class MobileNetCliTest {
    private static final String QUANT = "mobilenet_v2_1.0_224_quant.tflite";

    @TempDir
    Path dir;

    /** shared/pretrained/mobilenet beside the checkout, or the test is skipped saying why. */
    private static Path mobilenetDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("pretrained").resolve("mobilenet");
            if (Files.isRegularFile(candidate.resolve(QUANT))) {
                return candidate;
            }
        }
        return Assumptions.abort("no shared/pretrained/mobilenet beside this checkout: the ImageNet TFLite files are not here");
    }

    /** Trains one epoch, then evaluates and predicts with the best checkpoint; returns that checkpoint. */
    private Path trainEvaluatePredict(String weights) throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("COVID-CT"), Map.of("train", 4, "val", 3, "test", 3), 48, 1);
        Path run = dir.resolve("run");
        CliRun train = cli("train", "--device", "cpu", "--data", data.toString(), "--arch", "mobilenet_v2",
                "--weights", weights, "--image-size", "32", "--epochs", "1", "--batch-size", "4", "--accumulate", "2",
                "--out", run.toString(), "--workers", "2");
        assertEquals(0, train.code(), train.err());
        Path best = run.resolve("checkpoints/best.safetensors");
        assertTrue(Files.isRegularFile(best) && Files.isRegularFile(run.resolve("test_scores.csv")));

        Path scores = dir.resolve("eval.csv");
        CliRun eval = cli("evaluate", "--device", "cpu", "--weights", best.toString(), "--arch", "mobilenet_v2",
                "--image-size", "32", "--data", data.toString(), "--split", "test", "--scores-out", scores.toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals(Files.readAllLines(run.resolve("test_scores.csv")), Files.readAllLines(scores),
                "evaluate agrees with the run's own test scores");

        Path image = Files.list(data.resolve("Images-processed/CT_COVID")).sorted().findFirst().orElseThrow();
        CliRun predict = cli("predict", "--device", "cpu", "--weights", best.toString(), "--arch", "mobilenet_v2",
                "--image-size", "32", image.toString());
        assertEquals(0, predict.code(), predict.err());
        List<String> lines = predict.out().lines().toList();
        assertEquals(List.of("path,covid_probability,prediction"), lines.subList(0, 1));
        assertEquals(2, lines.size(), predict.out());

        CliRun resumed = cli("train", "--device", "cpu", "--resume", run.toString());
        assertEquals(0, resumed.code(), "resuming a finished run rebuilds its model: " + resumed.err());
        return best;
    }

    @Test
    void fromScratch() throws IOException {
        Path best = trainEvaluatePredict("none");
        assertTrue(SafeTensors.read(best).containsKey("model.features.0.1.running_mean"),
                "without ImageNet weights mobilenet_v2 is torchvision's, with batch norm");
    }

    @Test
    void fineTunedFromTflite() throws IOException {
        Path tflite = mobilenetDir().resolve(QUANT);
        Path best = trainEvaluatePredict(tflite.toString());
        var keys = SafeTensors.read(best).keySet();
        assertTrue(keys.contains("model.features.0.0.bias") && !keys.contains("model.features.0.1.running_mean"),
                "from TFLite weights mobilenet_v2 keeps the folded batch norm: " + keys.stream().limit(8).toList());
    }

    @Test
    void predictImageNetTopFive() throws IOException {
        Path bird = mobilenetDir().resolve("bird.rgb"), sunflower = mobilenetDir().resolve("sunflower.rgb");
        List<String> lines = imagenetTopFive(bird, sunflower);
        assertEquals("path,rank,label,probability", lines.get(0));
        assertEquals(1 + 2 * 5, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).startsWith(bird + ",1,chickadee,0."), lines.get(1));
        assertTrue(lines.get(6).startsWith(sunflower + ",1,daisy,0."), lines.get(6));
        double sum = 0;
        for (String line : lines.subList(1, 6)) {
            sum += Double.parseDouble(line.substring(line.lastIndexOf(',') + 1));
        }
        assertTrue(sum > 0.5 && sum <= 1.0 + 1e-6, "top-5 probabilities of the bird sum to " + sum);
    }

    /** Ordinary BMP photographs, resized like any other input: Grace Hopper in uniform, and a cat. */
    @Test
    void predictImageNetFromBmp() throws IOException {
        Path hopper = mobilenetDir().resolve("grace_hopper.bmp"), cat = mobilenetDir().resolve("cat.bmp");
        List<String> lines = imagenetTopFive(hopper, cat);
        assertTrue(lines.get(1).startsWith(hopper + ",1,military uniform,0."), lines.get(1));
        assertTrue(lines.get(6).startsWith(cat + ",1,Egyptian cat,0."), lines.get(6));
    }

    /** The CSV lines of `predict --imagenet` through the real quantized file. */
    private static List<String> imagenetTopFive(Path... images) {
        List<String> args = new java.util.ArrayList<>(List.of("predict", "--device", "cpu", "--arch", "mobilenet_v2",
                "--weights", mobilenetDir().resolve(QUANT).toString(), "--imagenet"));
        for (Path image : images) {
            args.add(image.toString());
        }
        CliRun r = cli(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return r.out().lines().toList();
    }

    @Test
    void imagenetNeedsMobileNet() {
        CliRun r = cli("predict", "--device", "cpu", "--arch", "vgg11", "--weights", "x.tflite", "--imagenet", "a.png");
        assertEquals(2, r.code(), "a usage error");
        assertTrue(r.err().contains("mobilenet_v2"), r.err());
    }
}
