package org.covidct.nn.io.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds pickle byte sequences opcode by opcode, for tests that need exact or hostile pickles. */
public final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static PickleBytes proto2() {
        return new PickleBytes().op(0x80).u8(2);
    }

    public PickleBytes op(int opcode) {
        out.write(opcode);
        return this;
    }

    public PickleBytes u8(int v) {
        out.write(v);
        return this;
    }

    public PickleBytes raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public PickleBytes i32(int v) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    public PickleBytes i64(long v) {
        return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    /** BININT1, BININT2 or BININT as Python's pickler picks them for a non-negative int; BININT otherwise. */
    public PickleBytes integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K').u8((int) v);
        }
        if (v >= 0 && v < 65536) {
            return op('M').u8((int) v & 0xff).u8((int) (v >>> 8));
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return op('J').i32((int) v);
        }
        return op(0x8a).u8(8).i64(v);
    }

    /** BINUNICODE. */
    public PickleBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return op('X').i32(b.length).raw(b);
    }

    /** GLOBAL module\nname\n. */
    public PickleBytes global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public PickleBytes stop() {
        return op('.');
    }

    public byte[] bytes() {
        return out.toByteArray();
    }
}
