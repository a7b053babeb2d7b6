package org.covidct.nn.io.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small FlatBuffer writer for test files, independent of the reader: objects are laid out
 * parent first (each table after its vtable, children after their parent), so every unsigned
 * offset points forward, as the format requires. A node used more than once is written once and
 * referred to from every later place, as a hostile file may do.
 */
final class FlatBufferWriter {
    /** Something that can be written. */
    sealed interface Node permits Table, Vector, Str {
    }

    /** A table; field i holds a scalar (little-endian bytes) or a child node, or nothing. */
    static final class Table implements Node {
        private final List<Object> fields = new ArrayList<>();

        Table set(int index, Object value) {
            while (fields.size() <= index) {
                fields.add(null);
            }
            fields.set(index, value);
            return this;
        }

        Table int8(int index, int v) {
            return set(index, new byte[] {(byte) v});
        }

        Table int32(int index, int v) {
            return set(index, le(4).putInt(v).array());
        }

        Table child(int index, Node node) {
            return set(index, node);
        }
    }

    /** A vector of scalars (raw little-endian bytes, {@code width} per element) or of tables. */
    record Vector(byte[] scalars, int width, List<Table> tables) implements Node {
        static Vector ints(int... v) {
            ByteBuffer b = le(4 * v.length);
            for (int x : v) {
                b.putInt(x);
            }
            return new Vector(b.array(), 4, null);
        }

        static Vector longs(long... v) {
            ByteBuffer b = le(8 * v.length);
            for (long x : v) {
                b.putLong(x);
            }
            return new Vector(b.array(), 8, null);
        }

        static Vector floats(float... v) {
            ByteBuffer b = le(4 * v.length);
            for (float x : v) {
                b.putFloat(x);
            }
            return new Vector(b.array(), 4, null);
        }

        static Vector bytes(byte[] v) {
            return new Vector(v.clone(), 1, null);
        }

        static Vector of(List<Table> tables) {
            return new Vector(null, 4, List.copyOf(tables));
        }
    }

    record Str(String value) implements Node {
    }

    private ByteBuffer out = le(1024);
    private final Map<Node, Integer> written = new IdentityHashMap<>();

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The file: a root offset, the 4-byte identifier, then the root table and everything below it. */
    static byte[] write(Table root, String identifier) {
        FlatBufferWriter w = new FlatBufferWriter();
        w.reserve(8);
        w.out.position(4);
        w.out.put(identifier.getBytes(StandardCharsets.US_ASCII));
        int pos = w.node(root);
        w.out.putInt(0, pos);
        byte[] result = new byte[w.out.position()];
        w.out.get(0, result);
        return result;
    }

    private void reserve(int n) {
        if (out.remaining() < n) {
            ByteBuffer bigger = le(Math.max(2 * out.capacity(), out.position() + n));
            bigger.put(out.array(), 0, out.position());
            out = bigger;
        }
    }

    private void align(int n) {
        while (out.position() % n != 0) {
            reserve(1);
            out.put((byte) 0);
        }
    }

    /** Where {@code node} lies: where it was written before if that is past {@code at}, else written now. */
    private int place(Node node, int at) {
        Integer before = written.get(node);
        if (before != null && before > at) {
            return before;
        }
        int pos = node(node);
        written.put(node, pos);
        return pos;
    }

    private int node(Node node) {
        return switch (node) {
            case Table t -> table(t);
            case Vector v -> vector(v);
            case Str s -> string(s.value());
        };
    }

    private int table(Table t) {
        int n = t.fields.size();
        int[] offsets = new int[n];
        int size = 4;
        for (int i = 0; i < n; i++) {
            Object f = t.fields.get(i);
            if (f != null) {
                int width = f instanceof byte[] b ? b.length : 4;
                size = (size + width - 1) / width * width;
                offsets[i] = size;
                size += width;
            }
        }
        align(2);
        reserve(4 + 2 * n);
        int vtable = out.position();
        out.putShort((short) (4 + 2 * n)).putShort((short) size);
        for (int off : offsets) {
            out.putShort((short) off);
        }
        align(8);
        int pos = out.position();
        reserve(size);
        out.putInt(pos - vtable);
        out.put(new byte[size - 4]);
        for (int i = 0; i < n; i++) {
            if (t.fields.get(i) instanceof byte[] b) {
                out.put(pos + offsets[i], b);
            }
        }
        for (int i = 0; i < n; i++) {
            if (t.fields.get(i) instanceof Node child) {
                int at = pos + offsets[i];
                int target = place(child, at); // may grow (replace) the buffer, so written after
                out.putInt(at, target - at);
            }
        }
        return pos;
    }

    private int vector(Vector v) {
        align(Math.max(4, v.width()));
        if (v.width() == 8) { // the elements, after the 4-byte length, must be 8-aligned
            reserve(4);
            out.putInt(0);
        }
        int pos = out.position();
        if (v.tables() == null) {
            reserve(4 + v.scalars().length);
            out.putInt(v.scalars().length / v.width()).put(v.scalars());
            return pos;
        }
        int count = v.tables().size();
        reserve(4 + 4 * count);
        out.putInt(count);
        out.put(new byte[4 * count]);
        for (int i = 0; i < count; i++) {
            int at = pos + 4 + 4 * i;
            int target = place(v.tables().get(i), at);
            out.putInt(at, target - at);
        }
        return pos;
    }

    private int string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        align(4);
        int pos = out.position();
        reserve(5 + b.length);
        out.putInt(b.length).put(b).put((byte) 0);
        return pos;
    }
}
