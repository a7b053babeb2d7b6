package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.covidct.app.TinyCovidCt;
import org.covidct.app.tensorboard.TensorBoardScalars;
import org.covidct.nn.io.AtomicFile;
import org.covidct.nn.io.Checkpoint;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run crashed before each file-system step it takes (see {@link RunStep}), once cleanly and once
 * leaving that step's file half-written, then resumed: every resume ends with the same files as an
 * uninterrupted run, bit for bit (wall times aside), and no temporary file.
 */
class CrashConsistencyTest {
    @TempDir
    Path dir;

    private final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

    private record CrashPoint(RunStep step, int epoch, boolean torn) {
        @Override
        public String toString() {
            return (torn ? "mid-" : "before ") + step + " of " + (step.compareTo(RunStep.SCORES) >= 0 ? "the end"
                    : "epoch " + epoch);
        }
    }

    private static final class Crash extends RuntimeException {
    }

    @TestFactory
    Stream<DynamicTest> aResumeAfterACrashAnywhereEndsAsAnUninterruptedRun() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 6, "val", 3, "test", 3), 40, 3);
        Path whole = dir.resolve("whole");
        List<CrashPoint> points = new ArrayList<>();
        new Trainer(config(data, whole), NarrowVgg.FACTORY, quiet).onStep((step, epoch) -> {
            points.add(new CrashPoint(step, epoch, false));
            points.add(new CrashPoint(step, epoch, true));
        }).train();
        assertTrue(points.contains(new CrashPoint(RunStep.BEST_CHECKPOINT, 3, true)), "steps taken: " + points);
        assertEquals(5, Trainer.JSON.readTree(whole.resolve("metrics.json").toFile()).get("epochs").size(),
                "epochs trained before the early stop");

        return points.stream().map(p -> DynamicTest.dynamicTest(p.toString(), () -> {
            Path run = dir.resolve("crash-" + points.indexOf(p));
            Trainer crashing = new Trainer(config(data, run), NarrowVgg.FACTORY, quiet).onStep((step, epoch) -> {
                if (step == p.step() && epoch == p.epoch()) {
                    if (p.torn()) {
                        tear(new RunDirectory(run), step);
                    }
                    throw new Crash();
                }
            });
            assertThrows(Crash.class, crashing::train);
            Trainer.resume(run, ResumeOptions.AS_STARTED, NarrowVgg.FACTORY, Device.CPU, quiet);
            assertSameRun(whole, run);
        }));
    }

    /**
     * Settings under which the tiny run takes every kind of step: its best checkpoint is replaced in
     * its fourth epoch, and it stops early after its fifth.
     */
    private static TrainConfig config(Path data, Path out) {
        return new TrainConfig("narrow", "none", data, out, 6, 4, 2, 0.3f, 0.9f, 32, 7, 2, 0);
    }

    /** What a kill during {@code step} leaves: a half-written temporary file, or a torn last TensorBoard record. */
    private static void tear(RunDirectory run, RunStep step) throws IOException {
        Path target = switch (step) {
            case TENSORBOARD -> null;
            case BEST_CHECKPOINT -> run.bestCheckpoint();
            case LAST_CHECKPOINT -> run.lastCheckpoint();
            case METRICS -> run.metrics();
            case SCORES -> run.valScores();
            case TEST_METRICS -> run.testMetrics();
            case PLOTS -> run.plots().resolve("roc_curve.png");
        };
        if (target == null) {
            try (Stream<Path> files = Files.walk(run.tensorboard())) {
                for (Path events : files.filter(f -> f.getFileName().toString().contains("tfevents")).toList()) {
                    // The start of a record: its length and length checksum, but not its data.
                    Files.write(events, new byte[] {40, 0, 0, 0, 0, 0, 0, 0, 1, 2}, StandardOpenOption.APPEND);
                }
            }
            return;
        }
        Path temp = target.resolveSibling("." + target.getFileName() + ".5eed" + AtomicFile.TEMP_SUFFIX);
        Files.write(temp, new byte[] {1, 2, 3, 4, 5});
    }

    private static void assertSameRun(Path expected, Path actual) throws IOException {
        try (Stream<Path> files = Files.walk(actual)) {
            List<Path> temps = files.filter(f -> f.getFileName().toString().endsWith(AtomicFile.TEMP_SUFFIX)).toList();
            assertEquals(List.of(), temps, "temporary files left");
        }
        assertEquals(withoutTimes(Trainer.JSON.readTree(expected.resolve("metrics.json").toFile())),
                withoutTimes(Trainer.JSON.readTree(actual.resolve("metrics.json").toFile())), "metrics.json");
        for (String file : List.of("val_scores.csv", "test_scores.csv", "test_metrics.json")) {
            assertEquals(Files.readString(expected.resolve(file)), Files.readString(actual.resolve(file)), file);
        }
        assertEquals(list(expected.resolve("plots")), list(actual.resolve("plots")), "plots");
        for (String plot : List.of("losses.png", "accuracies.png", "confusion_matrix.png")) {
            assertArrayEquals(Files.readAllBytes(expected.resolve("plots").resolve(plot)),
                    Files.readAllBytes(actual.resolve("plots").resolve(plot)), plot);
        }
        for (String checkpoint : List.of("last.safetensors", "best.safetensors")) {
            assertSameCheckpoint(expected.resolve("checkpoints").resolve(checkpoint),
                    actual.resolve("checkpoints").resolve(checkpoint));
        }
        assertEquals(TensorBoardScalars.of(expected.resolve("tensorboard")),
                TensorBoardScalars.of(actual.resolve("tensorboard")), "TensorBoard scalars");
    }

    private static void assertSameCheckpoint(Path expected, Path actual) throws IOException {
        try (Checkpoint a = Checkpoint.load(expected); Checkpoint b = Checkpoint.load(actual)) {
            assertEquals(a.epoch(), b.epoch(), actual + " epoch");
            assertEquals(a.learningRate(), b.learningRate(), actual + " learning rate");
            assertEquals(a.generatorPosition(), b.generatorPosition(), actual + " generator");
            assertSameTensors(a.model(), b.model(), actual);
            assertSameTensors(a.optimizer().tensors(), b.optimizer().tensors(), actual);
            assertEquals(a.optimizer().steps(), b.optimizer().steps(), actual + " optimizer steps");
            JsonNode extraA = Trainer.JSON.valueToTree(a.extra());
            JsonNode extraB = Trainer.JSON.valueToTree(b.extra());
            if (extraA.has("history")) {
                withoutTimes(extraA);
                withoutTimes(extraB);
            }
            assertEquals(extraA, extraB, actual + " extra");
        }
    }

    private static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual, Path file) {
        assertEquals(expected.keySet(), actual.keySet(), file.toString());
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            assertArrayEquals(e.getValue().toArray(), actual.get(e.getKey()).toArray(), file + " " + e.getKey());
        }
    }

    /** {@code json} (with its epochs under "epochs" or "history") without each epoch's seconds. */
    private static JsonNode withoutTimes(JsonNode json) {
        JsonNode epochs = json.has("epochs") ? json.get("epochs") : json.get("history");
        epochs.forEach(e -> ((ObjectNode) e).remove("seconds"));
        return json;
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
