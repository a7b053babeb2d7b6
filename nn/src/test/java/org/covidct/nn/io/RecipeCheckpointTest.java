package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.covidct.nn.BatchNorm2d;
import org.covidct.nn.Conv2d;
import org.covidct.nn.CrossEntropyLoss;
import org.covidct.nn.Dropout;
import org.covidct.nn.Flatten;
import org.covidct.nn.Generator;
import org.covidct.nn.Linear;
import org.covidct.nn.Parameter;
import org.covidct.nn.ReLU;
import org.covidct.nn.Sequential;
import org.covidct.nn.optim.AdamW;
import org.covidct.nn.optim.CosineAnnealingLr;
import org.covidct.nn.optim.LinearLr;
import org.covidct.nn.optim.LrSchedule;
import org.covidct.nn.optim.LrScheduler;
import org.covidct.nn.optim.ModelEma;
import org.covidct.nn.optim.OptimizerState;
import org.covidct.nn.optim.SequentialLr;
import org.covidct.nn.optim.Sgd;
import org.covidct.nn.optim.TrainingStep;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run with the whole recipe (AdamW, warm-up then cosine stepped per iteration, label smoothing,
 * a moving average, the first layer frozen for two steps) checkpointed midway and resumed in a
 * fresh process continues bit for bit: model, AdamW's moments and step counts, and the average.
 */
class RecipeCheckpointTest {
    private static final int SIZE = 6;
    private static final int CLASSES = 3;
    private static final float BASE_LR = 0.01f;
    private static final LrSchedule SCHEDULE = new SequentialLr(
            List.of(new LinearLr(0.1, 1, 3), new CosineAnnealingLr(6, 1e-4)), List.of(3));

    @TempDir
    Path dir;

    private static Sequential tinyModel(Generator gen) {
        return new Sequential(new Conv2d(1, 4, 3, 1, 1, true, gen), new BatchNorm2d(4), new ReLU(), new Flatten(),
                new Dropout(0.3f, gen), new Linear(4 * SIZE * SIZE, CLASSES, true, gen));
    }

    private static AdamW adamw(Sequential model) {
        return new AdamW(model.parameters(), BASE_LR, 0.9f, 0.999f, 1e-8f, 0.05f);
    }

    /** One recipe step on a batch that depends only on the step's index. */
    private static void step(Sequential model, TrainingStep training, LrScheduler scheduler, ModelEma ema, int index) {
        // The first layer trains from step 2 on: its AdamW step counts lag the others' by two.
        model.children().get("0").setRequiresGrad(index >= 2);
        Random rng = new Random(1000 + index);
        int batch = 5;
        float[] px = new float[batch * SIZE * SIZE];
        int[] labels = new int[batch];
        for (int n = 0; n < batch; n++) {
            labels[n] = rng.nextInt(CLASSES);
            for (int i = 0; i < SIZE * SIZE; i++) {
                px[n * SIZE * SIZE + i] = (float) rng.nextGaussian() + labels[n];
            }
        }
        try (TensorScope scope = TensorScope.open()) {
            training.accumulate(Tensor.of(px, batch, 1, SIZE, SIZE), labels, 1);
            training.step();
        }
        scheduler.step();
        ema.update(model);
    }

    private static Map<String, int[]> snapshot(Sequential model, AdamW adamw, ModelEma ema) {
        Map<String, int[]> out = new LinkedHashMap<>();
        model.stateDict().forEach((name, t) -> out.put("model." + name, bits(t)));
        OptimizerState state = adamw.state(model.namedParameters());
        state.tensors().forEach((name, t) -> out.put("optimizer." + name, bits(t)));
        state.steps().forEach((name, n) -> out.put("steps." + name, new int[] {Math.toIntExact(n)}));
        ema.state().averaged().forEach((name, t) -> out.put("ema." + name, bits(t)));
        out.put("ema.updates", new int[] {Math.toIntExact(ema.updates())});
        out.put("lr", new int[] {Float.floatToRawIntBits(adamw.learningRate())});
        return out;
    }

    private static int[] bits(Tensor t) {
        float[] v = t.toArray();
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    private static void assertSameState(Map<String, int[]> expected, Map<String, int[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, b) -> assertArrayEquals(b, actual.get(name), name));
    }

    @Test
    void aRecipeRunResumesBitForBit() throws IOException {
        int k = 4;
        int n = 4;
        Path file = dir.resolve("last.safetensors");
        CrossEntropyLoss loss = new CrossEntropyLoss(0.1f);
        Map<String, int[]> atCheckpoint;
        Map<String, int[]> continued;
        Generator genA = new Generator(7);
        try (Sequential model = tinyModel(genA); AdamW adamw = adamw(model); ModelEma ema = new ModelEma(model, 0.9f)) {
            TrainingStep training = new TrainingStep(model, adamw, loss);
            LrScheduler scheduler = new LrScheduler(adamw, SCHEDULE);
            for (int i = 0; i < k; i++) {
                step(model, training, scheduler, ema, i);
            }
            Map<String, Parameter> params = model.namedParameters();
            assertEquals(k - 2, adamw.steps(params.get("0.weight")), "the frozen layer counted only its own steps");
            assertEquals(k, adamw.steps(params.get("5.weight")));
            atCheckpoint = snapshot(model, adamw, ema);
            Checkpoint.write(file, model, adamw, ema, genA, 1, Map.of("schedule_steps", scheduler.steps()), null);
            try (Checkpoint c = Checkpoint.capture(model, adamw, ema, genA, 1, Map.of("schedule_steps",
                    scheduler.steps()), null)) {
                c.save(dir.resolve("captured.safetensors"));
            }
            for (int i = k; i < k + n; i++) {
                step(model, training, scheduler, ema, i);
            }
            continued = snapshot(model, adamw, ema);
        }
        assertArrayEquals(Files.readAllBytes(file),
                Files.readAllBytes(dir.resolve("captured.safetensors")));

        // A fresh process: other initial weights, another generator, fresh optimiser and average.
        Generator genB = new Generator(12345);
        try (Sequential model = tinyModel(genB); AdamW adamw = adamw(model); ModelEma ema = new ModelEma(model, 0.9f);
             Checkpoint c = Checkpoint.load(file)) {
            assertEquals(AdamW.TYPE, c.optimizer().type());
            c.restore(model, adamw, ema, genB);
            LrScheduler scheduler = new LrScheduler(adamw, SCHEDULE, BASE_LR,
                    ((Number) c.extra().get("schedule_steps")).longValue());
            assertSameState(atCheckpoint, snapshot(model, adamw, ema));
            TrainingStep training = new TrainingStep(model, adamw, loss);
            for (int i = k; i < k + n; i++) {
                step(model, training, scheduler, ema, i);
            }
            assertSameState(continued, snapshot(model, adamw, ema));
        }

        // The control: the model and generator alone, with a fresh AdamW, diverge.
        Generator genC = new Generator(12345);
        try (Sequential model = tinyModel(genC); AdamW adamw = adamw(model); ModelEma ema = new ModelEma(model, 0.9f);
             Checkpoint c = Checkpoint.load(file)) {
            model.loadStateDict(c.model(), true);
            ema.load(c.ema());
            genC.setState(c.generatorSeed(), c.generatorPosition());
            LrScheduler scheduler = new LrScheduler(adamw, SCHEDULE, BASE_LR, k);
            TrainingStep training = new TrainingStep(model, adamw, loss);
            for (int i = k; i < k + n; i++) {
                step(model, training, scheduler, ema, i);
            }
            assertNotEquals(Arrays.toString(continued.get("model.5.weight")),
                    Arrays.toString(snapshot(model, adamw, ema).get("model.5.weight")));
        }
    }

    @Test
    void aCheckpointOnlyRestoresIntoTheOptimiserAndAverageItWasWrittenWith() throws IOException {
        Generator gen = new Generator(3);
        Path file = dir.resolve("adamw.safetensors");
        try (Sequential model = tinyModel(gen); AdamW adamw = adamw(model); ModelEma ema = new ModelEma(model, 0.5f)) {
            TrainingStep training = new TrainingStep(model, adamw);
            step(model, training, new LrScheduler(adamw, SCHEDULE), ema, 2);
            Checkpoint.write(file, model, adamw, ema, gen, 1, Map.of(), null);
        }
        try (Sequential model = tinyModel(gen); Sgd sgd = new Sgd(model.parameters(), 0.1f, 0.9f, 0f);
             AdamW adamw = adamw(model); ModelEma ema = new ModelEma(model, 0.5f); Checkpoint c = Checkpoint.load(file)) {
            float[] firstWeight = model.stateDict().get("0.weight").toArray();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.restore(model, sgd, ema, gen));
            assertEquals("Sgd.loadState: the state is adamw's, this optimiser is sgd", e.getMessage());
            assertArrayEquals(firstWeight, model.stateDict().get("0.weight").toArray(), "the model is left as it was");
            e = assertThrows(IllegalArgumentException.class, () -> c.restore(model, adamw, gen));
            assertTrue(e.getMessage().contains("holds an averaged model (1 updates)"), e.getMessage());
            c.restore(model, adamw, ema, gen);
            assertEquals(1, ema.updates());
            assertEquals(1, adamw.steps(model.namedParameters().get("0.weight")));
        }
        Path plain = dir.resolve("sgd.safetensors");
        try (Sequential model = tinyModel(gen); Sgd sgd = new Sgd(model.parameters(), 0.1f, 0.9f, 0f)) {
            Checkpoint.write(plain, model, sgd, gen, 1, Map.of(), null);
            try (ModelEma ema = new ModelEma(model, 0.5f); Checkpoint c = Checkpoint.load(plain)) {
                assertNull(c.ema());
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> c.restore(model, sgd, ema, gen));
                assertTrue(e.getMessage().contains("holds no averaged model"), e.getMessage());
            }
        }
    }

    /** A version-1 file (SGD's momentum as "optimizer.momentum.*", no "optimizer" metadata) still loads. */
    @Test
    void versionOneCheckpointsStillLoad() throws IOException {
        Generator gen = new Generator(5);
        Path file = dir.resolve("v1.safetensors");
        try (Sequential model = tinyModel(gen); Sgd sgd = new Sgd(model.parameters(), 0.1f, 0.9f, 0f)) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            model.stateDict().forEach((name, t) -> tensors.put("model." + name, t));
            float[] momentum = new float[CLASSES];
            Arrays.fill(momentum, 0.25f);
            try (Tensor buf = Tensor.of(momentum, CLASSES)) {
                tensors.put("optimizer.momentum.5.bias", buf);
                SafeTensors.write(file, tensors, Map.of("format", Checkpoint.FORMAT, "version", "1", "epoch", "3",
                        "learning_rate", "0.02", "generator", "{\"seed\":5,\"position\":9}", "extra", "{}"));
            }
            try (Checkpoint c = Checkpoint.load(file)) {
                assertEquals(Sgd.TYPE, c.optimizer().type());
                assertEquals(List.of("momentum.5.bias"), List.copyOf(c.optimizer().tensors().keySet()));
                c.restore(model, sgd, gen);
                assertArrayEquals(momentum, sgd.momentumBuffer(model.namedParameters().get("5.bias")).toArray());
                assertEquals(1, sgd.momentumBuffers().size());
                assertEquals(0.02f, sgd.learningRate());
            }
        }
    }
}
