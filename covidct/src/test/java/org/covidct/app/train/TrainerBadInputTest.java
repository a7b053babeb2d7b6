package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.covidct.app.TinyCovidCt;
import org.covidct.nn.data.DatasetException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What training does with bad data, a diverging loss and a checkpoint that cannot be written. */
class TrainerBadInputTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    private Path data() throws IOException {
        return TinyCovidCt.create(dir.resolve("data"), Map.of("train", 4, "val", 2, "test", 2), 40, 5);
    }

    @Test
    void aCorruptTrainingImageIsSkippedAndCounted() throws IOException {
        Path data = data();
        Path corrupt;
        try (var files = Files.list(data.resolve("Images-processed/CT_COVID"))) {
            corrupt = files.filter(p -> p.getFileName().toString().startsWith("train")).sorted().findFirst().orElseThrow();
        }
        Files.write(corrupt, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        new Trainer(NarrowVgg.config(data, dir.resolve("run"), 2, 0.01f), NarrowVgg.FACTORY, log).train();
        String out = logBytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("skipped an unreadable image") && out.contains(corrupt.toString()), out);
        assertTrue(out.contains("1 unreadable images skipped"), out);
        JsonNode epochs = Trainer.JSON.readTree(dir.resolve("run/metrics.json").toFile()).get("epochs");
        assertEquals(1, epochs.get(0).get("train_images_skipped").asInt());
        assertEquals(1, epochs.get(1).get("train_images_skipped").asInt());
    }

    @Test
    void anEpochWithoutOneReadableImageStops() throws IOException {
        Path data = data();
        for (String folder : new String[] {"CT_COVID", "CT_NonCOVID"}) {
            try (var files = Files.list(data.resolve("Images-processed").resolve(folder))) {
                for (Path p : files.filter(p -> p.getFileName().toString().startsWith("train")).toList()) {
                    Files.write(p, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
                }
            }
        }
        Path run = dir.resolve("run");
        DatasetException e = assertThrows(DatasetException.class,
                () -> new Trainer(NarrowVgg.config(data, run, 2, 0.01f), NarrowVgg.FACTORY, log).train());
        assertTrue(e.getMessage().startsWith("epoch 1: no training image could be read (8 unreadable, such as "),
                e.getMessage());
        assertTrue(Files.notExists(run.resolve("checkpoints/last.safetensors")), "no checkpoint of an untrained model");
    }

    @Test
    void anEmptySplitIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path data = data();
        Files.writeString(data.resolve("Data-split/COVID/valCT_COVID.txt"), "\r\n");
        Files.writeString(data.resolve("Data-split/NonCOVID/valCT_NonCOVID.txt"), "");
        Path run = dir.resolve("run");
        DatasetException e = assertThrows(DatasetException.class,
                () -> new Trainer(NarrowVgg.config(data, run, 1, 0.01f), NarrowVgg.FACTORY, log).train());
        assertTrue(e.getMessage().contains("'val' is empty") && e.getMessage().contains("valCT_COVID.txt"), e.getMessage());
        assertTrue(Files.notExists(run));
    }

    @Test
    void aDivergingLossStopsNamingTheStep() throws IOException {
        // One SGD step per batch, so the second batch already sees the diverged weights.
        TrainConfig c = new TrainConfig("narrow", "none", data(), dir.resolve("run"), 3, 4, 1, 1e30f, 0.9f, 32, 7, 2, 5);
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> new Trainer(c, NarrowVgg.FACTORY, log).train());
        assertTrue(e.getMessage().matches("epoch \\d+, batch \\d+ of \\d+: the training loss is (NaN|Infinity).*"),
                e.getMessage());
    }

    @Test
    void aCheckpointThatCannotBeWrittenIsNamed() throws IOException {
        Path run = dir.resolve("run");
        // The model is built after the run directory: take its checkpoint folder away then.
        Trainer.ModelFactory blocked = (config, gen) -> {
            Path checkpoints = run.resolve("checkpoints");
            Files.delete(checkpoints);
            Files.writeString(checkpoints, "not a folder");
            return NarrowVgg.FACTORY.create(config, gen);
        };
        IOException e = assertThrows(IOException.class,
                () -> new Trainer(NarrowVgg.config(data(), run, 1, 0.01f), blocked, log).train());
        assertTrue(e.getMessage().startsWith("cannot write checkpoint " + run.resolve("checkpoints")), e.getMessage());
        assertTrue(Files.isRegularFile(run.resolve("config.json")));
    }
}
