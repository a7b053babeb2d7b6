package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.covidct.app.TinyCovidCt;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.Parameter;
import org.covidct.nn.data.split.SplitFractions;
import org.covidct.nn.io.Checkpoint;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs of the transfer recipe: its schedule, frozen backbone, averaged weights, and resume. */
class RecipeTrainingTest {
    /** 12 training images in batches of 4, one batch per step: 3 optimiser steps per epoch. */
    private static final int STEPS_PER_EPOCH = 3;
    private static final float LR = 1e-3f;

    @TempDir
    Path dir;

    private final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    private Path data;

    @BeforeEach
    void data() throws IOException {
        data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 6, "val", 3, "test", 3), 40, 3);
    }

    /** The transfer recipe with one warm-up and one frozen epoch, and a fast average, for short runs. */
    private TrainConfig config(String name, int epochs, int freezeEpochs, float emaDecay) {
        TrainingRecipe recipe = TrainingRecipe.TRANSFER.with(null, null, null, 1, null, null, freezeEpochs, emaDecay,
                null);
        return new TrainConfig("narrow", "none", data, dir.resolve(name), epochs, 4, 1, LR, 0.9f, 32, 7, 2, 5, null,
                SplitFractions.COVID_CT, recipe);
    }

    @Test
    void theLearningRateWarmsUpForAnEpochThenFollowsTheCosineToZero() throws IOException {
        new Trainer(config("run", 4, 1, 0.9f), NarrowVgg.FACTORY, quiet).train();
        JsonNode epochs = Trainer.JSON.readTree(dir.resolve("run/metrics.json").toFile()).get("epochs");
        assertEquals(4, epochs.size(), "the cosine schedule runs every epoch");
        int total = 4 * STEPS_PER_EPOCH;
        int warmup = STEPS_PER_EPOCH;
        for (int e = 0; e < 4; e++) {
            int step = (e + 1) * STEPS_PER_EPOCH; // steps taken by the end of epoch e
            double expected = LR * (1 + Math.cos(Math.PI * (step - warmup) / (total - warmup))) / 2;
            assertEquals(expected, epochs.get(e).get("learning_rate").asDouble(), 1e-9, "epoch " + (e + 1));
        }
    }

    @Test
    void inTheFrozenEpochsOnlyTheHeadTrains() throws IOException {
        TrainConfig config = config("frozen", 1, 1, 0f);
        new Trainer(config, NarrowVgg.FACTORY, quiet).train();
        try (Module initial = NarrowVgg.FACTORY.create(config, new Generator(config.seed()));
             Checkpoint last = Checkpoint.load(dir.resolve("frozen/checkpoints/last.safetensors"))) {
            for (Map.Entry<String, Parameter> p : initial.namedParameters().entrySet()) {
                float[] before = p.getValue().data().toArray();
                float[] after = last.model().get(p.getKey()).toArray();
                if (p.getKey().startsWith("classifier.6.")) {
                    assertFalse(Arrays.equals(before, after), p.getKey() + " should have trained");
                } else {
                    assertArrayEquals(before, after, p.getKey() + " should be frozen");
                }
            }
        }
    }

    @Test
    void theBestCheckpointHoldsTheAveragedWeights() throws IOException {
        new Trainer(config("averaged", 1, 0, 0.5f), NarrowVgg.FACTORY, quiet).train();
        try (Checkpoint last = Checkpoint.load(dir.resolve("averaged/checkpoints/last.safetensors"));
             Checkpoint best = Checkpoint.load(dir.resolve("averaged/checkpoints/best.safetensors"))) {
            assertEquals(STEPS_PER_EPOCH, last.ema().updates());
            boolean differs = false;
            for (Map.Entry<String, Tensor> e : last.ema().averaged().entrySet()) {
                float[] averaged = e.getValue().toArray();
                assertArrayEquals(averaged, best.model().get(e.getKey()).toArray(), e.getKey());
                differs |= !Arrays.equals(averaged, last.model().get(e.getKey()).toArray());
            }
            assertEquals(true, differs, "the average should differ from the last weights");
        }
    }

    @Test
    void aKilledTransferRunResumesToTheUninterruptedResult() throws IOException {
        new Trainer(config("whole", 4, 1, 0.9f), NarrowVgg.FACTORY, quiet).train();
        Trainer killed = new Trainer(config("killed", 4, 1, 0.9f), NarrowVgg.FACTORY, quiet).onStep((step, epoch) -> {
            if (epoch == 2) {
                throw new IllegalStateException("killed");
            }
        });
        assertThrows(IllegalStateException.class, killed::train);
        Trainer.resume(dir.resolve("killed"), ResumeOptions.AS_STARTED, NarrowVgg.FACTORY, Device.CPU, quiet);

        assertEquals(epochsWithoutTimes(dir.resolve("whole")), epochsWithoutTimes(dir.resolve("killed")));
        assertEquals(Files.readAllLines(dir.resolve("whole/test_scores.csv")),
                Files.readAllLines(dir.resolve("killed/test_scores.csv")));
        try (Checkpoint a = Checkpoint.load(dir.resolve("whole/checkpoints/last.safetensors"));
             Checkpoint b = Checkpoint.load(dir.resolve("killed/checkpoints/last.safetensors"))) {
            for (Map.Entry<String, Tensor> e : a.model().entrySet()) {
                assertArrayEquals(e.getValue().toArray(), b.model().get(e.getKey()).toArray(), e.getKey());
            }
            for (Map.Entry<String, Tensor> e : a.ema().averaged().entrySet()) {
                assertArrayEquals(e.getValue().toArray(), b.ema().averaged().get(e.getKey()).toArray(), e.getKey());
            }
            assertEquals(a.extra().get(RunOptimization.SCHEDULE_STEPS), b.extra().get(RunOptimization.SCHEDULE_STEPS));
        }
    }

    @Test
    void aCosineRunCannotBeExtended() throws IOException {
        new Trainer(config("done", 2, 0, 0f), NarrowVgg.FACTORY, quiet).train();
        IOException e = assertThrows(IOException.class, () -> Trainer.resume(dir.resolve("done"),
                ResumeOptions.AS_STARTED.withEpochs(3), NarrowVgg.FACTORY, Device.CPU, quiet));
        assertEquals(dir.resolve("done") + ": --epochs cannot change a run whose cosine schedule was laid out over its 2 "
                + "epochs; start a new run to train longer", e.getMessage());
    }

    private static JsonNode epochsWithoutTimes(Path run) throws IOException {
        JsonNode epochs = Trainer.JSON.readTree(run.resolve("metrics.json").toFile()).get("epochs");
        epochs.forEach(e -> ((ObjectNode) e).remove("seconds"));
        return epochs;
    }
}
