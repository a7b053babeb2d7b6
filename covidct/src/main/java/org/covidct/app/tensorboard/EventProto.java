package org.covidct.app.tensorboard;

/**
 * The two kinds of {@code tensorflow.Event} an event file needs, encoded as the proto3 library does:
 * {@code wall_time} (double, 1), {@code step} (int64, 2), then either {@code file_version}
 * (string, 3) or {@code summary} (5) holding {@code Summary.value} (1) entries of {@code tag}
 * (string, 1) and {@code simple_value} (float, 2). Plain proto3 fields at their default (0, "") are
 * left out; {@code simple_value} sits in a oneof, so even 0.0 is written.
 */
public final class EventProto {
    public static final String FILE_VERSION = "brain.Event:2";

    private EventProto() {}

    public static byte[] fileVersion(double wallTime, String version) {
        ProtoWriter event = header(wallTime, 0);
        event.string(3, version);
        return event.toByteArray();
    }

    public static byte[] scalar(double wallTime, long step, String tag, float value) {
        ProtoWriter v = new ProtoWriter();
        if (!tag.isEmpty()) {
            v.string(1, tag);
        }
        v.floatField(2, value);
        ProtoWriter summary = new ProtoWriter().message(1, v);
        return header(wallTime, step).message(5, summary).toByteArray();
    }

    private static ProtoWriter header(double wallTime, long step) {
        ProtoWriter event = new ProtoWriter();
        // proto3 tests the bits, so -0.0 is written and +0.0 is not.
        if (Double.doubleToRawLongBits(wallTime) != 0) {
            event.doubleField(1, wallTime);
        }
        if (step != 0) {
            event.int64(2, step);
        }
        return event;
    }
}
