package org.covidct.app.tensorboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes derived by hand from the format. The CRCs were computed with the table-driven CRC-32C of
 * scripts/metrics/make_tfevents_fixture.py, and 0x224b7fa3 for a 24-byte length is the prefix every
 * TensorFlow event file starts with.
 */
class EventWriterTest {
    private static final HexFormat HEX = HexFormat.of();

    // Event{wall_time=1.5, step=3, summary{value{tag="Losses", simple_value=0.25}}}
    private static final String SCALAR_EVENT = "09" + "000000000000f83f" // wall_time: tag 1, fixed64
            + "10" + "03" // step: tag 2, varint
            + "2a0f" // summary: tag 5, 15 bytes
            + "0a0d" // Summary.value: tag 1, 13 bytes
            + "0a06" + "4c6f73736573" // tag = "Losses"
            + "15" + "0000803e"; // simple_value: tag 2, fixed32 0.25f

    @Test
    void scalarEventIsEncodedAsTheSpecSays() {
        assertEquals(SCALAR_EVENT, HEX.formatHex(EventProto.scalar(1.5, 3, "Losses", 0.25f)));
        assertEquals("1c00000000000000" + "c8c1951d" + SCALAR_EVENT + "2f254f2e",
                HEX.formatHex(TfRecord.frame(HEX.parseHex(SCALAR_EVENT))));
    }

    @Test
    void fileVersionRecordIsEncodedAsTheSpecSays() {
        String event = "09000000000000f83f" + "1a0d" + HEX.formatHex("brain.Event:2".getBytes());
        assertEquals(event, HEX.formatHex(EventProto.fileVersion(1.5, "brain.Event:2")));
        assertEquals("1800000000000000" + "a37f4b22" + event + "2a28646c",
                HEX.formatHex(TfRecord.frame(HEX.parseHex(event))));
    }

    @Test
    void proto3DefaultsAreLeftOutExceptTheOneofValue() {
        // step 0 and an empty tag are not written; simple_value 0.0 is (it sits in a oneof).
        assertEquals("09000000000000f83f" + "2a07" + "0a05" + "1500000000",
                HEX.formatHex(EventProto.scalar(1.5, 0, "", 0f)));
        // A negative int64 takes ten varint bytes; NaN is Java's canonical 0x7fc00000.
        assertEquals("09000000000000f83f" + "10ffffffffffffffffff01" + "2a07" + "0a05" + "150000c07f",
                HEX.formatHex(EventProto.scalar(1.5, -1, "", Float.NaN)));
    }

    @Test
    void protoWriterPrimitives() {
        assertEquals("00", HEX.formatHex(new ProtoWriter().rawVarint(0).toByteArray()));
        assertEquals("ac02", HEX.formatHex(new ProtoWriter().rawVarint(300).toByteArray()));
        assertEquals("ffffffffffffffff7f", HEX.formatHex(new ProtoWriter().rawVarint(Long.MAX_VALUE).toByteArray()));
        assertEquals("0807", HEX.formatHex(new ProtoWriter().int64(1, 7).toByteArray()));
        assertEquals("0d78563412", HEX.formatHex(new ProtoWriter().tag(1, ProtoWriter.FIXED32).rawFixed32(0x12345678).toByteArray()));
        assertEquals("1203c3a978", HEX.formatHex(new ProtoWriter().string(2, "éx").toByteArray()));
        assertEquals("f8ffffff0f00", HEX.formatHex(new ProtoWriter().tag(0x1FFFFFFF, 0).rawVarint(0).toByteArray()));
        assertThrows(IllegalArgumentException.class, () -> new ProtoWriter().tag(0, 0));
    }

    @Test
    void fileIsNamedAfterTheClockAndHostAndStartsWithTheFileVersion(@TempDir Path dir) throws IOException {
        try (EventWriter w = new EventWriter(dir.resolve("run"), () -> 1585000000.75, "gpu-box")) {
            assertEquals(dir.resolve("run").resolve("events.out.tfevents.1585000000.gpu-box"), w.file());
            w.addScalar("Learning rate", 0.001f, 0);
        }
        Path file = dir.resolve("run").resolve("events.out.tfevents.1585000000.gpu-box");
        byte[] bytes = Files.readAllBytes(file);
        assertEquals("1800000000000000a37f4b22", HEX.formatHex(bytes, 0, 12));
        List<EventFileReader.Event> events = EventFileReader.read(file);
        assertEquals(2, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(1585000000.75, events.get(0).wallTime());
        assertEquals(List.of(new EventFileReader.Value("Learning rate", 0.001f)), events.get(1).values());
    }

    @Test
    void eventsReachTheFileBeforeCloseSoAKilledRunKeepsThem(@TempDir Path dir) throws IOException {
        EventWriter w = new EventWriter(dir, () -> 1e9, "h");
        for (int step = 0; step < 5; step++) {
            w.addScalar("loss", 1f / (step + 1), step);
            List<EventFileReader.Event> onDisk = EventFileReader.read(w.file());
            assertEquals(step + 2, onDisk.size());
            assertEquals(step, onDisk.get(step + 1).step());
        }
        w.close();
        w.close();
        assertThrows(IllegalStateException.class, () -> w.addScalar("loss", 0f, 5));
    }

    @Test
    void writersOpenedInTheSameSecondGetTheirOwnFiles(@TempDir Path dir) throws IOException {
        try (EventWriter a = new EventWriter(dir, () -> 1e9, "h"); EventWriter b = new EventWriter(dir, () -> 1e9, "h")) {
            assertNotEquals(a.file(), b.file());
            assertTrue(b.file().getFileName().toString().startsWith("events.out.tfevents.1000000000.h"));
        }
    }

    @Test
    void readerRoundTripsSpecialValues(@TempDir Path dir) throws IOException {
        float[] values = {0f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NaN, 61.647057f};
        long[] steps = {0, 1, 127, 128, Long.MAX_VALUE, -5, Integer.MAX_VALUE + 1L};
        try (EventWriter w = new EventWriter(dir, () -> 2e9, "h")) {
            for (int i = 0; i < values.length; i++) {
                w.addScalar("t/" + i, values[i], steps[i], 2e9 + i);
            }
            List<EventFileReader.Event> events = EventFileReader.read(w.file());
            for (int i = 0; i < values.length; i++) {
                EventFileReader.Event e = events.get(i + 1);
                assertEquals(steps[i], e.step());
                assertEquals(2e9 + i, e.wallTime());
                assertEquals("t/" + i, e.values().get(0).tag());
                assertArrayEquals(new int[] {Float.floatToRawIntBits(values[i])},
                        new int[] {Float.floatToRawIntBits(e.values().get(0).simpleValue())});
            }
        }
    }
}
