package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
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
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.optim.OptimizerState;
import org.covidct.nn.optim.Sgd;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    private static final int SIZE = 6;
    private static final int CLASSES = 3;

    private static final ModelMetadata DESCRIPTION = ModelMetadata.of("tiny", SIZE, new float[] {0.5f},
            new float[] {0.25f}, List.of("a", "b", "c"), "c");

    @TempDir
    Path dir;

    private static Sequential tinyModel(Generator gen) {
        return new Sequential(new Conv2d(1, 4, 3, 1, 1, true, gen), new BatchNorm2d(4), new ReLU(), new Flatten(),
                new Dropout(0.3f, gen), new Linear(4 * SIZE * SIZE, CLASSES, true, gen));
    }

    private static Sgd sgd(Sequential model) {
        return new Sgd(model.parameters(), 0.05f, 0.9f, 1e-4f);
    }

    /** One training step on a batch that depends only on the step's index, as a seeded loader's would. */
    private static void step(Sequential model, Sgd sgd, int index) {
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
            Variable logits = model.forward(Variable.constant(Tensor.of(px, batch, 1, SIZE, SIZE)));
            new CrossEntropyLoss().forward(logits, labels).backward();
            sgd.step();
            sgd.zeroGrad();
        }
    }

    /** Every tensor of the training state as raw bits: model state and momentum buffers. */
    private static Map<String, int[]> snapshot(Sequential model, Sgd sgd) {
        Map<String, int[]> out = new LinkedHashMap<>();
        model.stateDict().forEach((name, t) -> out.put(name, bits(t)));
        model.namedParameters().forEach((name, p) -> {
            Tensor buf = sgd.momentumBuffer(p);
            out.put("momentum." + name, buf == null ? null : bits(buf));
        });
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
        expected.forEach((name, bits) -> assertArrayEquals(bits, actual.get(name), name));
    }

    private static Map<String, Object> extra() {
        Map<String, Object> early = new LinkedHashMap<>();
        early.put("patience", 3);
        early.put("started", true);
        early.put("running_loss", 0.6931471805599453);
        early.put("best_running_loss", 1e7);
        early.put("running_accuracy", Double.NaN);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("early_stopping", early);
        extra.put("metrics", Map.of("val_loss", 0.25, "val_accuracy", 0.875, "confusion", List.of(List.of(3, 1), List.of(0, 4))));
        return extra;
    }

    @Test
    void resumingFromACheckpointContinuesBitForBit() throws IOException {
        int k = 3;
        int n = 4;
        Path file = dir.resolve("last.ckpt.safetensors");
        Map<String, int[]> continued;
        Map<String, int[]> atCheckpoint;
        long genPositionAfter;
        Generator genA = new Generator(7);
        try (Sequential model = tinyModel(genA); Sgd sgd = sgd(model)) {
            for (int i = 0; i < k; i++) {
                step(model, sgd, i);
            }
            sgd.setLearningRate(0.02f);
            atCheckpoint = snapshot(model, sgd);
            try (Checkpoint c = Checkpoint.capture(model, sgd, genA, 2, extra(), DESCRIPTION)) {
                c.save(file);
            }
            Checkpoint.write(dir.resolve("direct.safetensors"), model, sgd, genA, 2, extra(), DESCRIPTION);
            for (int i = k; i < k + n; i++) {
                step(model, sgd, i);
            }
            continued = snapshot(model, sgd);
            genPositionAfter = genA.position();
        }
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(dir.resolve("direct.safetensors")),
                "writing the live state and saving a captured copy give the same file");

        // A fresh process: other initial weights, another generator seed, fresh optimiser.
        Generator genB = new Generator(12345);
        try (Sequential model = tinyModel(genB); Sgd sgd = sgd(model); Checkpoint c = Checkpoint.load(file)) {
            assertEquals(2, c.epoch());
            assertEquals(0.02f, c.learningRate());
            assertEquals(extra(), c.extra());
            assertEquals(DESCRIPTION, c.description());
            c.restore(model, sgd, genB);
            assertEquals(0.02f, sgd.learningRate());
            assertEquals(genA.seed(), genB.seed());
            assertSameState(atCheckpoint, snapshot(model, sgd));
            for (int i = k; i < k + n; i++) {
                step(model, sgd, i);
            }
            assertSameState(continued, snapshot(model, sgd));
            assertEquals(genPositionAfter, genB.position());
        }

        // The control: without the optimiser's and generator's state the run diverges.
        Generator genC = new Generator(12345);
        try (Sequential model = tinyModel(genC); Sgd sgd = sgd(model); Checkpoint c = Checkpoint.load(file)) {
            model.loadStateDict(c.model(), true);
            sgd.setLearningRate(c.learningRate());
            for (int i = k; i < k + n; i++) {
                step(model, sgd, i);
            }
            Map<String, int[]> diverged = snapshot(model, sgd);
            assertFalse(java.util.Arrays.equals(continued.get("5.weight"), diverged.get("5.weight")));
        }
    }

    @Test
    void restoreDropsMomentumThatTheCheckpointDoesNotHave() throws IOException {
        Generator gen = new Generator(1);
        Path file = dir.resolve("fresh.safetensors");
        try (Sequential model = tinyModel(gen); Sgd sgd = sgd(model)) {
            Checkpoint.write(file, model, sgd, gen, 0, Map.of(), null);
            long position = gen.position();
            step(model, sgd, 0);
            assertTrue(gen.position() > position, "dropout drew a seed");
            Parameter first = model.parameters().getFirst();
            assertTrue(sgd.momentumBuffer(first) != null);
            try (Checkpoint c = Checkpoint.load(file)) {
                assertTrue(c.optimizer().tensors().isEmpty());
                assertTrue(c.extra().isEmpty());
                assertNull(c.description(), "written without a description, read without one");
                c.restore(model, sgd, gen);
            }
            assertNull(sgd.momentumBuffer(first));
            assertTrue(sgd.momentumBuffers().isEmpty());
            assertEquals(position, gen.position());
        }
    }

    @Test
    void aWriterThatFailsMidwayLeavesThePreviousCheckpointAndNoTempFiles() throws IOException {
        Generator gen = new Generator(3);
        Path file = dir.resolve("last.safetensors");
        try (Sequential model = tinyModel(gen); Sgd sgd = sgd(model)) {
            step(model, sgd, 0);
            Checkpoint.write(file, model, sgd, gen, 1, Map.of("epoch_note", "one"), null);
            byte[] before = Files.readAllBytes(file);
            step(model, sgd, 1);

            // The last tensor written is closed, so the safetensors writer throws after the header and the model.
            try (Checkpoint c = Checkpoint.capture(model, sgd, gen, 2, Map.of(), null)) {
                Map<String, Tensor> momentum = new LinkedHashMap<>(c.optimizer().tensors());
                String last = momentum.keySet().stream().reduce((a, b) -> b).orElseThrow();
                momentum.get(last).close();
                Checkpoint broken = new Checkpoint(c.model(), new OptimizerState(Sgd.TYPE, momentum, Map.of()), null, 2,
                        0.05f, 0, 0, Map.of(), null);
                assertThrows(IllegalStateException.class, () -> broken.save(file));
            }
            assertArrayEquals(before, Files.readAllBytes(file));
            assertEquals(List.of(file), listing());
            try (Checkpoint c = Checkpoint.load(file)) {
                assertEquals(1, c.epoch());
                assertEquals("one", c.extra().get("epoch_note"));
            }

            // A raw writer that dies halfway through: the temp file existed, and is gone afterwards.
            IOException crash = assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
                out.write(ByteBuffer.wrap(before, 0, before.length / 2));
                assertEquals(2, listing().size(), "the half-written temp file sits next to the target");
                throw new IOException("simulated crash");
            }));
            assertEquals("simulated crash", crash.getMessage());
            assertArrayEquals(before, Files.readAllBytes(file));
            assertEquals(List.of(file), listing());
        }
    }

    @Test
    void loadRejectsFilesThatAreNotCheckpoints() throws IOException {
        Path plain = dir.resolve("weights.safetensors");
        try (Tensor t = Tensor.scalar(1f)) {
            SafeTensors.write(plain, Map.of("model.x", t), Map.of("format", "pt"));
        }
        WeightFileException e = assertThrows(WeightFileException.class, () -> Checkpoint.load(plain));
        assertTrue(e.getMessage().contains("not a checkpoint"), e.getMessage());

        Path stray = dir.resolve("stray.safetensors");
        Map<String, String> meta = Map.of("format", Checkpoint.FORMAT, "version", "1", "epoch", "1",
                "learning_rate", "0.1", "generator", "{\"seed\":1,\"position\":2}", "extra", "{}");
        try (Tensor t = Tensor.scalar(1f)) {
            SafeTensors.write(stray, Map.of("other.x", t), meta);
        }
        e = assertThrows(WeightFileException.class, () -> Checkpoint.load(stray));
        assertTrue(e.getMessage().contains("other.x"), e.getMessage());

        Path badMeta = dir.resolve("bad.safetensors");
        Map<String, String> broken = new LinkedHashMap<>(meta);
        broken.put("generator", "{\"seed\":1.5}");
        try (Tensor t = Tensor.scalar(1f)) {
            SafeTensors.write(badMeta, Map.of("model.x", t), broken);
        }
        e = assertThrows(WeightFileException.class, () -> Checkpoint.load(badMeta));
        assertTrue(e.getMessage().contains("generator"), e.getMessage());
    }

    /** The description goes in the standard metadata map, and an exported state dict keeps it. */
    @Test
    void theDescriptionIsPlainSafeTensorsMetadataThatAnExportKeeps() throws IOException {
        Generator gen = new Generator(4);
        Path file = dir.resolve("described.safetensors");
        try (Sequential model = tinyModel(gen); Sgd sgd = sgd(model)) {
            step(model, sgd, 0);
            Checkpoint.write(file, model, sgd, gen, 1, Map.of(), DESCRIPTION);
        }
        Map<String, String> meta = SafeTensors.readMetadata(file);
        assertEquals("tiny", meta.get("architecture"));
        assertEquals("6", meta.get("image_size"));
        assertEquals("[0.5]", meta.get("normalize_mean"));
        assertEquals("[\"a\",\"b\",\"c\"]", meta.get("class_names"));
        assertEquals("c", meta.get("positive_class"));
        assertEquals(LibraryVersion.get(), meta.get("library_version"));
        assertEquals(DESCRIPTION, ModelMetadata.read(file).orElseThrow());

        Path export = dir.resolve("export.safetensors");
        WeightFiles.Conversion c = WeightFiles.convert(file, export);
        assertEquals(DESCRIPTION, ModelMetadata.read(export).orElseThrow());
        Map<String, Tensor> exported = SafeTensors.read(export);
        try (Checkpoint original = Checkpoint.load(file)) {
            assertEquals(original.model().keySet(), exported.keySet(), "the model's state dict, no momentum buffers");
            assertEquals(original.model().size(), c.tensors());
            original.model().forEach((name, t) -> assertArrayEquals(t.toArray(), exported.get(name).toArray(), name));
        } finally {
            exported.values().forEach(Tensor::close);
        }
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().equals("direct.safetensors")).sorted().toList();
        }
    }
}
