package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
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

        Trainer killed = new Trainer(config(data, "killed"), NARROW, quiet).onEpochDone(epoch -> {
            if (epoch == 1) {
                throw new Crash();
            }
        });
        assertThrows(Crash.class, killed::train);
        Trainer.resume(dir.resolve("killed"), OptionalInt.empty(), NARROW, Device.CPU, quiet);

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
                () -> Trainer.resume(dir.resolve("extended"), OptionalInt.of(1), NARROW, Device.CPU, quiet));
        assertEquals(dir.resolve("extended") + ": --epochs 1 is fewer than the 2 epochs it has trained",
                fewer.getMessage());

        Trainer.resume(dir.resolve("extended"), OptionalInt.of(4), NARROW, Device.CPU, quiet);
        assertEquals(epochsWithoutTimes(dir.resolve("whole")), epochsWithoutTimes(dir.resolve("extended")));
        assertEquals(4, ConfigFile.read(dir.resolve("extended/config.json"), dir.resolve("extended")).epochs());
    }

    private static JsonNode epochsWithoutTimes(Path run) throws IOException {
        JsonNode epochs = Trainer.JSON.readTree(run.resolve("metrics.json").toFile()).get("epochs");
        epochs.forEach(e -> ((ObjectNode) e).remove("seconds"));
        assertEquals(4, epochs.size());
        return epochs;
    }
}
