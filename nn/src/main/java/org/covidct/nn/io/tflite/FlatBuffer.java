package org.covidct.nn.io.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A bounds-checked reader of the FlatBuffer binary format, as much of it as TFLite files need:
 * tables (a signed offset to a vtable of 16-bit field offsets), scalar fields with defaults, and
 * offsets to sub-tables, vectors and strings. Every offset and length is checked against the
 * buffer before it is followed, so a corrupt file ends in a {@link FlatBufferException}, never in
 * an out-of-bounds read, a huge allocation or a loop.
 *
 * <p>Offsets may point many times at one table or vector, so a small file can describe far more
 * than it holds. Two defences: a vector decoded once is shared by every later reader of it (its
 * array must not be modified), and every table opened and every value read is charged to a work
 * budget proportional to the file's size, which a file that refers to the same data over and
 * over exhausts.
 */
final class FlatBuffer {
    /**
     * A file that shares nothing holds every value it describes, each in a byte or more (a table in
     * four or more), so it needs at most one unit per byte; the rest is room for what a builder
     * may share, such as strings.
     */
    private static final long WORK_PER_BYTE = 4;
    private static final long BASE_WORK = 1 << 20;

    private final ByteBuffer buf;
    private final long workBudget;
    private long workLeft;
    private final Map<Decoded, Object> decoded = new HashMap<>();

    /** A decoded vector's position and what it was decoded as. */
    private record Decoded(int start, Class<?> kind) {
    }

    FlatBuffer(ByteBuffer bytes) {
        this.buf = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.workBudget = WORK_PER_BYTE * buf.limit() + BASE_WORK;
        this.workLeft = workBudget;
    }

    int size() {
        return buf.limit();
    }

    /** The four bytes after the root offset, where a file identifier ("TFL3") sits. */
    String identifier() {
        check(4, 4, "file identifier");
        byte[] id = new byte[4];
        buf.get(4, id);
        return new String(id, StandardCharsets.ISO_8859_1);
    }

    Table root() {
        return table(uoffset(0, "root table"), "root table");
    }

    /** The absolute position an unsigned 32-bit offset stored at {@code at} points to. */
    private int uoffset(int at, String what) {
        check(at, 4, what);
        long target = at + Integer.toUnsignedLong(buf.getInt(at));
        if (target >= buf.limit()) {
            throw new FlatBufferException(what + " at byte " + at + " points to " + target + ", past the end ("
                    + buf.limit() + " bytes)");
        }
        return (int) target;
    }

    private Table table(int pos, String what) {
        charge(1, what);
        check(pos, 4, what);
        long vtable = pos - (long) buf.getInt(pos);
        if (vtable < 0 || vtable + 4 > buf.limit()) {
            throw new FlatBufferException(what + " at byte " + pos + " has its vtable at " + vtable
                    + ", outside the file");
        }
        int vtableSize = Short.toUnsignedInt(buf.getShort((int) vtable));
        int tableSize = Short.toUnsignedInt(buf.getShort((int) vtable + 2));
        if (vtableSize < 4 || vtableSize % 2 != 0 || vtable + vtableSize > buf.limit() || tableSize < 4
                || pos + (long) tableSize > buf.limit()) {
            throw new FlatBufferException(what + " at byte " + pos + " has a malformed vtable (size " + vtableSize
                    + ", table size " + tableSize + ")");
        }
        return new Table(pos, (int) vtable, vtableSize, tableSize, what);
    }

    private void charge(long work, String what) {
        workLeft -= work;
        if (workLeft < 0) {
            throw new FlatBufferException(what + " asks for more work than the file's size allows (a budget of "
                    + workBudget + " tables and values read for " + buf.limit() + " bytes): it refers to the same"
                    + " data over and over");
        }
    }

    /** The vector decoded as {@code kind}, charged in full but decoded only the first time it is read. */
    private <T> T shared(Vector v, Class<T> kind, String what, Supplier<T> decode) {
        charge(v.length(), what);
        Decoded key = new Decoded(v.start(), kind);
        Object known = decoded.get(key);
        if (known != null) {
            return kind.cast(known);
        }
        T value = decode.get();
        decoded.put(key, value);
        return value;
    }

    private void check(long at, long length, String what) {
        if (at < 0 || length < 0 || at + length > buf.limit()) {
            throw new FlatBufferException(what + ": bytes " + at + " to " + (at + length) + " lie outside the file ("
                    + buf.limit() + " bytes)");
        }
    }

    /** A vector's element count and the position of its first element. */
    record Vector(int start, int length) {
    }

    /** One table: its fields are numbered in schema order from 0; a union takes two (type, value). */
    final class Table {
        private final int pos;
        private final int vtable;
        private final int vtableSize;
        private final int tableSize;
        private final String what;

        private Table(int pos, int vtable, int vtableSize, int tableSize, String what) {
            this.pos = pos;
            this.vtable = vtable;
            this.vtableSize = vtableSize;
            this.tableSize = tableSize;
            this.what = what;
        }

        /** The field's position, or -1 when it is absent (so its default applies). */
        private int field(int index, int width) {
            int slot = 4 + 2 * index;
            if (slot + 2 > vtableSize) {
                return -1;
            }
            int offset = Short.toUnsignedInt(buf.getShort(vtable + slot));
            if (offset == 0) {
                return -1;
            }
            if (offset + width > tableSize) {
                throw new FlatBufferException(what + " field " + index + " at offset " + offset
                        + " lies outside its table of " + tableSize + " bytes");
            }
            return pos + offset;
        }

        boolean has(int index) {
            return field(index, 1) >= 0;
        }

        byte int8(int index, byte fallback) {
            int at = field(index, 1);
            return at < 0 ? fallback : buf.get(at);
        }

        int int32(int index, int fallback) {
            int at = field(index, 4);
            return at < 0 ? fallback : buf.getInt(at);
        }

        Table table(int index, String child) {
            int at = field(index, 4);
            return at < 0 ? null : FlatBuffer.this.table(uoffset(at, what + "." + child), what + "." + child);
        }

        /** The vector in field {@code index} of elements {@code elementSize} bytes wide; empty when absent. */
        Vector vector(int index, int elementSize, String child) {
            int at = field(index, 4);
            if (at < 0) {
                return new Vector(0, 0);
            }
            int start = uoffset(at, what + "." + child);
            check(start, 4, what + "." + child + " length");
            long length = Integer.toUnsignedLong(buf.getInt(start));
            check(start + 4L, length * elementSize, what + "." + child + " of " + length + " elements");
            return new Vector(start + 4, (int) length);
        }

        /** The int vector in field {@code index}, shared with other readers of it. */
        int[] ints(int index, String child) {
            Vector v = vector(index, 4, child);
            return shared(v, int[].class, what + "." + child, () -> {
                int[] out = new int[v.length()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = buf.getInt(v.start() + 4 * i);
                }
                return out;
            });
        }

        /** The long vector in field {@code index}, shared with other readers of it. */
        long[] longs(int index, String child) {
            Vector v = vector(index, 8, child);
            return shared(v, long[].class, what + "." + child, () -> {
                long[] out = new long[v.length()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = buf.getLong(v.start() + 8 * i);
                }
                return out;
            });
        }

        /** The float vector in field {@code index}, shared with other readers of it. */
        float[] floats(int index, String child) {
            Vector v = vector(index, 4, child);
            return shared(v, float[].class, what + "." + child, () -> {
                float[] out = new float[v.length()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = buf.getFloat(v.start() + 4 * i);
                }
                return out;
            });
        }

        /** A view of a byte vector (a buffer's data), not a copy. */
        ByteBuffer bytes(int index, String child) {
            Vector v = vector(index, 1, child);
            return buf.slice(v.start(), v.length()).order(ByteOrder.LITTLE_ENDIAN);
        }

        String string(int index, String child) {
            Vector v = vector(index, 1, child);
            return shared(v, String.class, what + "." + child, () -> {
                try {
                    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(buf.slice(v.start(), v.length()))
                            .toString();
                } catch (CharacterCodingException e) {
                    throw new FlatBufferException(what + "." + child + " is not UTF-8");
                }
            });
        }

        /** Element {@code i} of a vector of tables. */
        Table tableAt(Vector v, int i, String child) {
            return FlatBuffer.this.table(uoffset(v.start() + 4 * i, what + "." + child + "[" + i + "]"),
                    what + "." + child + "[" + i + "]");
        }
    }
}
