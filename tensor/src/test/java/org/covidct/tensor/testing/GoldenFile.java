package org.covidct.tensor.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.covidct.tensor.Tensor;

/**
 * A golden fixture written by {@code scripts/golden/goldfile.py}: named float32 tensors computed by
 * PyTorch. Format (little-endian): magic {@code CVCTGOLD}, uint32 version 1, uint32 entry count,
 * then per entry uint16 name length, UTF-8 name, uint8 rank, int32 dims[rank], float32
 * data[product of dims]. See {@code scripts/golden/README.md}.
 */
public final class GoldenFile {
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "CVCTGOLD".getBytes(StandardCharsets.US_ASCII);

    private record Entry(int[] dims, float[] data) {
    }

    private final String source;
    private final Map<String, Entry> entries;

    private GoldenFile(String source, Map<String, Entry> entries) {
        this.source = source;
        this.entries = entries;
    }

    /** Loads {@code resource} (an absolute classpath path such as {@code /golden/ops/relu.gold}). */
    public static GoldenFile load(String resource) {
        try (InputStream in = GoldenFile.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("golden file " + resource + " not found on the classpath"
                        + " (regenerate with scripts/golden/*.py?)");
            }
            return parse(resource, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("golden file " + resource + ": cannot read", e);
        }
    }

    /** Parses the bytes of a .gold file; {@code source} names it in error messages. */
    public static GoldenFile parse(String source, byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        String at = "header";
        try {
            byte[] magic = new byte[MAGIC.length];
            buf.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("golden file " + source + ": bad magic "
                        + Arrays.toString(magic) + ", expected \"CVCTGOLD\"");
            }
            int version = buf.getInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("golden file " + source + ": unsupported version "
                        + Integer.toUnsignedString(version) + ", expected " + VERSION);
            }
            long count = Integer.toUnsignedLong(buf.getInt());
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (long i = 0; i < count; i++) {
                at = "entry " + i + " of " + count;
                int nameLength = Short.toUnsignedInt(buf.getShort());
                byte[] nameBytes = new byte[nameLength];
                buf.get(nameBytes);
                String name = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(nameBytes)).toString();
                at = "entry " + i + " (\"" + name + "\")";
                int rank = Byte.toUnsignedInt(buf.get());
                int[] dims = new int[rank];
                long numel = 1;
                for (int d = 0; d < rank; d++) {
                    dims[d] = buf.getInt();
                    if (dims[d] < 0) {
                        throw new IllegalArgumentException("golden file " + source + ": " + at
                                + " has negative dimension " + dims[d]);
                    }
                    numel = Math.min(numel * dims[d], 1L << 32); // saturates: never overflows
                }
                if (numel * Float.BYTES > buf.remaining()) {
                    throw new IllegalArgumentException("golden file " + source + ": " + at + " of shape "
                            + Arrays.toString(dims) + " needs " + numel * Float.BYTES + " bytes but only "
                            + buf.remaining() + " remain");
                }
                float[] data = new float[(int) numel];
                buf.asFloatBuffer().get(data);
                buf.position(buf.position() + data.length * Float.BYTES);
                if (entries.put(name, new Entry(dims, data)) != null) {
                    throw new IllegalArgumentException("golden file " + source + ": duplicate entry \"" + name + "\"");
                }
            }
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException("golden file " + source + ": " + buf.remaining()
                        + " unexpected bytes after the last of " + count + " entries");
            }
            return new GoldenFile(source, Collections.unmodifiableMap(entries));
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("golden file " + source + ": truncated in " + at, e);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("golden file " + source + ": " + at + " has a name that is not UTF-8", e);
        }
    }

    /** Where this file came from (its classpath resource). */
    public String source() {
        return source;
    }

    /** Entry names in file order. */
    public Set<String> names() {
        return entries.keySet();
    }

    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /** A new CPU tensor holding the entry (the caller closes it). */
    public Tensor tensor(String name) {
        Entry e = entry(name);
        return Tensor.of(e.data(), e.dims());
    }

    /** A copy of the entry's values in row-major order. */
    public float[] floats(String name) {
        return entry(name).data().clone();
    }

    public int[] dims(String name) {
        return entry(name).dims().clone();
    }

    /** The value of a one-element entry. */
    public float scalar(String name) {
        Entry e = entry(name);
        if (e.data().length != 1) {
            throw new IllegalArgumentException("golden file " + source + ": entry \"" + name + "\" of shape "
                    + Arrays.toString(e.dims()) + " is not a scalar");
        }
        return e.data()[0];
    }

    /** The entry's values as integers; each must be an exact integer. */
    public int[] ints(String name) {
        float[] data = entry(name).data();
        int[] out = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            float v = data[i];
            if (v != Math.rint(v) || Math.abs(v) > (1 << 24)) {
                throw new IllegalArgumentException("golden file " + source + ": entry \"" + name + "\" element "
                        + i + " = " + v + " is not an integer");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("golden file " + source + " has no entry \"" + name
                    + "\"; it has " + entries.keySet());
        }
        return e;
    }

    @Override
    public String toString() {
        return "GoldenFile[" + source + ", " + entries.size() + " entries]";
    }
}
