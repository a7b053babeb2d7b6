package org.covidct.nn.io.tflite;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.covidct.nn.io.WeightFileException;
import org.covidct.tensor.TensorScope;

/**
 * Corrupts a valid TFLite file (truncation, bit flips, huge, negative or small 2-, 4- and 8-byte
 * fields, inserted and deleted bytes); reading it, dequantizing every constant tensor and mapping
 * it onto MobileNetV2 must either work or throw a {@link WeightFileException} with a one-line
 * message naming the file. Anything else (an IndexOutOfBounds, an OutOfMemoryError, a slow case)
 * fails the property.
 */
class TfliteFuzzTest {
    private static final List<Long> HUGE = List.of(0xFFFF_FFFFL, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFF0L, -1L,
            Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, 1L << 32, 1L << 40, 0xFFFFL, 0x8000L, 0L, 1L, 2L, 4L);
    private static final long SLOW_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static Path dir;
    private static byte[] original;

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("tflite-fuzz");
        original = TinyTflite.bytes();
    }

    @AfterContainer
    static void tearDown() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    sealed interface Mutation {
        byte[] apply(byte[] file);
    }

    record Truncate(double fraction) implements Mutation {
        @Override
        public byte[] apply(byte[] file) {
            return Arrays.copyOf(file, (int) (fraction * file.length));
        }
    }

    record BitFlips(List<Double> where, List<Integer> bits) implements Mutation {
        @Override
        public byte[] apply(byte[] file) {
            byte[] out = file.clone();
            for (int i = 0; i < where.size(); i++) {
                out[at(where.get(i), out.length, 1)] ^= (byte) (1 << bits.get(i));
            }
            return out;
        }
    }

    /** Overwrites 2, 4 or 8 bytes: offsets, vtable entries, lengths and indices are all such fields. */
    record Field(double where, int width, long value) implements Mutation {
        @Override
        public byte[] apply(byte[] file) {
            byte[] out = file.clone();
            int p = at(where, out.length, width);
            ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
            switch (width) {
                case 2 -> b.putShort(p, (short) value);
                case 4 -> b.putInt(p, (int) value);
                default -> b.putLong(p, value);
            }
            return out;
        }
    }

    record Insert(double where, byte[] bytes) implements Mutation {
        @Override
        public byte[] apply(byte[] file) {
            int p = at(where, file.length + 1, 1);
            byte[] out = new byte[file.length + bytes.length];
            System.arraycopy(file, 0, out, 0, p);
            System.arraycopy(bytes, 0, out, p, bytes.length);
            System.arraycopy(file, p, out, p + bytes.length, file.length - p);
            return out;
        }

        @Override
        public String toString() {
            return "Insert[" + where + ", " + Arrays.toString(bytes) + "]";
        }
    }

    record Delete(double where, int length) implements Mutation {
        @Override
        public byte[] apply(byte[] file) {
            int p = at(where, file.length, 1);
            int n = Math.min(length, file.length - p);
            byte[] out = new byte[file.length - n];
            System.arraycopy(file, 0, out, 0, p);
            System.arraycopy(file, p + n, out, p, file.length - p - n);
            return out;
        }
    }

    /** A position for a field of {@code width} bytes, {@code fraction} of the way through the file. */
    private static int at(double fraction, int length, int width) {
        return Math.max(0, Math.min(length - width, (int) (fraction * length)));
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
        Arbitrary<Mutation> truncate = where.map(Truncate::new);
        Arbitrary<Mutation> flips = Arbitraries.integers().between(1, 8).flatMap(n -> Combinators.combine(
                where.list().ofSize(n), Arbitraries.integers().between(0, 7).list().ofSize(n)).as(BitFlips::new));
        Arbitrary<Long> values = Arbitraries.oneOf(Arbitraries.of(HUGE), Arbitraries.longs(),
                Arbitraries.longs().between(-300, 300));
        Arbitrary<Mutation> field = Combinators.combine(where, Arbitraries.of(2, 4, 8), values).as(Field::new);
        Arbitrary<Mutation> insert = Combinators.combine(where,
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16)).as(Insert::new);
        Arbitrary<Mutation> delete = Combinators.combine(where, Arbitraries.integers().between(1, 16)).as(Delete::new);
        return Arbitraries.oneOf(truncate, flips, field, field, insert, delete);
    }

    @Property(tries = 10_000)
    void corruptedFilesAreReadOrRefusedCleanly(@ForAll("mutations") Mutation mutation) throws IOException {
        Path file = dir.resolve("mutated.tflite");
        Files.write(file, mutation.apply(original));
        long start = System.nanoTime();
        String stage = "parse";
        try (TensorScope scope = TensorScope.open()) {
            TfliteModel model = TfliteModel.read(file);
            stage = "dequantize";
            for (TfliteTensor t : model.tensors()) {
                if (t.hasData()) {
                    model.dequantize(t);
                }
            }
            stage = "map"; // the tiny file is no MobileNetV2, so this step always refuses it
            TfliteMobileNetV2.read(model).close();
            stage = "mapped";
        } catch (WeightFileException e) {
            String m = e.getMessage();
            assertTrue(m != null && m.startsWith(file + ": ") && m.length() > file.toString().length() + 2,
                    "message should name the file and the problem: " + m);
            assertFalse(m.contains("\n"), m);
        } catch (Throwable t) {
            throw new AssertionError(mutation + " threw " + t, t);
        }
        long nanos = System.nanoTime() - start;
        assertTrue(nanos < SLOW_NANOS, mutation + " took " + nanos / 1e9 + " s");
        Statistics.label("refused at").collect(stage);
        Statistics.label("refused at").coverage(c -> {
            c.check("parse").percentage(p -> p > 30);
            c.check("dequantize").percentage(p -> p > 0.2);
            c.check("map").percentage(p -> p > 5);
        });
    }
}
