package org.covidct.app.tensorboard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.covidct.app.io.AtomicOutput;

/**
 * Cuts a log directory back to the steps before a resumed run's first, as TensorBoard itself purges
 * the events of an interrupted session on a restart: without it, the epochs an interrupted attempt
 * logged after its last checkpoint are logged again (steps 0, 1, 2, 2, 3, ...). A record the kill
 * cut short is dropped with everything after it.
 */
public final class EventTruncation {
    private static final int FRAMING_BYTES = 8 + 4 + 4;
    private static final int STEP_FIELD = 2;
    private static final int SUMMARY_FIELD = 5;

    private EventTruncation() {
    }

    /** Rewrites each event file under {@code logDir} without its summaries at steps {@code fromStep} and later. */
    public static void truncate(Path logDir, long fromStep) throws IOException {
        if (!Files.isDirectory(logDir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(logDir)) {
            files = walk.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().contains("tfevents"))
                    .toList();
        }
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            byte[] kept = keptRecords(bytes, fromStep);
            if (kept.length != bytes.length) {
                AtomicOutput.bytes(file, kept);
            }
        }
    }

    /** The whole, intact records of {@code bytes} that are not summaries at {@code fromStep} or later. */
    static byte[] keptRecords(byte[] bytes, long fromStep) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream kept = new ByteArrayOutputStream(bytes.length);
        while (in.remaining() >= FRAMING_BYTES) {
            int start = in.position();
            long length = in.getLong(start);
            if (in.getInt(start + 8) != TfRecord.maskedCrc32c(bytes, start, 8)
                    || length > in.remaining() - FRAMING_BYTES) {
                break;
            }
            int data = start + 12;
            int end = data + (int) length;
            if (in.getInt(end) != TfRecord.maskedCrc32c(bytes, data, (int) length)) {
                break;
            }
            if (!isSummaryFrom(bytes, data, end, fromStep)) {
                kept.write(bytes, start, end + 4 - start);
            }
            in.position(end + 4);
        }
        return kept.toByteArray();
    }

    /** Whether the Event in {@code bytes[from, to)} holds a summary at {@code fromStep} or later. */
    private static boolean isSummaryFrom(byte[] bytes, int from, int to, long fromStep) {
        long step = 0;
        boolean summary = false;
        int[] at = {from};
        while (at[0] < to) {
            long key = varint(bytes, at);
            int field = (int) (key >>> 3);
            switch ((int) (key & 7)) {
                case 0 -> {
                    long value = varint(bytes, at);
                    if (field == STEP_FIELD) {
                        step = value;
                    }
                }
                case 1 -> at[0] += 8;
                case 2 -> {
                    long length = varint(bytes, at);
                    summary |= field == SUMMARY_FIELD;
                    at[0] += (int) length;
                }
                case 5 -> at[0] += 4;
                default -> {
                    return false; // not an event this package writes: leave it alone
                }
            }
        }
        return summary && step >= fromStep;
    }

    private static long varint(byte[] bytes, int[] at) {
        long value = 0;
        for (int shift = 0; shift < 64 && at[0] < bytes.length; shift += 7) {
            byte b = bytes[at[0]++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                break;
            }
        }
        return value;
    }
}
