package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.covidct.tensor.Tensor;

/**
 * Corrupts valid safetensors files in many ways; the reader must either read the result or throw
 * a {@link WeightFileException} with a message. Any other throwable (OutOfMemoryError, an index
 * or arithmetic exception, ...) fails the property, and so does a slow case.
 */
class SafeTensorsFuzzTest {
    private static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I64", "I32"};
    private static final int[] SIZES = {4, 2, 2, 8, 8, 4};
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    private static final String[] HUGE = {"0", "1", "3", "2147483647", "2147483648", "4294967295", "4294967296",
            "9007199254740993", "9223372036854775807", "9223372036854775808", "18446744073709551615",
            "18446744073709551616", "100000000000000000000000000000", "-1", "-9223372036854775808", "1e3", "0.5"};
    private static final String[] DTYPE_SWAPS = {"F32", "F16", "BF16", "F64", "I64", "I32", "U8", "BOOL", "F8_E4M3",
            "f32", "", "F32 ", "\\u0046\\u0033\\u0032"};

    private static Path dir;
    private static List<byte[]> writerFiles;

    enum Mutation {
        TRUNCATE, BIT_FLIPS, HEADER_LENGTH, NUMBER, DTYPE, BYTES_INSERTED_OR_DELETED, HEADER_GARBAGE, APPENDED, SWAPPED_BYTES
    }

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("safetensors-fuzz");
        writerFiles = new ArrayList<>();
        Random rng = new Random(1);
        for (int f = 0; f < 8; f++) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < 1 + f % 4; i++) {
                int[] dims = randomDims(rng);
                float[] v = new float[numel(dims)];
                for (int j = 0; j < v.length; j++) {
                    v[j] = (float) rng.nextGaussian();
                }
                tensors.put("layer." + i + ".weight", Tensor.of(v, dims));
            }
            Path p = dir.resolve("writer" + f + ".safetensors");
            SafeTensors.write(p, tensors, f % 2 == 0 ? Map.of("format", "pt") : null);
            tensors.values().forEach(Tensor::close);
            writerFiles.add(Files.readAllBytes(p));
            Files.delete(p);
        }
    }

    @AfterContainer
    static void tearDown() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    @Property(tries = 20_000, shrinking = ShrinkingMode.OFF)
    void corruptedFilesAreReadOrRejectedWithAMessage(@ForAll long seed, @ForAll Mutation mutation) throws IOException {
        Random rng = new Random(seed);
        byte[] valid = rng.nextInt(5) == 0 ? writerFiles.get(rng.nextInt(writerFiles.size())) : validFile(rng);
        byte[] bytes = mutate(valid.clone(), mutation, rng);
        Path p = dir.resolve("case.safetensors");
        Files.write(p, bytes);
        long start = System.nanoTime();
        String outcome;
        try {
            Map<String, Tensor> m = SafeTensors.read(p);
            m.values().forEach(Tensor::close);
            outcome = "read";
        } catch (WeightFileException e) {
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage().isBlank());
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
            assertTrue(e.getMessage().length() < 2_000, "message of " + e.getMessage().length() + " characters");
            outcome = "rejected";
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 2_000, mutation + " took " + millis + " ms");
        Statistics.label("mutation").collect(mutation, outcome);
        Statistics.label("outcome").collect(outcome);
        Statistics.label("outcome").coverage(c -> {
            c.check("rejected").count(n -> n > 10_000);
            c.check("read").count(n -> n > 100);
        });
    }

    private static int numel(int[] dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    private static int[] randomDims(Random rng) {
        int[] dims = new int[rng.nextInt(4)];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = rng.nextInt(10) == 0 ? 0 : 1 + rng.nextInt(6);
        }
        return dims;
    }

    /** A valid file of random tensors in mixed dtypes, header order shuffled against data order. */
    static byte[] validFile(Random rng) {
        int count = rng.nextInt(6);
        List<String> entries = new ArrayList<>();
        ByteBuffer data = ByteBuffer.allocate(count * 216 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            int d = rng.nextInt(DTYPES.length);
            int[] dims = randomDims(rng);
            int bytes = numel(dims) * SIZES[d];
            int begin = data.position();
            for (int b = 0; b < bytes; b++) {
                data.put((byte) rng.nextInt());
            }
            StringBuilder shape = new StringBuilder("[");
            for (int j = 0; j < dims.length; j++) {
                shape.append(j == 0 ? "" : ",").append(dims[j]);
            }
            entries.add("\"t" + i + (rng.nextBoolean() ? ".w\\u00e9ight" : "") + "\":{\"dtype\":\"" + DTYPES[d]
                    + "\",\"shape\":" + shape + "],\"data_offsets\":[" + begin + "," + (begin + bytes) + "]}");
        }
        if (rng.nextBoolean()) {
            entries.add("\"__metadata__\":{\"format\":\"pt\",\"n\":\"" + rng.nextInt(1000) + "\"}");
        }
        Collections.shuffle(entries, rng);
        String header = "{" + String.join(",", entries) + "}" + " ".repeat(rng.nextInt(9));
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.position()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(data.array(), 0, data.position());
        return out.array();
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    private static byte[] mutate(byte[] f, Mutation m, Random rng) {
        int headerEnd = (int) Math.min(f.length, 8 + headerLength(f));
        return switch (m) {
            case TRUNCATE -> java.util.Arrays.copyOf(f, rng.nextInt(f.length));
            case BIT_FLIPS -> {
                int flips = 1 + rng.nextInt(rng.nextBoolean() ? 2 : 16);
                for (int i = 0; i < flips; i++) {
                    // Mostly in the length and header, where the checks are; sometimes in the data.
                    int at = rng.nextInt(4) == 0 ? rng.nextInt(f.length) : rng.nextInt(headerEnd);
                    f[at] ^= (byte) (1 << rng.nextInt(8));
                }
                yield f;
            }
            case HEADER_LENGTH -> {
                long n = headerLength(f);
                long[] choices = {0, 1, 2, 7, n - 1, n + 1, n - 8, n + 8, f.length, f.length - 8, f.length - 7,
                        Integer.MAX_VALUE, 1L << 32, Long.MAX_VALUE, -1, Long.MIN_VALUE, SafeTensors.MAX_HEADER_BYTES,
                        SafeTensors.MAX_HEADER_BYTES + 1, rng.nextLong(), rng.nextInt(f.length + 16)};
                ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, choices[rng.nextInt(choices.length)]);
                yield f;
            }
            case NUMBER -> replaceInHeader(f, headerEnd, NUMBER, rng, () -> {
                int pick = rng.nextInt(HUGE.length + 3);
                return pick < HUGE.length ? HUGE[pick] : Long.toString(rng.nextInt(1 << (4 * (pick - HUGE.length + 1))));
            });
            case DTYPE -> replaceInHeader(f, headerEnd, Pattern.compile("(?<=\"dtype\":\")[^\"]*"), rng,
                    () -> DTYPE_SWAPS[rng.nextInt(DTYPE_SWAPS.length)]);
            case BYTES_INSERTED_OR_DELETED -> {
                int at = rng.nextInt(f.length + 1);
                int n = 1 + rng.nextInt(8);
                byte[] out;
                if (rng.nextBoolean() || at + n > f.length) {
                    out = new byte[f.length + n];
                    System.arraycopy(f, 0, out, 0, at);
                    for (int i = 0; i < n; i++) {
                        out[at + i] = (byte) "{}[],:\" 0129aF\\".charAt(rng.nextInt(15));
                    }
                    System.arraycopy(f, at, out, at + n, f.length - at);
                } else {
                    out = new byte[f.length - n];
                    System.arraycopy(f, 0, out, 0, at);
                    System.arraycopy(f, at + n, out, at, f.length - at - n);
                }
                yield out;
            }
            case HEADER_GARBAGE -> {
                if (headerEnd > 8) {
                    int at = 8 + rng.nextInt(headerEnd - 8);
                    int n = Math.min(headerEnd - at, 1 + rng.nextInt(32));
                    for (int i = 0; i < n; i++) {
                        f[at + i] = (byte) rng.nextInt();
                    }
                }
                yield f;
            }
            case APPENDED -> {
                byte[] out = java.util.Arrays.copyOf(f, f.length + 1 + rng.nextInt(64));
                yield out;
            }
            case SWAPPED_BYTES -> {
                int a = rng.nextInt(headerEnd);
                int b = rng.nextInt(headerEnd);
                byte t = f[a];
                f[a] = f[b];
                f[b] = t;
                yield f;
            }
        };
    }

    /** Replaces one match of {@code pattern} in the JSON header, keeping the declared length right. */
    private static byte[] replaceInHeader(byte[] f, int headerEnd, Pattern pattern, Random rng,
                                          java.util.function.Supplier<String> replacement) {
        String header = new String(f, 8, headerEnd - 8, StandardCharsets.UTF_8);
        List<int[]> spans = new ArrayList<>();
        Matcher m = pattern.matcher(header);
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        if (spans.isEmpty()) {
            return f;
        }
        int[] s = spans.get(rng.nextInt(spans.size()));
        byte[] h = (header.substring(0, s[0]) + replacement.get() + header.substring(s[1])).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + f.length - headerEnd).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(f, headerEnd, f.length - headerEnd);
        return out.array();
    }
}
