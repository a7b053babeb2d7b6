package org.covidct.app.tensorboard;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * One TensorBoard event file, {@code events.out.tfevents.<unix seconds>.<host>} in a directory,
 * starting with the {@code file_version} record. Every record goes to the operating system in one
 * write as it is added, so a run that is killed keeps everything it logged.
 */
public final class EventWriter implements AutoCloseable {
    private final Path file;
    private final OutputStream out;
    private final DoubleSupplier clock;
    private boolean closed;

    /** A writer on the system clock, named after this host. */
    public EventWriter(Path dir) throws IOException {
        this(dir, EventWriter::now, localHostName());
    }

    /**
     * @param clock the wall time in seconds since the epoch, for the file name and the events
     * @param host the host part of the file name
     */
    public EventWriter(Path dir, DoubleSupplier clock, String host) throws IOException {
        this.clock = clock;
        Files.createDirectories(dir);
        String base = String.format(Locale.ROOT, "events.out.tfevents.%010d.%s", (long) Math.floor(clock.getAsDouble()),
                host.replace('/', '_'));
        // Two writers in one directory within the same second: suffix the later one, as TensorBoard
        // reads any file whose name holds "tfevents".
        Path candidate = dir.resolve(base);
        OutputStream stream = null;
        for (int n = 1; stream == null; n++) {
            try {
                stream = Files.newOutputStream(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                candidate = dir.resolve(base + "." + n);
            }
        }
        this.file = candidate;
        this.out = stream;
        write(EventProto.fileVersion(clock.getAsDouble(), EventProto.FILE_VERSION));
    }

    public Path file() {
        return file;
    }

    public void addScalar(String tag, float value, long step) {
        addScalar(tag, value, step, clock.getAsDouble());
    }

    public void addScalar(String tag, float value, long step, double wallTime) {
        write(EventProto.scalar(wallTime, step, tag, value));
    }

    /** Appends an already encoded {@code Event} message as one record. */
    public synchronized void write(byte[] event) {
        if (closed) {
            throw new IllegalStateException("event writer closed: " + file);
        }
        try {
            out.write(TfRecord.frame(event));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double now() {
        Instant t = Instant.now();
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
