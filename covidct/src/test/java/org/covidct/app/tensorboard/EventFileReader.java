package org.covidct.app.tensorboard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Test-side reader of event files, written from the format and sharing no code with the writer:
 * splits the TFRecord framing, checks both CRCs, and decodes the Event protobuf fields that
 * scalar logging uses. Rejects unknown wire types and anything left over.
 */
final class EventFileReader {

    record Value(String tag, float simpleValue) {}

    /** One decoded event; fields absent on the wire keep their proto3 defaults. */
    record Event(double wallTime, long step, String fileVersion, List<Value> values, byte[] raw) {
        boolean hasSummary() {
            return fileVersion == null;
        }
    }

    static final class CorruptRecordException extends IOException {
        CorruptRecordException(String message) {
            super(message);
        }
    }

    static List<Event> read(Path file) throws IOException {
        return read(Files.readAllBytes(file));
    }

    static List<Event> read(byte[] bytes) throws IOException {
        List<Event> events = new ArrayList<>();
        for (byte[] data : records(bytes)) {
            events.add(decodeEvent(data));
        }
        return events;
    }

    /** The record payloads, each checked against its length CRC and data CRC. */
    static List<byte[]> records(byte[] bytes) throws CorruptRecordException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            if (b.remaining() < 12) {
                throw new CorruptRecordException("truncated header at " + start);
            }
            long length = b.getLong();
            int lengthCrc = b.getInt();
            if (lengthCrc != masked(bytes, start, 8)) {
                throw new CorruptRecordException("length CRC mismatch at " + start);
            }
            if (length < 0 || length > b.remaining() - 4) {
                throw new CorruptRecordException("truncated record at " + start);
            }
            byte[] data = new byte[(int) length];
            b.get(data);
            if (b.getInt() != masked(data, 0, data.length)) {
                throw new CorruptRecordException("data CRC mismatch at " + start);
            }
            out.add(data);
        }
        return out;
    }

    private static int masked(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        int crc = (int) c.getValue();
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    static Event decodeEvent(byte[] data) throws IOException {
        Wire w = new Wire(data);
        double wallTime = 0;
        long step = 0;
        String fileVersion = null;
        List<Value> values = new ArrayList<>();
        while (w.more()) {
            long key = w.varint();
            int field = (int) (key >>> 3), type = (int) (key & 7);
            switch (field) {
                case 1 -> wallTime = Double.longBitsToDouble(w.expect(type, 1).fixed64());
                case 2 -> step = w.expect(type, 0).varint();
                case 3 -> fileVersion = new String(w.expect(type, 2).lengthDelimited(), StandardCharsets.UTF_8);
                case 5 -> values.addAll(decodeSummary(w.expect(type, 2).lengthDelimited()));
                default -> throw new IOException("unexpected Event field " + field);
            }
        }
        return new Event(wallTime, step, fileVersion, values, data);
    }

    private static List<Value> decodeSummary(byte[] data) throws IOException {
        Wire w = new Wire(data);
        List<Value> values = new ArrayList<>();
        while (w.more()) {
            long key = w.varint();
            if (key >>> 3 != 1) {
                throw new IOException("unexpected Summary field " + (key >>> 3));
            }
            Wire v = new Wire(w.expect((int) (key & 7), 2).lengthDelimited());
            String tag = "";
            Float simple = null;
            while (v.more()) {
                long k = v.varint();
                switch ((int) (k >>> 3)) {
                    case 1 -> tag = new String(v.expect((int) (k & 7), 2).lengthDelimited(), StandardCharsets.UTF_8);
                    case 2 -> simple = Float.intBitsToFloat(v.expect((int) (k & 7), 5).fixed32());
                    default -> throw new IOException("unexpected Summary.Value field " + (k >>> 3));
                }
            }
            if (simple == null) {
                throw new IOException("Summary.Value without simple_value");
            }
            values.add(new Value(tag, simple));
        }
        return values;
    }

    private static final class Wire {
        private final byte[] b;
        private int pos;

        Wire(byte[] b) {
            this.b = b;
        }

        boolean more() {
            return pos < b.length;
        }

        Wire expect(int actual, int wanted) throws IOException {
            if (actual != wanted) {
                throw new IOException("wire type " + actual + ", expected " + wanted);
            }
            return this;
        }

        long varint() throws IOException {
            long v = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                if (pos >= b.length) {
                    throw new IOException("truncated varint");
                }
                int x = b[pos++] & 0xFF;
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new IOException("varint longer than 10 bytes");
        }

        long fixed64() throws IOException {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v |= (long) (b[pos++] & 0xFF) << (8 * i);
            }
            return v;
        }

        int fixed32() throws IOException {
            need(4);
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v |= (b[pos++] & 0xFF) << (8 * i);
            }
            return v;
        }

        byte[] lengthDelimited() throws IOException {
            long n = varint();
            if (n < 0 || n > b.length - pos) {
                throw new IOException("length " + n + " past the end");
            }
            byte[] out = new byte[(int) n];
            System.arraycopy(b, pos, out, 0, (int) n);
            pos += (int) n;
            return out;
        }

        private void need(int n) throws IOException {
            if (b.length - pos < n) {
                throw new IOException("truncated field");
            }
        }
    }
}
