package org.covidct.nn.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.covidct.tensor.Tensor;

/**
 * Hugging Face's safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * naming each tensor's dtype, shape and byte range, then the raw little-endian data. Reading
 * memory-maps the file and copies each tensor out in bulk; F32 is taken as is and F16, BF16, F64,
 * I64 and I32 are converted to float32. Every header field is checked against the file before any
 * data is touched, so a damaged or hostile file ends in a {@link WeightFileException}. Writing
 * produces F32 tensors, atomically.
 */
public final class SafeTensors {
    /** The reference implementation's cap on the header; larger ones are refused before reading. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The reserved header key holding string metadata. */
    public static final String METADATA_KEY = "__metadata__";
    /** Far above any real tensor; keeps a hostile header from costing memory per dimension. */
    static final int MAX_RANK = 64;
    /** The largest float[] a CPU tensor can hold. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Elements converted per step, so non-F32 dtypes need no second full-size array. */
    private static final int CHUNK = 1 << 16;

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Dtypes of the format that this reader does not convert; named in the error. */
    private static final Set<String> UNSUPPORTED = Set.of("BOOL", "U8", "I8", "U16", "I16", "U32", "U64",
            "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64");

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxDocumentLength(MAX_HEADER_BYTES)
                    .maxStringLength((int) MAX_HEADER_BYTES)
                    .maxNameLength((int) MAX_HEADER_BYTES)
                    .maxNestingDepth(4)
                    .maxNumberLength(64)
                    .build())
            .build();

    private enum DType {
        F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4);

        final int size;

        DType(int size) {
            this.size = size;
        }
    }

    private record Entry(String name, DType dtype, int[] dims, long numel, long begin, long end) {
    }

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart, long dataLength) {
    }

    private SafeTensors() {
    }

    /** A file's tensors and its header's metadata, read in one pass. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    /**
     * Every tensor of the file as a CPU float32 tensor, ordered by position in the data section.
     * The caller owns (closes) the tensors.
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return readContents(file).tensors();
    }

    /** The tensors, as {@link #read}, together with the metadata, as {@link #readMetadata}. */
    public static Contents readContents(Path file) throws IOException {
        try (FileChannel ch = open(file); Arena arena = Arena.ofConfined()) {
            Header header = parseHeader(ch, file);
            MemorySegment data = header.dataLength == 0 ? MemorySegment.NULL
                    : ch.map(FileChannel.MapMode.READ_ONLY, header.dataStart, header.dataLength, arena);
            Map<String, Tensor> out = new LinkedHashMap<>();
            try {
                for (Entry e : header.entries) {
                    out.put(e.name, Tensor.of(decode(data, e), e.dims));
                }
            } catch (RuntimeException | Error failure) {
                out.values().forEach(Tensor::close);
                throw failure;
            }
            return new Contents(out, header.metadata);
        }
    }

    /** The string metadata of the file's header (empty if it has none), after validating the header. */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            return parseHeader(ch, file).metadata;
        }
    }

    /**
     * Writes {@code tensors} as F32, in the map's order, with optional string {@code metadata}
     * (may be null). The file is replaced atomically: a failure leaves any old file untouched.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, Tensor>> items = new ArrayList<>(tensors.entrySet());
        for (Map.Entry<String, Tensor> e : items) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("SafeTensors.write: null tensor name or tensor");
            }
            if (e.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("SafeTensors.write: '" + METADATA_KEY + "' is reserved");
            }
        }
        byte[] header = headerBytes(items, metadata);
        AtomicFile.write(file, out -> {
            try (Arena arena = Arena.ofConfined()) {
                ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(out, prefix);
                writeFully(out, ByteBuffer.wrap(header));
                MemorySegment chunk = arena.allocate((long) CHUNK * Float.BYTES);
                for (Map.Entry<String, Tensor> e : items) {
                    float[] values = e.getValue().toArray();
                    for (int off = 0; off < values.length; off += CHUNK) {
                        int n = Math.min(CHUNK, values.length - off);
                        MemorySegment.copy(values, off, chunk, F32_LE, 0, n);
                        writeFully(out, chunk.asSlice(0, (long) n * Float.BYTES).asByteBuffer());
                    }
                }
            }
        });
    }

    private static byte[] headerBytes(List<Map.Entry<String, Tensor>> items, Map<String, String> metadata)
            throws IOException {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(json, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (metadata != null && !metadata.isEmpty()) {
                g.writeObjectFieldStart(METADATA_KEY);
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    if (m.getKey() == null || m.getValue() == null) {
                        throw new IllegalArgumentException("SafeTensors.write: null metadata key or value");
                    }
                    g.writeStringField(m.getKey(), m.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, Tensor> e : items) {
                Tensor t = e.getValue();
                long end = offset + t.numel() * Float.BYTES;
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("dtype", DType.F32.name());
                g.writeArrayFieldStart("shape");
                for (int d : t.dims()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(end);
                g.writeEndArray();
                g.writeEndObject();
                offset = end;
            }
            g.writeEndObject();
        }
        // The reference implementation pads with spaces so that the data starts 8-byte aligned.
        int padding = (8 - json.size() % 8) % 8;
        for (int i = 0; i < padding; i++) {
            json.write(' ');
        }
        return json.toByteArray();
    }

    private static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new WeightFileException(file + ": no such file", e);
        } catch (FileSystemException e) {
            throw new WeightFileException(file + ": cannot open" + (e.getReason() == null ? "" : ": " + e.getReason()), e);
        }
    }

    private static WeightFileException bad(Path file, String problem) {
        return new WeightFileException(file + ": " + problem);
    }

    private static Header parseHeader(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw bad(file, "file of " + size + " bytes is too short for a safetensors header");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, prefix, 0, file);
        long n = prefix.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw bad(file, "declared header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        if (n > size - 8) {
            throw bad(file, "declared header length " + n + " runs past the end of the file (" + size + " bytes)");
        }
        ByteBuffer json = ByteBuffer.allocate((int) n);
        readFully(ch, json, 8, file);
        long dataStart = 8 + n;
        Header h = parseJson(json.array(), file, dataStart, size - dataStart);
        return new Header(inFileOrder(h, file), h.metadata, h.dataStart, h.dataLength);
    }

    private static Header parseJson(byte[] json, Path file, long dataStart, long dataLength) throws WeightFileException {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw bad(file, "header is not a JSON object");
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!names.add(name)) {
                    throw bad(file, "header names '" + clip(name) + "' twice");
                }
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw bad(file, "header entry '" + clip(name) + "' is not a JSON object");
                }
                if (name.equals(METADATA_KEY)) {
                    parseMetadata(p, file, metadata);
                } else {
                    entries.add(parseEntry(p, name, file));
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw bad(file, "header is not a JSON object");
            }
            if (p.nextToken() != null) {
                throw bad(file, "header has content after its JSON object");
            }
        } catch (WeightFileException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new WeightFileException(file + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new WeightFileException(file + ": header cannot be parsed: " + e.getMessage(), e);
        }
        return new Header(entries, Collections.unmodifiableMap(metadata), dataStart, dataLength);
    }

    private static void parseMetadata(JsonParser p, Path file, Map<String, String> metadata) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw bad(file, "metadata value of '" + clip(key) + "' is not a string");
            }
            if (metadata.put(key, p.getText()) != null) {
                throw bad(file, "metadata names '" + clip(key) + "' twice");
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw bad(file, "metadata is not a JSON object");
        }
    }

    private static Entry parseEntry(JsonParser p, String name, Path file) throws IOException {
        String where = "tensor '" + clip(name) + "'";
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (dtypeName != null) {
                        throw bad(file, where + " has two dtypes");
                    }
                    if (value != JsonToken.VALUE_STRING) {
                        throw bad(file, where + ": dtype is not a string");
                    }
                    dtypeName = p.getText();
                }
                case "shape" -> {
                    if (shape != null) {
                        throw bad(file, where + " has two shapes");
                    }
                    shape = readInts(p, value, file, where + ": shape", MAX_RANK);
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw bad(file, where + " has two data_offsets");
                    }
                    offsets = readInts(p, value, file, where + ": data_offsets", 2);
                    if (offsets.length != 2) {
                        throw bad(file, where + ": data_offsets must hold two numbers, not " + offsets.length);
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw bad(file, where + " is not a JSON object");
        }
        if (dtypeName == null || shape == null || offsets == null) {
            throw bad(file, where + " lacks " + (dtypeName == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        DType dtype = dtype(dtypeName, file, where);
        int[] dims = new int[shape.length];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw bad(file, where + ": dimension " + shape[i] + " is too large");
            }
            dims[i] = (int) shape[i];
            numel *= shape[i]; // cannot overflow: both factors are below 2^31
            if (numel > MAX_ELEMENTS) {
                throw bad(file, where + ": shape " + Arrays.toString(shape) + " has too many elements for a tensor");
            }
        }
        if (offsets[0] > offsets[1]) {
            throw bad(file, where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        long expected = numel * dtype.size;
        if (offsets[1] - offsets[0] != expected) {
            throw bad(file, where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] span "
                    + (offsets[1] - offsets[0]) + " bytes but " + dtype + " shape " + Arrays.toString(shape)
                    + " needs " + expected);
        }
        return new Entry(name, dtype, dims, numel, offsets[0], offsets[1]);
    }

    private static DType dtype(String name, Path file, String where) throws WeightFileException {
        for (DType d : DType.values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        if (UNSUPPORTED.contains(name)) {
            throw bad(file, where + ": dtype " + name + " is not supported (F32, F16, BF16, F64, I64 and I32 are)");
        }
        throw bad(file, where + ": unknown dtype '" + clip(name) + "'");
    }

    /** A JSON array of non-negative integers that fit in a long, at most {@code max} of them. */
    private static long[] readInts(JsonParser p, JsonToken start, Path file, String what, int max) throws IOException {
        if (start != JsonToken.START_ARRAY) {
            throw bad(file, what + " is not an array");
        }
        long[] values = new long[Math.min(max, 8)];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw bad(file, what + " holds something other than an integer");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw bad(file, what + " holds the too large integer " + clip(p.getText()));
            }
            long v = p.getLongValue();
            if (v < 0) {
                throw bad(file, what + " holds the negative number " + v);
            }
            if (n == max) {
                throw bad(file, what + " holds more than " + max + " numbers");
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, Math.min(max, 2 * n));
            }
            values[n++] = v;
        }
        return Arrays.copyOf(values, n);
    }

    /** The spec: the byte ranges must tile the data section exactly, without gaps or overlaps. */
    private static List<Entry> inFileOrder(Header h, Path file) throws WeightFileException {
        List<Entry> sorted = new ArrayList<>(h.entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : sorted) {
            if (e.end > h.dataLength) {
                throw bad(file, "tensor '" + clip(e.name) + "': data_offsets [" + e.begin + ", " + e.end
                        + "] run past the data section of " + h.dataLength + " bytes");
            }
            if (e.begin != expected) {
                throw bad(file, "tensor '" + clip(e.name) + "': data_offsets [" + e.begin + ", " + e.end + "] "
                        + (e.begin < expected ? "overlap the previous tensor" : "leave a gap")
                        + " (expected to begin at " + expected + ")");
            }
            expected = e.end;
        }
        if (expected != h.dataLength) {
            throw bad(file, "tensors cover " + expected + " bytes of a data section of " + h.dataLength + " bytes");
        }
        return sorted;
    }

    private static float[] decode(MemorySegment data, Entry e) {
        int n = (int) e.numel;
        float[] out = new float[n];
        long base = e.begin;
        switch (e.dtype) {
            case F32 -> MemorySegment.copy(data, F32_LE, base, out, 0, n);
            case F16, BF16 -> {
                short[] buf = new short[Math.min(n, CHUNK)];
                boolean half = e.dtype == DType.F16;
                for (int off = 0; off < n; off += CHUNK) {
                    int len = Math.min(CHUNK, n - off);
                    MemorySegment.copy(data, I16_LE, base + 2L * off, buf, 0, len);
                    for (int i = 0; i < len; i++) {
                        out[off + i] = half ? Float.float16ToFloat(buf[i]) : Float.intBitsToFloat(buf[i] << 16);
                    }
                }
            }
            case F64 -> {
                double[] buf = new double[Math.min(n, CHUNK)];
                for (int off = 0; off < n; off += CHUNK) {
                    int len = Math.min(CHUNK, n - off);
                    MemorySegment.copy(data, F64_LE, base + 8L * off, buf, 0, len);
                    for (int i = 0; i < len; i++) {
                        out[off + i] = (float) buf[i];
                    }
                }
            }
            case I64 -> {
                long[] buf = new long[Math.min(n, CHUNK)];
                for (int off = 0; off < n; off += CHUNK) {
                    int len = Math.min(CHUNK, n - off);
                    MemorySegment.copy(data, I64_LE, base + 8L * off, buf, 0, len);
                    for (int i = 0; i < len; i++) {
                        out[off + i] = buf[i];
                    }
                }
            }
            case I32 -> {
                int[] buf = new int[Math.min(n, CHUNK)];
                for (int off = 0; off < n; off += CHUNK) {
                    int len = Math.min(CHUNK, n - off);
                    MemorySegment.copy(data, I32_LE, base + 4L * off, buf, 0, len);
                    for (int i = 0; i < len; i++) {
                        out[off + i] = buf[i];
                    }
                }
            }
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position, Path file) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) {
                throw bad(file, "file ended while reading its header");
            }
            pos += r;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            ch.write(src);
        }
    }

    /** Names in messages are cut short, so that a hostile header cannot flood a log. */
    private static String clip(String s) {
        String oneLine = s.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }
}
