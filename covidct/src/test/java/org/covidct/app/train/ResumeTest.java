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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.covidct.app.TinyCovidCt;
import org.covidct.nn.io.Checkpoint;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run killed after an epoch and resumed from its checkpoint ends exactly where an uninterrupted one does. */
class ResumeTest {
    @TempDir
    Path dir;

    private static final Trainer.ModelFactory NARROW = NarrowVgg.FACTORY;

    private TrainConfig config(Path data, String name) {
        return NarrowVgg.config(data, dir.resolve(name), 4, 0.01f);
    }

    private static final class Crash extends RuntimeException {
    }

    @Test
    void resumedRunMatchesAnUninterruptedOne() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 6, "val", 3, "test", 3), 40, 3);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

        new Trainer(config(data, "whole"), NARROW, quiet).train();

        Trainer killed = new Trainer(config(data, "killed"), NARROW, quiet).onStep((step, epoch) -> {
            if (epoch == 2) {
                throw new Crash();
            }
        });
        assertThrows(Crash.class, killed::train);
        Trainer.resume(dir.resolve("killed"), ResumeOptions.AS_STARTED, NARROW, Device.CPU, quiet);

        assertEquals(epochsWithoutTimes(dir.resolve("whole")), epochsWithoutTimes(dir.resolve("killed")));
        assertEquals(Files.readAllLines(dir.resolve("whole/test_scores.csv")),
                Files.readAllLines(dir.resolve("killed/test_scores.csv")));
        try (Checkpoint a = Checkpoint.load(dir.resolve("whole/checkpoints/last.safetensors"));
             Checkpoint b = Checkpoint.load(dir.resolve("killed/checkpoints/last.safetensors"))) {
            assertEquals(a.model().keySet(), b.model().keySet());
            for (Map.Entry<String, Tensor> e : a.model().entrySet()) {
                assertArrayEquals(e.getValue().toArray(), b.model().get(e.getKey()).toArray(), e.getKey());
            }
            assertEquals(a.generatorPosition(), b.generatorPosition());
            assertEquals(a.learningRate(), b.learningRate());
        }
    }

    @Test
    void aFinishedRunExtendedWithMoreEpochsMatchesOneThatHadThemFromTheStart() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 6, "val", 3, "test", 3), 40, 3);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        new Trainer(config(data, "whole"), NARROW, quiet).train();
        new Trainer(NarrowVgg.config(data, dir.resolve("extended"), 2, 0.01f), NARROW, quiet).train();

        IOException fewer = assertThrows(IOException.class,
                () -> Trainer.resume(dir.resolve("extended"), ResumeOptions.AS_STARTED.withEpochs(1), NARROW,
                        Device.CPU, quiet));
        assertEquals(dir.resolve("extended") + ": --epochs 1 is fewer than the 2 epochs it has trained",
                fewer.getMessage());

        // Killed in its first new epoch, the run has no end-of-run files: they described it at 2 epochs.
        assertThrows(Crash.class, () -> Trainer.resume(dir.resolve("extended"), ResumeOptions.AS_STARTED.withEpochs(4),
                NARROW, Device.CPU, quiet, (step, epoch) -> {
                    if (step == RunStep.LAST_CHECKPOINT) {
                        throw new Crash();
                    }
                }));
        for (String endOfRun : List.of("test_scores.csv", "val_scores.csv", "test_metrics.json", "plots/losses.png")) {
            assertFalse(Files.exists(dir.resolve("extended").resolve(endOfRun)), endOfRun);
        }
        Trainer.resume(dir.resolve("extended"), ResumeOptions.AS_STARTED, NARROW, Device.CPU, quiet);
        assertEquals(epochsWithoutTimes(dir.resolve("whole")), epochsWithoutTimes(dir.resolve("extended")));
        assertEquals(Files.readAllLines(dir.resolve("whole/test_scores.csv")),
                Files.readAllLines(dir.resolve("extended/test_scores.csv")));
        assertEquals(4, ConfigFile.read(dir.resolve("extended/config.json"), dir.resolve("extended")).epochs());
    }

    @Test
    void aRunThatStoppedEarlyCannotBeExtended() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 6, "val", 3, "test", 3), 40, 3);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Path run = dir.resolve("stopped");
        new Trainer(new TrainConfig("narrow", "none", data, run, 6, 4, 2, 0.3f, 0.9f, 32, 7, 2, 0), NARROW, quiet)
                .train();
        IOException e = assertThrows(IOException.class,
                () -> Trainer.resume(run, ResumeOptions.AS_STARTED.withEpochs(8), NARROW, Device.CPU, quiet));
        assertEquals(run + ": stopped early after 5 epochs, so --epochs cannot extend it; start a new run to train "
                + "longer", e.getMessage());
    }

    @Test
    void aRunWhoseDataMovedResumesWithDataNamingTheNewPlaceAndRefusesChangedData() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 6, "val", 3, "test", 3), 40, 3);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        new Trainer(config(data, "whole"), NARROW, quiet).train();
        Path run = dir.resolve("moved");
        Trainer killed = new Trainer(config(data, "moved"), NARROW, quiet).onStep((step, epoch) -> {
            if (epoch == 2) {
                throw new Crash();
            }
        });
        assertThrows(Crash.class, killed::train);
        Path elsewhere = Files.move(data, dir.resolve("elsewhere"));

        IOException notThere = assertThrows(IOException.class,
                () -> Trainer.resume(run, ResumeOptions.AS_STARTED, NARROW, Device.CPU, quiet));
        assertTrue(notThere.getMessage().startsWith(data + " is not the data the run trained on: 30 of 30 files differ ("),
                notThere.getMessage());
        assertTrue(notThere.getMessage().endsWith(" is missing, ...); if the data set moved, give --data with its new "
                + "place"), notThere.getMessage());

        Path image = elsewhere.resolve("Images-processed/CT_COVID").resolve("val COVID,%1.png");
        byte[] original = Files.readAllBytes(image);
        Files.write(image, new byte[] {1, 2, 3});
        IOException changed = assertThrows(IOException.class,
                () -> Trainer.resume(run, ResumeOptions.AS_STARTED.withData(elsewhere), NARROW, Device.CPU, quiet));
        assertEquals(elsewhere + " is not the data the run trained on: 1 of 30 files differ (Images-processed/CT_COVID/"
                + "val COVID,%1.png changed)", changed.getMessage());
        Files.write(image, original);

        Trainer.resume(run, ResumeOptions.AS_STARTED.withData(elsewhere), NARROW, Device.CPU, quiet);
        assertEquals(epochsWithoutTimes(dir.resolve("whole")), epochsWithoutTimes(run));
        assertEquals(elsewhere.toAbsolutePath(), ConfigFile.read(run.resolve("config.json"), run).data());
    }

    private static JsonNode epochsWithoutTimes(Path run) throws IOException {
        JsonNode epochs = Trainer.JSON.readTree(run.resolve("metrics.json").toFile()).get("epochs");
        epochs.forEach(e -> ((ObjectNode) e).remove("seconds"));
        assertEquals(4, epochs.size());
        return epochs;
    }
}
