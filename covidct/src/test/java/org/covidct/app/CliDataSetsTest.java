package org.covidct.app;

import static org.covidct.app.CliRun.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.covidct.app.analyze.TestScores;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.data.image.Normalize;
import org.covidct.nn.io.SafeTensors;
import org.covidct.nn.models.Vgg;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train and evaluate through the command line on collections other than COVID-CT: an ImageFolder
 * tree of normal and pneumonia scans, whose positive class must be named, and a COVID model scored
 * on every image of a tree it never saw.
 */
class CliDataSetsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    static Path xray;
    static Path run;
    static CliRun train;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainOnAnImageFolderTree() throws IOException {
        xray = TinyCollections.imageFolder(shared.resolve("xray"), Map.of("normal", 8, "pneumonia", 8), "pneumonia",
                40, 2);
        run = shared.resolve("run");
        train = cli("train", "--device", "cpu", "--data", xray.toString(), "--positive-class", "pneumonia",
                "--arch", "vgg11_bn", "--weights", "none", "--image-size", "32", "--epochs", "1", "--batch-size", "4",
                "--accumulate", "2", "--out", run.toString(), "--workers", "2");
        assertEquals(0, train.code(), train.err());
    }

    /** A model of random weights that records COVID-CT's classes, as a COVID-CT run's checkpoint does. */
    private Path covidModel() throws IOException {
        Path file = dir.resolve("covid.safetensors");
        try (Vgg model = Vgg.create("vgg11_bn", ClassifierModels.CLASSES, new Generator(3))) {
            SafeTensors.write(file, model.stateDict(),
                    ClassifierModels.describe("vgg11_bn", 32, Normalize.TUTORIAL).toMetadata());
        }
        return file;
    }

    @Test
    void aRunOnAnotherCollectionNamesItsClassesEverywhere() throws IOException {
        JsonNode report = JSON.readTree(run.resolve("test_metrics.json").toFile()).get("test")
                .get("classification_report");
        assertTrue(report.has("normal") && report.has("pneumonia") && !report.has("CT_COVID"), report.toString());
        Map<String, String> meta = SafeTensors.readMetadata(run.resolve("checkpoints/best.safetensors"));
        assertEquals("[\"normal\",\"pneumonia\"]", meta.get("class_names"));
        assertEquals("pneumonia", meta.get("positive_class"));
        JsonNode config = JSON.readTree(run.resolve("config.json").toFile());
        assertEquals("[\"normal\",\"pneumonia\"]", config.get("classes").toString());
        assertEquals("0.5697050938337802,0.1581769436997319,0.27211796246648795",
                config.get("split_fractions").asText(), "COVID-CT's own shares: 425, 118 and 203 of 746");
        assertTrue(Files.isRegularFile(run.resolve("split.csv")));

        Path image = xray.resolve("pneumonia/scan 0.png");
        CliRun predict = cli("predict", "--device", "cpu", "--weights", run.resolve("checkpoints/best.safetensors")
                .toString(), image.toString());
        assertEquals(0, predict.code(), predict.err());
        String row = predict.out().lines().toList().get(1);
        double p = Double.parseDouble(row.split(",")[1]);
        assertEquals(image + "," + String.format(java.util.Locale.ROOT, "%.8f", p) + ","
                + (p > 0.5 ? "pneumonia" : "normal"), row, "the class names the checkpoint records");
    }

    /**
     * Nothing a run on normal and pneumonia scans writes or prints speaks of COVID, but for the file
     * formats' fixed keys covid_probability and predict_covid_when, which hold the positive class's score.
     */
    @Test
    void noOutputOfARunOnOtherClassesSpeaksOfCovid() throws IOException {
        noCovid("train's output", train.out() + train.err());
        noCovid("test_metrics.json", Files.readString(run.resolve("test_metrics.json")));
        noCovid("report.html", Files.readString(run.resolve("report.html")));
        noCovid("test_scores.csv", Files.readString(run.resolve("test_scores.csv")));

        String weights = run.resolve("checkpoints/best.safetensors").toString();
        Path json = dir.resolve("metrics.json");
        CliRun eval = cli("evaluate", "--device", "cpu", "--weights", weights, "--data", run.resolve("split.csv")
                .toString(), "--val-scores", run.resolve("val_scores.csv").toString(), "--metrics-out", json.toString());
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("Calibration (P(pneumonia), "), eval.out());
        noCovid("evaluate's output", eval.out() + eval.err());
        noCovid("evaluate's metrics", Files.readString(json));

        Path image = xray.resolve("pneumonia/scan 0.png");
        CliRun predict = cli("predict", "--device", "cpu", "--weights", weights, image.toString());
        assertEquals(0, predict.code(), predict.err());
        noCovid("predict's output", predict.out() + predict.err());

        CliRun cam = cli("gradcam", "--device", "cpu", "--weights", weights, "--image", image.toString(),
                "--class", "Normal", "--out", dir.resolve("cam.png").toString());
        assertEquals(0, cam.code(), cam.err());
        assertTrue(cam.out().matches("(?s).*: class normal, layer features\\.28, P\\(pneumonia\\) 0\\.\\d{4}\n"),
                cam.out());
        CliRun covid = cli("gradcam", "--device", "cpu", "--weights", weights, "--image", image.toString(),
                "--class", "covid", "--out", dir.resolve("cam.png").toString());
        assertEquals(2, covid.code(), covid.err());
        assertEquals("error: --class covid: the weights' classes are normal and pneumonia", covid.err().strip());
    }

    private static void noCovid(String what, String text) {
        String free = text.replace("covid_probability", "").replace("predict_covid_when", "");
        int at = free.toLowerCase(java.util.Locale.ROOT).indexOf("covid");
        assertTrue(at < 0, what + " speaks of COVID: ..." + free.substring(Math.max(0, at - 80),
                Math.min(free.length(), at + 80)) + "...");
    }

    /** The run's split.csv is a manifest: evaluate on it repeats the run's test scores. */
    @Test
    void evaluateOnTheRunsSplitRepeatsItsTestScores() throws IOException {
        Path scores = dir.resolve("scores.csv");
        CliRun eval = cli("evaluate", "--device", "cpu", "--weights", run.resolve("checkpoints/best.safetensors")
                .toString(), "--batch-size", "4", "--data", run.resolve("split.csv").toString(), "--split", "test",
                "--scores-out", scores.toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals(Files.readAllLines(run.resolve("test_scores.csv")), Files.readAllLines(scores));
    }

    @Test
    void evaluateAllScoresEveryImageOfACollectionTheModelNeverSaw() throws IOException {
        Path tree = TinyCollections.imageFolder(dir.resolve("tree"), Map.of("covid", 3, "non-covid", 4), "covid", 40, 5);
        Path scores = dir.resolve("scores.csv"), json = dir.resolve("metrics.json");
        CliRun eval = cli("evaluate", "--device", "cpu", "--weights", covidModel().toString(), "--data",
                tree.toString(), "--split", "all", "--scores-out", scores.toString(), "--metrics-out", json.toString());
        assertEquals(0, eval.code(), eval.err());
        List<TestScores.Row> rows = TestScores.read(scores);
        assertEquals(7, rows.size());
        List<String> targets = new ArrayList<>();
        for (TestScores.Row r : rows) {
            targets.add(tree.relativize(r.path()).getName(0) + "=" + r.prediction().target());
        }
        assertEquals(List.of("covid=1", "covid=1", "covid=1", "non-covid=0", "non-covid=0", "non-covid=0",
                "non-covid=0"), targets, "torchvision's order, covid the model's COVID");
        List<String> names = new ArrayList<>();
        JSON.readTree(json.toFile()).get("classification_report").fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("non-covid", "covid"), names.subList(0, 2));
        assertTrue(eval.out().contains("Confusion Matrix (rows: true, columns: predicted; non-covid, covid)"),
                eval.out());

        CliRun split = cli("evaluate", "--device", "cpu", "--weights", covidModel().toString(), "--data",
                tree.toString());
        assertEquals(2, split.code(), split.err());
        assertEquals("error: --split test: " + tree + " has no splits; --split all scores every image",
                split.err().strip());
    }

    @Test
    void classesThatDoNotMatchTheModelsNeedThePositiveClassNamed() throws IOException {
        Path model = covidModel();
        CliRun open = cli("evaluate", "--device", "cpu", "--weights", model.toString(), "--data", xray.toString(),
                "--split", "all");
        assertEquals(2, open.code(), open.err());
        assertEquals("error: the model's classes are NonCOVID and COVID (positive COVID) and those of " + xray
                + " are 'normal' and 'pneumonia': name the one that is the model's COVID with --positive-class NAME",
                open.err().strip());
        Path json = dir.resolve("metrics.json");
        CliRun named = cli("evaluate", "--device", "cpu", "--weights", model.toString(), "--data", xray.toString(),
                "--split", "all", "--positive-class", "pneumonia", "--metrics-out", json.toString());
        assertEquals(0, named.code(), named.err());
        assertEquals(16, JSON.readTree(json.toFile()).get("num_samples").asInt());
        assertTrue(JSON.readTree(json.toFile()).get("classification_report").has("pneumonia"));
    }

    @Test
    void trainRefusesAnOpenOrWrongPositiveClassAndMoreThanTwoClasses() throws IOException {
        Path out = dir.resolve("run");
        CliRun open = cli("train", "--device", "cpu", "--data", xray.toString(), "--weights", "none", "--out",
                out.toString());
        assertEquals(2, open.code(), open.err());
        assertEquals("error: " + xray + ": the class names 'normal' and 'pneumonia' do not say which one is "
                + "positive; name it with --positive-class NAME", open.err().strip());
        CliRun wrong = cli("train", "--device", "cpu", "--data", xray.toString(), "--weights", "none",
                "--positive-class", "covid", "--out", out.toString());
        assertEquals(2, wrong.code(), wrong.err());
        assertEquals("error: --positive-class covid: " + xray + ": the positive class 'covid' is neither of its "
                + "classes, 'normal' and 'pneumonia'", wrong.err().strip());

        Path three = TinyCollections.imageFolder(dir.resolve("three"), Map.of("covid", 2, "normal", 2, "pneumonia", 2),
                "covid", 8, 1);
        CliRun classes = cli("train", "--device", "cpu", "--data", three.toString(), "--weights", "none",
                "--positive-class", "covid", "--out", out.toString());
        assertEquals(1, classes.code(), classes.err());
        assertEquals("error: " + three + " holds 3 classes (covid, normal, pneumonia); the classifier tells two "
                + "classes apart", classes.err().strip());

        CliRun fractions = cli("train", "--device", "cpu", "--data", xray.toString(), "--split-fractions", "0.5,0.5",
                "--out", out.toString());
        assertEquals(2, fractions.code(), fractions.err());
        assertTrue(fractions.err().startsWith("error: --split-fractions: split fractions '0.5,0.5': expected three "),
                fractions.err());
        assertFalse(Files.exists(out), "no refused start leaves a run directory");
    }
}
