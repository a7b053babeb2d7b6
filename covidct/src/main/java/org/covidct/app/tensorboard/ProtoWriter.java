package org.covidct.app.tensorboard;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The protobuf wire format, just the part event files need: varints, fixed 64- and 32-bit values and
 * length-delimited fields. Fields are written in the order called; callers decide, as proto3 does,
 * which default values to leave out.
 */
public final class ProtoWriter {
    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public ProtoWriter tag(int field, int wireType) {
        if (field < 1 || field > 0x1FFFFFFF) {
            throw new IllegalArgumentException("field number out of range: " + field);
        }
        return rawVarint(((long) field << 3) | wireType);
    }

    /** Unsigned base-128 varint; a negative value takes ten bytes, as int64 does on the wire. */
    public ProtoWriter rawVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    public ProtoWriter rawFixed64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    public ProtoWriter rawFixed32(int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (8 * i));
        }
        return this;
    }

    public ProtoWriter int64(int field, long v) {
        return tag(field, VARINT).rawVarint(v);
    }

    public ProtoWriter doubleField(int field, double v) {
        return tag(field, FIXED64).rawFixed64(Double.doubleToRawLongBits(v));
    }

    public ProtoWriter floatField(int field, float v) {
        return tag(field, FIXED32).rawFixed32(Float.floatToRawIntBits(v));
    }

    public ProtoWriter bytes(int field, byte[] v) {
        tag(field, LENGTH_DELIMITED).rawVarint(v.length);
        out.writeBytes(v);
        return this;
    }

    public ProtoWriter string(int field, String v) {
        return bytes(field, v.getBytes(StandardCharsets.UTF_8));
    }

    public ProtoWriter message(int field, ProtoWriter nested) {
        return bytes(field, nested.toByteArray());
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
