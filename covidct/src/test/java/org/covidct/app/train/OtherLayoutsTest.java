package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.covidct.app.TinyCollections;
import org.covidct.app.TinyCovidCt;
import org.covidct.app.analyze.RunAnalysis;
import org.covidct.app.analyze.TestScores;
import org.covidct.app.data.BinaryLabels;
import org.covidct.app.data.PositiveClassException;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Split;
import org.covidct.nn.data.layout.CsvManifest;
import org.covidct.nn.data.layout.ImageFolder;
import org.covidct.nn.data.split.SplitFractions;
import org.covidct.nn.data.split.StratifiedSplit;
import org.covidct.nn.io.Checkpoint;
import org.covidct.nn.io.SafeTensors;
import org.covidct.nn.models.Vgg;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs on an ImageFolder tree and a grouped CSV manifest: the split they leave open is made, written
 * as split.csv and reused on resume, bit for bit, also when the data set or the run moved; the
 * positive class is label 1 and every output names the data set's classes.
 */
class OtherLayoutsTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    private static final class Crash extends RuntimeException {
    }

    private Path tree() throws IOException {
        return TinyCollections.imageFolder(dir.resolve("tree"), Map.of("covid", 10, "normal", 10), "covid", 40, 4);
    }

    /** 3 epochs of the narrow VGG on {@code data}, with {@code covid} as the positive class unless the names say. */
    private TrainConfig config(Path data, String positiveClass, String run) {
        return new TrainConfig("narrow", "none", data, dir.resolve(run), 3, 4, 2, 0.01f, 0.9f, 32, 7, 2, 5,
                positiveClass, SplitFractions.COVID_CT, TrainingRecipe.TUTORIAL);
    }

    /** A run of {@code config} killed before its third epoch's first file. */
    private Path killed(TrainConfig config) {
        Trainer trainer = new Trainer(config, NarrowVgg.FACTORY, log).onStep((step, epoch) -> {
            if (epoch == 2) {
                throw new Crash();
            }
        });
        assertThrows(Crash.class, trainer::train);
        return config.out();
    }

    @Test
    void anImageFolderTreeIsSplitRecordedAndLabelledByItsPositiveClass() throws IOException {
        Path tree = tree();
        Path run = new Trainer(config(tree, "covid", "run"), NarrowVgg.FACTORY, log).train().runDir();

        LabelledDataset expected = StratifiedSplit.complete(BinaryLabels.relabel(ImageFolder.read(tree), "covid"),
                SplitFractions.COVID_CT, 7);
        LabelledDataset split = CsvManifest.read(run.resolve("split.csv"), List.of("normal", "covid"));
        assertEquals(expected.files(), split.files(), "split.csv is the seeded split, in the tree's order");
        assertEquals(List.of("path", "label", "split"), List.of(Files.readAllLines(run.resolve("split.csv")).get(0)
                .split(",")));

        JsonNode config = Trainer.JSON.readTree(run.resolve("config.json").toFile());
        assertEquals(tree.toAbsolutePath().toString(), config.get("data").asText());
        assertEquals("image-folder", config.get("data_layout").asText());
        assertEquals("[\"normal\",\"covid\"]", config.get("classes").toString());
        assertEquals("covid", config.get("positive_class").asText());
        assertEquals(SplitFractions.COVID_CT, SplitFractions.parse(config.get("split_fractions").asText()));
        assertEquals(RunData.fingerprint(expected, tree), config.get("split_sha256").asText());

        // covid, label 0 in the tree's own numbering, is the classifier's 1.
        List<TestScores.Row> scores = TestScores.read(run.resolve("test_scores.csv"));
        assertEquals(expected.samples(Split.TEST).stream().map(s -> s.path().toString()).toList(),
                scores.stream().map(r -> r.path().toString()).toList());
        for (TestScores.Row r : scores) {
            assertEquals(tree.relativize(r.path()).startsWith("covid") ? 1 : 0, r.prediction().target(), r.path() + "");
        }

        JsonNode metrics = Trainer.JSON.readTree(run.resolve("test_metrics.json").toFile());
        for (String part : List.of("val", "test")) {
            JsonNode report = metrics.get(part).get("classification_report");
            assertEquals(List.of("normal", "covid", "accuracy", "macro avg", "weighted avg"), fieldNames(report), part);
        }
        JsonNode epochs = Trainer.JSON.readTree(run.resolve("metrics.json").toFile()).get("epochs");
        assertTrue(epochs.get(0).get("val").get("classification_report").has("covid"));
        String out = logBytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("Confusion Matrix (rows: true, columns: predicted; normal, covid)\n"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches(" {6}normal( +[01]\\.\\d\\d){3} +\\d+")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches(" {7}covid( +[01]\\.\\d\\d){3} +\\d+")), out);
        assertTrue(out.contains("Calibration (P(covid), 10 equal-width bins)"), out);
        assertFalse(out.contains("CT_"), out);

        for (String checkpoint : List.of("best", "last")) {
            Map<String, String> meta = SafeTensors.readMetadata(run.resolve("checkpoints/" + checkpoint + ".safetensors"));
            assertEquals("[\"normal\",\"covid\"]", meta.get("class_names"), checkpoint);
            assertEquals("covid", meta.get("positive_class"), checkpoint);
        }

        RunAnalysis.ModelLoader narrow = (arch, weights) -> {
            Vgg model = new Vgg(NarrowVgg.CONFIG, true, 32, ClassifierModels.CLASSES, new Generator(0));
            ClassifierModels.load(model, weights);
            return model;
        };
        new RunAnalysis(narrow, log).run(run, null, 2, null);
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("<title>covid / normal run report</title>"), "the title");
        assertTrue(html.contains("<td>precision (covid)</td>"), "the metrics table");
        assertTrue(html.contains("normal, predicted covid"), "the galleries' rules");
        assertFalse(html.contains("COVID"), "no COVID-CT name in a report of another collection");
    }

    @Test
    void aKilledImageFolderRunResumesBitIdenticallyFromItsSplit() throws IOException {
        Path tree = tree();
        Path whole = new Trainer(config(tree, "covid", "whole"), NarrowVgg.FACTORY, log).train().runDir();
        Path run = killed(config(tree, "covid", "killed"));
        // A later image changes nothing: the run's images are split.csv's.
        Files.copy(tree.resolve("covid/scan 0.png"), tree.resolve("covid/scan 99.png"));
        Trainer.resume(run, ResumeOptions.AS_STARTED, NarrowVgg.FACTORY, Device.CPU, log);
        assertSameRun(whole, run);
    }

    @Test
    void aMovedRunDirectoryFindsItsImagesByItsSplitsFingerprint() throws IOException {
        Path tree = tree();
        Path whole = new Trainer(config(tree, "covid", "whole"), NarrowVgg.FACTORY, log).train().runDir();
        Path moved = copy(killed(config(tree, "covid", "killed")), dir.resolve("a/b/elsewhere"));
        String before = Files.readString(moved.resolve("split.csv"));
        Trainer.resume(moved, ResumeOptions.AS_STARTED, NarrowVgg.FACTORY, Device.CPU, log);
        assertSameRun(whole, moved);
        assertFalse(before.equals(Files.readString(moved.resolve("split.csv"))), "split.csv leads to the images again");
        assertEquals(tree.toRealPath().resolve("covid/scan 0.png"), CsvManifest.read(moved.resolve("split.csv"))
                .files().stream().map(LabelledFile::path).filter(p -> p.endsWith("scan 0.png")
                        && p.getParent().endsWith("covid")).findFirst().orElseThrow().toRealPath());
    }

    @Test
    void aMovedTreeWithAnotherImageCannotBeSplitAgainAsTheRunWas() throws IOException {
        Path run = killed(config(tree(), "covid", "killed"));
        Path moved = Files.move(dir.resolve("tree"), dir.resolve("moved"));
        Files.copy(moved.resolve("covid/scan 0.png"), moved.resolve("covid/scan 99.png"));
        IOException e = assertThrows(IOException.class, () -> Trainer.resume(run, ResumeOptions.AS_STARTED
                .withData(moved), NarrowVgg.FACTORY, Device.CPU, log));
        assertTrue(e.getMessage().startsWith(run.resolve("split.csv") + " does not lead to the run's images, and the "
                + "split made again from " + moved + " is not the run's (SHA-256 "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void aGroupedManifestRunKeepsPatientsWholeAndResumesBitIdenticallyAfterTheDataMoved() throws IOException {
        Path manifest = TinyCollections.groupedManifest(dir.resolve("csv"), new String[] {"covid", "non-covid"}, 12,
                "covid", 40, 6);
        Path whole = new Trainer(config(manifest, null, "whole"), NarrowVgg.FACTORY, log).train().runDir();
        LabelledDataset split = CsvManifest.read(whole.resolve("split.csv"), List.of("non-covid", "covid"));
        assertEquals(24, split.files().size());
        Map<String, Split> splitOfPatient = new HashMap<>();
        for (LabelledFile f : split.files()) {
            assertEquals(f.split(), splitOfPatient.computeIfAbsent(f.group(), g -> f.split()), f.group());
        }
        assertEquals(3, Map.copyOf(splitOfPatient).values().stream().distinct().count());
        assertEquals("covid", Trainer.JSON.readTree(whole.resolve("config.json").toFile()).get("positive_class")
                .asText(), "covid beside non-covid is positive by its name");

        Path run = killed(config(manifest, null, "killed"));
        Path moved = Files.move(dir.resolve("csv"), dir.resolve("moved")).resolve("manifest.csv");
        IOException notThere = assertThrows(IOException.class,
                () -> Trainer.resume(run, ResumeOptions.AS_STARTED, NarrowVgg.FACTORY, Device.CPU, log));
        assertTrue(notThere.getMessage().endsWith("; if the data set moved, give --data with its new place"),
                notThere.getMessage());
        Trainer.resume(run, ResumeOptions.AS_STARTED.withData(moved), NarrowVgg.FACTORY, Device.CPU, log);
        assertSameRun(whole, run, dir.resolve("csv") + "/", dir.resolve("moved") + "/");
        assertEquals(moved.toAbsolutePath(), ConfigFile.read(run.resolve("config.json"), run).data());
        assertTrue(CsvManifest.read(run.resolve("split.csv")).files().stream()
                .allMatch(f -> f.path().startsWith(dir.resolve("moved").toAbsolutePath())), "split.csv follows the data");
    }

    @Test
    void namesThatLeaveThePositiveClassOpenStopTheStartBeforeAnythingIsWritten() throws IOException {
        Path tree = TinyCollections.imageFolder(dir.resolve("xray"), Map.of("normal", 3, "pneumonia", 3), "", 8, 1);
        PositiveClassException e = assertThrows(PositiveClassException.class,
                () -> new Trainer(config(tree, null, "run"), NarrowVgg.FACTORY, log).train());
        assertTrue(e.getMessage().endsWith("do not say which one is positive; name it with --positive-class NAME"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("run")));
    }

    /** A run's config.json from before split.csv: COVID-CT read from its split files, as then. */
    @Test
    void aRunStartedBeforeSplitCsvResumesOnCovidCtsSplitFiles() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("covid-ct"), Map.of("train", 6, "val", 3, "test", 3), 40, 3);
        Path whole = new Trainer(config(data, null, "whole"), NarrowVgg.FACTORY, log).train().runDir();
        Path run = killed(config(data, null, "killed"));
        ObjectNode config = (ObjectNode) Trainer.JSON.readTree(run.resolve("config.json").toFile());
        config.remove(List.of("data_layout", "classes", "positive_class", "split_fractions", "split_sha256"));
        Files.writeString(run.resolve("config.json"), config.toPrettyString());
        Files.delete(run.resolve("split.csv"));
        Trainer.resume(run, ResumeOptions.AS_STARTED, NarrowVgg.FACTORY, Device.CPU, log);
        assertSameRun(whole, run);
        assertFalse(Files.exists(run.resolve("split.csv")), "an old run stays as it was");
    }

    /**
     * A copy of run directory {@code from} at {@code to}: a moved run. (Moving it would keep the lock
     * file this process still holds for the killed run, which one process cannot lock twice.)
     */
    private static Path copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().equals(".lock")) {
                    Files.copy(f, target);
                }
            }
        }
        return to;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertSameRun(Path expected, Path actual) throws IOException {
        assertSameRun(expected, actual, "", "");
    }

    /** The same run, bit for bit, its images' paths in {@code from} now in {@code to}. */
    private static void assertSameRun(Path expected, Path actual, String from, String to) throws IOException {
        assertEquals(epochsWithoutTimes(expected), epochsWithoutTimes(actual), "metrics.json");
        for (String file : List.of("val_scores.csv", "test_scores.csv", "test_metrics.json")) {
            assertEquals(Files.readString(expected.resolve(file)).replace(from, to),
                    Files.readString(actual.resolve(file)), file);
        }
        try (Checkpoint a = Checkpoint.load(expected.resolve("checkpoints/last.safetensors"));
             Checkpoint b = Checkpoint.load(actual.resolve("checkpoints/last.safetensors"))) {
            assertEquals(a.model().keySet(), b.model().keySet());
            for (Map.Entry<String, Tensor> e : a.model().entrySet()) {
                assertArrayEquals(e.getValue().toArray(), b.model().get(e.getKey()).toArray(), e.getKey());
            }
            assertEquals(a.generatorPosition(), b.generatorPosition());
        }
    }

    private static JsonNode epochsWithoutTimes(Path run) throws IOException {
        JsonNode epochs = Trainer.JSON.readTree(run.resolve("metrics.json").toFile()).get("epochs");
        epochs.forEach(e -> ((ObjectNode) e).remove("seconds"));
        assertEquals(3, epochs.size());
        return epochs;
    }
}
