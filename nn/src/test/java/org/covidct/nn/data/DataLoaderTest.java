package org.covidct.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.covidct.nn.data.image.ImageDecodeException;
import org.covidct.nn.data.image.ImageDecoder;
import org.covidct.nn.data.image.ImageTransform;
import org.covidct.nn.data.image.RgbImage;
import org.covidct.nn.data.image.TestImages;
import org.covidct.nn.data.image.Transforms;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLoaderTest {
    private static final int SIZE = 16;

    @TempDir
    Path root;

    private List<Sample> samples;

    /** Twenty small PNG images of assorted sizes, named with spaces, commas and percent signs; labels 0 then 1. */
    @BeforeEach
    void images() throws IOException {
        samples = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String name = i % 3 == 0 ? "scan " + i + " (copy), 80%.png" : i + ".png";
            Path file = TestImages.writePng(TestImages.random(20 + i % 7, 17 + i % 5, i), root.resolve(name));
            samples.add(new Sample(file, i < 10 ? 0 : 1));
        }
    }

    /** One batch, copied out of its tensor. */
    record Copy(float[] images, int[] labels, List<Path> paths) {
        static Copy of(Batch b) {
            try (b) {
                assertArrayEquals(new int[] {b.size(), 3, SIZE, SIZE}, b.images().dims());
                return new Copy(b.images().toArray(), b.labels(), b.paths());
            }
        }

        void assertSame(Copy o) {
            assertArrayEquals(images, o.images);
            assertArrayEquals(labels, o.labels);
            assertEquals(paths, o.paths);
        }
    }

    private DataLoader.Builder builder(ImageTransform t) {
        return DataLoader.builder(samples, t).shuffle(true).seed(42).workers(3).prefetchBatches(2);
    }

    private static List<Copy> run(DataLoader loader, int epoch) {
        List<Copy> out = new ArrayList<>();
        try (DataLoader.Epoch e = loader.epoch(epoch)) {
            while (e.hasNext()) {
                out.add(Copy.of(e.next()));
            }
        }
        return out;
    }

    private static void assertSameRun(List<Copy> a, List<Copy> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            a.get(i).assertSame(b.get(i));
        }
    }

    @Test
    void sameSeedSameBatchesWhateverTheWorkers() {
        List<Copy> first;
        List<Copy> second;
        List<Copy> single;
        try (DataLoader a = builder(Transforms.train(SIZE)).build();
             DataLoader b = builder(Transforms.train(SIZE)).build();
             DataLoader c = builder(Transforms.train(SIZE)).workers(1).prefetchBatches(1).cacheBytes(0).build()) {
            first = run(a, 3);
            second = run(b, 3);
            single = run(c, 3);
            assertSameRun(first, run(a, 3)); // again, now from the cache
            assertEquals(20, a.cachedImages());
            assertEquals(0, c.cachedImages());
        }
        assertSameRun(first, second);
        assertSameRun(first, single);
        assertEquals(List.of(8, 8, 4), first.stream().map(c -> c.labels().length).toList());
    }

    @Test
    void epochsShuffleDifferentlyAndCoverEverySampleOnce() {
        try (DataLoader loader = builder(Transforms.eval(SIZE)).build()) {
            List<Path> e0 = run(loader, 0).stream().flatMap(c -> c.paths().stream()).toList();
            List<Path> e1 = run(loader, 1).stream().flatMap(c -> c.paths().stream()).toList();
            assertNotEquals(e0, e1);
            assertEquals(samples.stream().map(Sample::path).sorted().toList(), e0.stream().sorted().toList());
            assertEquals(samples.stream().map(Sample::path).sorted().toList(), e1.stream().sorted().toList());
            assertFalse(Arrays.equals(loader.order(0), loader.order(1)));
        }
    }

    @Test
    void withoutShuffleTheOrderIsTheListAndLabelsFollow() {
        try (DataLoader loader = builder(Transforms.eval(SIZE)).shuffle(false).batchSize(6).build()) {
            List<Copy> run = run(loader, 5);
            assertEquals(4, run.size());
            assertEquals(2, run.get(3).labels().length);
            List<Path> paths = run.stream().flatMap(c -> c.paths().stream()).toList();
            assertEquals(samples.stream().map(Sample::path).toList(), paths);
            int[] labels = run.stream().flatMapToInt(c -> Arrays.stream(c.labels())).toArray();
            assertArrayEquals(samples.stream().mapToInt(Sample::label).toArray(), labels);
        }
    }

    @Test
    void batchesHoldTheTransformedImages() throws IOException {
        ImageTransform eval = Transforms.eval(SIZE);
        try (DataLoader loader = builder(eval).shuffle(false).build()) {
            Copy first = run(loader, 0).get(0);
            int per = 3 * SIZE * SIZE;
            for (int i = 0; i < 8; i++) {
                float[] expected = eval.transform(ImageDecoder.decodeRgb(samples.get(i).path()), loader.sampleRandom(0, i));
                assertArrayEquals(expected, Arrays.copyOfRange(first.images(), i * per, (i + 1) * per));
            }
        }
    }

    @Test
    void workerFailureSurfacesNamingTheFile() throws IOException {
        Path bad = samples.get(13).path();
        Files.write(bad, Arrays.copyOf(Files.readAllBytes(bad), 40));
        try (DataLoader loader = builder(Transforms.train(SIZE)).shuffle(false).build()) {
            DataLoader.Epoch e = loader.epoch(0);
            Copy.of(e.next()); // samples 0-7 are fine
            DataLoadException ex = assertThrows(DataLoadException.class, e::next);
            assertEquals(bad, ex.file());
            assertTrue(ex.getMessage().contains(bad.toString()), ex.getMessage());
            assertTrue(ex.getMessage().contains("truncated"), ex.getMessage());
            assertTrue(ex.getCause() instanceof ImageDecodeException, String.valueOf(ex.getCause()));
            assertFalse(e.hasNext());
            assertThrows(IllegalStateException.class, e::next);
        }
    }

    @Test
    void missingFileFailsTheFirstBatch() {
        List<Sample> withMissing = new ArrayList<>(samples);
        Path missing = root.resolve("missing (1).png");
        withMissing.set(2, new Sample(missing, 1));
        try (DataLoader loader = DataLoader.builder(withMissing, Transforms.eval(SIZE)).build();
             DataLoader.Epoch e = loader.epoch(0)) {
            DataLoadException ex = assertThrows(DataLoadException.class, e::next);
            assertTrue(ex.getMessage().contains(missing.toString()) && ex.getMessage().contains("not found"),
                    ex.getMessage());
        }
    }

    /** A transform that blocks until interrupted, so batches are in flight when the loader closes. */
    static final class Blocking implements ImageTransform {
        final ImageTransform inner = Transforms.eval(SIZE);
        final AtomicInteger started = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        final int freeSamples;

        Blocking(int freeSamples) {
            this.freeSamples = freeSamples;
        }

        @Override
        public int outputSize() {
            return SIZE;
        }

        @Override
        public RgbImage prepare(RgbImage decoded) {
            return inner.prepare(decoded);
        }

        @Override
        public void apply(RgbImage prepared, RandomGenerator rng, float[] out, int offset) {
            if (started.incrementAndGet() > freeSamples) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
            }
            inner.apply(prepared, rng, out, offset);
        }
    }

    @Test
    void closingMidEpochStopsWorkersWithoutHanging() {
        Blocking blocking = new Blocking(8);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            // One worker runs the tasks in submission order: batch 0's eight, then it blocks in batch 1.
            DataLoader loader = DataLoader.builder(samples, blocking).workers(1).prefetchBatches(2).build();
            DataLoader.Epoch e = loader.epoch(0);
            Copy.of(e.next());
            while (blocking.started.get() < 9) {
                Thread.sleep(5);
            }
            loader.close();
            assertTrue(loader.workersStopped());
            assertFalse(e.hasNext());
            assertThrows(IllegalStateException.class, e::next);
            assertThrows(IllegalStateException.class, () -> loader.epoch(1));
            loader.close();
        });
    }

    @Test
    void closingFromAnotherThreadReleasesAWaitingConsumer() throws Exception {
        Blocking blocking = new Blocking(0);
        DataLoader loader = DataLoader.builder(samples, blocking).workers(2).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try (DataLoader.Epoch e = loader.epoch(0)) {
                e.next().close();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        consumer.start();
        while (blocking.started.get() < 1) {
            Thread.sleep(5);
        }
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            loader.close();
            consumer.join();
        });
        assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
        assertTrue(loader.workersStopped());
    }

    @Test
    void closingAnEpochEarlyLeavesTheLoaderUsable() {
        try (DataLoader loader = builder(Transforms.eval(SIZE)).build()) {
            List<Copy> full = run(loader, 7);
            try (DataLoader.Epoch e = loader.epoch(7)) {
                full.get(0).assertSame(Copy.of(e.next()));
            }
            assertSameRun(full, run(loader, 7));
        }
    }

    @Test
    void cacheRespectsItsBudget() {
        long oneImage = 3L * SIZE * SIZE;
        try (DataLoader loader = builder(Transforms.eval(SIZE)).cacheBytes(5 * oneImage).build()) {
            List<Copy> first = run(loader, 0);
            assertEquals(5, loader.cachedImages());
            assertEquals(5 * oneImage, loader.cachedBytes());
            assertSameRun(first, run(loader, 0));
        }
    }
}
