package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** A safetensors file from a header and data, exactly as given (no padding). */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    static byte[] le(int bytesPer, long... values) {
        ByteBuffer b = ByteBuffer.allocate(bytesPer * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (bytesPer) {
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                case 8 -> b.putLong(v);
                default -> throw new IllegalArgumentException();
            }
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static void closeAll(Map<String, Tensor> m) {
        m.values().forEach(Tensor::close);
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    private Path put(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    @Test
    void randomTensorsRoundTripBitForBitInOrder() throws IOException {
        Random rng = new Random(42);
        int[][] shapes = {{}, {0}, {2, 0, 3}, {1}, {7}, {3, 4}, {2, 3, 4, 5}, {257, 33}, {1, 1, 1, 1, 1, 1}};
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < shapes.length; i++) {
            int n = 1;
            for (int d : shapes[i]) {
                n *= d;
            }
            float[] v = new float[n];
            for (int j = 0; j < n; j++) {
                v[j] = Float.intBitsToFloat(rng.nextInt()); // every bit pattern, NaN payloads included
            }
            tensors.put("layer" + (shapes.length - i) + ".t\u00e9" + i, Tensor.of(v, shapes[i]));
        }
        Map<String, String> meta = Map.of("format", "pt", "note", "caf\u00e9 \"quoted\" \n");
        Path p = dir.resolve("r.safetensors");
        try {
            SafeTensors.write(p, tensors, meta);
            SafeTensors.Contents back = SafeTensors.readContents(p);
            try {
                assertEquals(new ArrayList<>(tensors.keySet()), new ArrayList<>(back.tensors().keySet()));
                for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                    Tensor got = back.tensors().get(e.getKey());
                    assertEquals(e.getValue().shape(), got.shape(), e.getKey());
                    assertArrayEquals(bits(e.getValue().toArray()), bits(got.toArray()), e.getKey());
                }
                assertEquals(meta, back.metadata());
                assertEquals(meta, SafeTensors.readMetadata(p));
            } finally {
                closeAll(back.tensors());
            }
        } finally {
            closeAll(tensors);
        }
    }

    @Test
    void writerProducesTheReferenceLayoutByteForByte() throws IOException {
        Path p = dir.resolve("x.safetensors");
        try (Tensor t = Tensor.of(new float[] {1.5f, -2f}, 2)) {
            SafeTensors.write(p, Map.of("x", t), Map.of("k", "v"));
        }
        String header = "{\"__metadata__\":{\"k\":\"v\"},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        int padded = (header.length() + 7) / 8 * 8;
        byte[] expected = file(header + " ".repeat(padded - header.length()),
                le(4, Float.floatToIntBits(1.5f), Float.floatToIntBits(-2f)));
        assertArrayEquals(expected, Files.readAllBytes(p));
        assertEquals(0, (8 + padded) % 8);
    }

    @Test
    void readsAHandMadeFile() throws IOException {
        byte[] bytes = file("{\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}   ",
                concat(le(4, 0x3F800000, 0xC0200000), le(4, 0x42280000)));
        Map<String, Tensor> m = SafeTensors.read(put("hand.safetensors", bytes));
        try {
            assertEquals(List.of("a", "b"), new ArrayList<>(m.keySet()), "ordered by data offset");
            assertArrayEquals(new float[] {1f, -2.5f}, m.get("a").toArray());
            assertEquals(0, m.get("b").rank());
            assertEquals(42f, m.get("b").item());
        } finally {
            closeAll(m);
        }
        assertTrue(SafeTensors.readMetadata(dir.resolve("hand.safetensors")).isEmpty());
    }

    @Test
    void convertsHalfBfloatDoubleAndIntegersToFloat() throws IOException {
        long[] f16 = {0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x7C00, 0xFC00, 0x8000, 0x3800};
        float[] f16Expected = {1f, -2f, 0.333251953125f, 65504f, 5.9604645e-8f, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, -0f, 0.5f};
        long[] bf16 = {0x3F80, 0xC040, 0x3EAB, 0x7F80, 0x0001, 0x4049, 0x8000};
        float[] bf16Expected = {1f, -3f, 0.333984375f, Float.POSITIVE_INFINITY, 0x1p-133f, 3.140625f, -0f};
        // Deliberately unaligned: the F32 tensor starts at byte 2 of the data section.
        byte[] data = concat(le(2, 0x4000), le(4, Float.floatToIntBits(7.25f)), le(2, f16), le(2, bf16),
                le(8, Double.doubleToLongBits(0.1), Double.doubleToLongBits(-1e300)), le(8, 3, -5), le(4, -7, 16777217));
        int o = 0;
        StringBuilder h = new StringBuilder("{");
        o = entry(h, "h0", "F16", "[]", o, 2);
        o = entry(h, "f32", "F32", "[1]", o, 4);
        o = entry(h, "f16", "F16", "[3,3]", o, 2 * f16.length);
        o = entry(h, "bf16", "BF16", "[7]", o, 2 * bf16.length);
        o = entry(h, "f64", "F64", "[2]", o, 16);
        o = entry(h, "num_batches_tracked", "I64", "[2]", o, 16);
        o = entry(h, "i32", "I32", "[2]", o, 8);
        h.setCharAt(h.length() - 1, '}');
        assertEquals(data.length, o);
        Map<String, Tensor> m = SafeTensors.read(put("dtypes.safetensors", file(h.toString(), data)));
        try {
            assertEquals(2f, m.get("h0").item());
            assertEquals(7.25f, m.get("f32").item());
            assertArrayEquals(f16Expected, m.get("f16").toArray());
            assertArrayEquals(new int[] {3, 3}, m.get("f16").dims());
            assertArrayEquals(bf16Expected, m.get("bf16").toArray());
            assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, m.get("f64").toArray());
            assertArrayEquals(new float[] {3f, -5f}, m.get("num_batches_tracked").toArray());
            assertArrayEquals(new float[] {-7f, 16777216f}, m.get("i32").toArray());
        } finally {
            closeAll(m);
        }
        try (Tensor nan = SafeTensors.read(put("nan.safetensors",
                file("{\"n\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[0,2]}}", le(2, 0x7E00)))).get("n")) {
            assertTrue(Float.isNaN(nan.item()));
        }
    }

    private static int entry(StringBuilder h, String name, String dtype, String shape, int begin, int bytes) {
        h.append('"').append(name).append("\":{\"dtype\":\"").append(dtype).append("\",\"shape\":").append(shape)
                .append(",\"data_offsets\":[").append(begin).append(',').append(begin + bytes).append("]},");
        return begin + bytes;
    }

    @Test
    void emptyFileAndEmptyTensorsRoundTrip() throws IOException {
        Path p = dir.resolve("empty.safetensors");
        SafeTensors.write(p, Map.of(), null);
        assertEquals(16, Files.size(p), "{} padded to 8 bytes");
        assertTrue(SafeTensors.read(p).isEmpty());
        Map<String, Tensor> zeros = new LinkedHashMap<>();
        zeros.put("a", Tensor.zeros(org.covidct.tensor.Device.CPU, 0));
        zeros.put("b", Tensor.zeros(org.covidct.tensor.Device.CPU, 4, 0));
        SafeTensors.write(p, zeros, Map.of());
        closeAll(zeros);
        Map<String, Tensor> back = SafeTensors.read(p);
        assertEquals(List.of("a", "b"), new ArrayList<>(back.keySet()));
        assertArrayEquals(new int[] {4, 0}, back.get("b").dims());
        closeAll(back);
    }

    @Test
    void writeRejectsTheReservedName() {
        try (Tensor t = Tensor.scalar(1f)) {
            assertThrows(IllegalArgumentException.class,
                    () -> SafeTensors.write(dir.resolve("m.safetensors"), Map.of("__metadata__", t), null));
        }
    }

    @Test
    void missingFileIsAWeightFileException() {
        WeightFileException e = assertThrows(WeightFileException.class,
                () -> SafeTensors.read(dir.resolve("absent.safetensors")));
        assertTrue(e.getMessage().contains("absent.safetensors"), e.getMessage());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}} | twice
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}} | overlap
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}} | gap
            {"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}} | needs 12
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,24]}} | needs 8
            {"a":{"dtype":"F32","shape":[6],"data_offsets":[0,24]}} | run past
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} | cover 8 bytes of a data section of 16
            {"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}} | unknown dtype 'Q7'
            {"a":{"dtype":"U8","shape":[16],"data_offsets":[0,16]}} | dtype U8 is not supported
            {"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}} | negative
            {"a":{"dtype":"F32","shape":[4.0],"data_offsets":[0,16]}} | other than an integer
            {"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16,16]}} | more than 2
            {"a":{"dtype":"F32","shape":[4],"data_offsets":[16,0]}} | end before they begin
            {"a":{"dtype":"F32","shape":[4],"data_offsets":[0,18446744073709551616]}} | too large integer
            {"a":{"dtype":"F32","shape":[2147483648,2],"data_offsets":[0,16]}} | too large
            {"a":{"dtype":"F32","shape":[65536,65536],"data_offsets":[0,16]}} | too many elements
            {"a":{"dtype":"F32","shape":[4]}} | lacks data_offsets
            {"a":{"shape":[4],"data_offsets":[0,16]}} | lacks dtype
            {"a":[1,2]} | not a JSON object
            [] | not a JSON object
            {"__metadata__":{"k":1},"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}} | not a string
            {"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}{} | content after
            {"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]} | not valid JSON
            {"a":{"dtype":"F32","shape":[[4]],"data_offsets":[0,16]}} | other than an integer
            """)
    void rejectsInvalidHeadersWithAMessage(String header, String expected) throws IOException {
        Path p = put("bad.safetensors", file(header, new byte[16]));
        WeightFileException e = assertThrows(WeightFileException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertThrows(WeightFileException.class, () -> SafeTensors.readMetadata(p));
    }

    @Test
    void rejectsBadHeaderLengths() throws IOException {
        byte[] ok = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertThrows(WeightFileException.class, () -> SafeTensors.read(put("short.safetensors", new byte[5])));
        for (long n : new long[] {-1L, Long.MIN_VALUE, 1L << 40, SafeTensors.MAX_HEADER_BYTES + 1, ok.length, 0}) {
            byte[] b = ok.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
            WeightFileException e = assertThrows(WeightFileException.class,
                    () -> SafeTensors.read(put("len.safetensors", b)), "declared " + n);
            assertTrue(e.getMessage().contains("len.safetensors:"), e.getMessage());
        }
        Map<String, Tensor> m = SafeTensors.read(put("fine.safetensors", ok));
        assertEquals(1, m.size());
        closeAll(m);
    }
}
