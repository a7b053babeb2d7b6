package org.covidct.nn.io.pickle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.covidct.nn.io.WeightFileException;

/**
 * Bounds-checked reads from a pickle's bytes. Every length is checked against the bytes that are
 * really there before anything is allocated, and every read moves forward.
 */
final class PickleInput {
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_BE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final String source;
    private final MemorySegment data;
    private final long end;
    private long pos;
    /** Offset of the opcode being decoded, for messages. */
    private long opcodeStart;

    PickleInput(String source, MemorySegment data, long start) {
        if (start < 0 || start > data.byteSize()) {
            throw new IllegalArgumentException("start " + start + " outside " + data.byteSize() + " bytes");
        }
        this.source = source;
        this.data = data;
        this.end = data.byteSize();
        this.pos = start;
    }

    long position() {
        return pos;
    }

    long remaining() {
        return end - pos;
    }

    long opcodeStart() {
        return opcodeStart;
    }

    /** Reads the next opcode byte, or fails with "pickle ends without STOP". */
    int opcode() throws WeightFileException {
        opcodeStart = pos;
        if (pos >= end) {
            throw error("pickle data ends at offset " + pos + " without a STOP opcode");
        }
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, pos++));
    }

    private void need(long n, String what) throws WeightFileException {
        if (n < 0 || n > end - pos) {
            throw error("truncated pickle: " + what + " at offset " + pos + " needs " + n + " bytes but "
                    + (end - pos) + " remain");
        }
    }

    int u8(String what) throws WeightFileException {
        need(1, what);
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, pos++));
    }

    int u16(String what) throws WeightFileException {
        need(2, what);
        int v = Short.toUnsignedInt(data.get(U16, pos));
        pos += 2;
        return v;
    }

    int s32(String what) throws WeightFileException {
        need(4, what);
        int v = data.get(I32, pos);
        pos += 4;
        return v;
    }

    long u32(String what) throws WeightFileException {
        return Integer.toUnsignedLong(s32(what));
    }

    long s64(String what) throws WeightFileException {
        need(8, what);
        long v = data.get(I64, pos);
        pos += 8;
        return v;
    }

    double f64be(String what) throws WeightFileException {
        need(8, what);
        double v = data.get(F64_BE, pos);
        pos += 8;
        return v;
    }

    /** Skips {@code n} bytes after checking they are there. */
    void skip(long n, String what) throws WeightFileException {
        need(n, what);
        pos += n;
    }

    /** Reads {@code n} bytes; {@code n} comes from the file, so it is checked before the array exists. */
    byte[] bytes(long n, String what) throws WeightFileException {
        if (n < 0) {
            throw error(what + " at offset " + pos + " has negative length " + n);
        }
        need(n, what);
        if (n > MAX_ARRAY) {
            throw error(what + " at offset " + pos + " has length " + n + ", more than a Java array holds");
        }
        byte[] out = new byte[(int) n];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, pos, out, 0, out.length);
        pos += n;
        return out;
    }

    String utf8(long n, String what) throws WeightFileException {
        long at = pos;
        byte[] b = bytes(n, what);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw error(what + " at offset " + at + " is not valid UTF-8");
        }
    }

    /** A newline-terminated text argument of at most {@code maxLength} bytes, without the newline. */
    String line(int maxLength, String what) throws WeightFileException {
        long start = pos;
        long limit = Math.min(end, start + maxLength + 1);
        for (long p = start; p < limit; p++) {
            if (data.get(ValueLayout.JAVA_BYTE, p) == '\n') {
                String s = utf8(p - start, what);
                pos = p + 1;
                return s;
            }
        }
        if (limit == end) {
            throw error("truncated pickle: " + what + " at offset " + start + " has no terminating newline");
        }
        throw error(what + " at offset " + start + " is longer than " + maxLength + " bytes");
    }

    WeightFileException error(String message) {
        return new WeightFileException(source + ": " + message);
    }
}
