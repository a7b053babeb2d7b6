package org.covidct.nn.io;

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
import org.covidct.tensor.TensorScope;

/**
 * Corrupts valid .pth files of both formats (truncation, bit flips, huge or negative 4- and 8-byte
 * fields, inserted and deleted bytes); {@link TorchWeights#read} must either read the result or
 * throw a {@link WeightFileException} with a one-line message. Any other throwable (an
 * OutOfMemoryError, a StackOverflowError, a RuntimeException) or a slow case fails the property.
 */
class TorchWeightsFuzzTest {
    private static final List<String> FIXTURES = List.of("vgg13_narrow.zip.pth", "vgg13_narrow.legacy.pth",
            "dtypes.zip.pth", "dtypes.legacy.pth", "vgg13_narrow_mixed_dtypes.legacy.pth",
            "vgg13_narrow_module_prefix.zip.pth");
    /** The pickles (legacy) and data.pkl (zip) lie in the first bytes, the zip central directory at the end. */
    private static final int HOT_HEAD = 6000;
    private static final int HOT_TAIL = 1500;
    private static final List<Long> HUGE = List.of(0xFFFF_FFFFL, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFF0L, -1L,
            Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, 1L << 32, 1L << 40, 1L << 62, 0x7FFF_FFFF_FFFF_FFF0L, 0L);
    private static final long SLOW_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static Path dir;
    private static byte[][] originals;

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("pth-fuzz");
        originals = new byte[FIXTURES.size()][];
        for (int i = 0; i < originals.length; i++) {
            originals[i] = Files.readAllBytes(WeightFixtures.path(FIXTURES.get(i)));
        }
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

    /** A position: {@code fraction} of the hot region (when {@code hot}) or of the whole file. */
    record Where(boolean hot, double fraction) {
        int in(int length) {
            if (length == 0) {
                return 0;
            }
            if (!hot || length <= HOT_HEAD + HOT_TAIL) {
                return (int) Math.min(length - 1, fraction * length);
            }
            int hotLength = HOT_HEAD + HOT_TAIL;
            int i = (int) Math.min(hotLength - 1, fraction * hotLength);
            return i < HOT_HEAD ? i : length - hotLength + i;
        }
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

    record BitFlips(List<Where> where, List<Integer> bits) implements Mutation {
        @Override
        public byte[] apply(byte[] file) {
            byte[] out = file.clone();
            for (int i = 0; i < where.size(); i++) {
                int p = where.get(i).in(out.length);
                out[p] ^= (byte) (1 << bits.get(i));
            }
            return out;
        }
    }

    record HugeField(Where where, int width, long value) implements Mutation {
        @Override
        public byte[] apply(byte[] file) {
            byte[] out = file.clone();
            int p = Math.min(where.in(out.length), Math.max(0, out.length - width));
            ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
            if (width == 4) {
                b.putInt(p, (int) value);
            } else {
                b.putLong(p, value);
            }
            return out;
        }
    }

    record Insert(Where where, byte[] bytes) implements Mutation {
        @Override
        public byte[] apply(byte[] file) {
            int p = where.in(file.length);
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

    record Delete(Where where, int length) implements Mutation {
        @Override
        public byte[] apply(byte[] file) {
            int p = where.in(file.length);
            int n = Math.min(length, file.length - p);
            byte[] out = new byte[file.length - n];
            System.arraycopy(file, 0, out, 0, p);
            System.arraycopy(file, p + n, out, p, file.length - p - n);
            return out;
        }
    }

    private static Arbitrary<Where> where() {
        return Combinators.combine(Arbitraries.of(true, true, false), Arbitraries.doubles().between(0, 1))
                .as(Where::new);
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Mutation> truncate = Arbitraries.doubles().between(0, 1).map(Truncate::new);
        Arbitrary<Mutation> flips = Arbitraries.integers().between(1, 8).flatMap(n -> Combinators.combine(
                where().list().ofSize(n), Arbitraries.integers().between(0, 7).list().ofSize(n)).as(BitFlips::new));
        Arbitrary<Long> values = Arbitraries.oneOf(Arbitraries.of(HUGE),
                Arbitraries.longs(), Arbitraries.longs().between(-1000, 1000));
        Arbitrary<Mutation> huge = Combinators.combine(where(), Arbitraries.of(4, 8), values).as(HugeField::new);
        Arbitrary<Mutation> insert = Combinators.combine(where(),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16)).as(Insert::new);
        Arbitrary<Mutation> delete = Combinators.combine(where(), Arbitraries.integers().between(1, 16))
                .as(Delete::new);
        return Arbitraries.oneOf(truncate, flips, huge, insert, delete);
    }

    @Property(tries = 10_000)
    void corruptedFilesAreReadOrRefusedCleanly(@ForAll("mutations") Mutation mutation,
                                                @ForAll("fixtures") int fixture) throws IOException {
        Path file = dir.resolve("mutated.pth");
        Files.write(file, mutation.apply(originals[fixture]));
        long start = System.nanoTime();
        String outcome;
        try (TensorScope scope = TensorScope.open()) {
            TorchWeights.read(file);
            outcome = "read";
        } catch (WeightFileException e) {
            String m = e.getMessage();
            assertTrue(m != null && m.startsWith(file + ": ") && m.length() > file.toString().length() + 2,
                    "message should name the file and the problem: " + m);
            assertFalse(m.contains("\n"), m);
            outcome = "refused";
        } catch (Throwable t) {
            throw new AssertionError(FIXTURES.get(fixture) + " with " + mutation + " threw " + t, t);
        }
        long nanos = System.nanoTime() - start;
        assertTrue(nanos < SLOW_NANOS, FIXTURES.get(fixture) + " with " + mutation + " took " + nanos / 1e9 + " s");
        Statistics.label("outcome").collect(outcome);
        Statistics.label("outcome").coverage(c -> c.check("refused").percentage(p -> p > 30));
    }

    @Provide
    Arbitrary<Integer> fixtures() {
        return Arbitraries.integers().between(0, FIXTURES.size() - 1);
    }
}
