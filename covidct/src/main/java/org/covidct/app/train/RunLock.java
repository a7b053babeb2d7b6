package org.covidct.app.train;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One process at a time writes a run directory: it holds an OS lock on the directory's
 * {@value #FILE_NAME} until it exits, so a crash or a kill releases it too, and a second process
 * is refused at once with the holder's description, which the lock file records.
 */
final class RunLock {
    static final String FILE_NAME = ".lock";
    /** This process's locks, held until it exits: a run, then its analysis, write the directory. */
    private static final Map<Path, FileLock> HELD = new ConcurrentHashMap<>();

    private RunLock() {
    }

    /** Locks {@code root} for this process, or fails naming the process that holds it. */
    static synchronized void claim(Path root) throws IOException {
        Path dir = root.toAbsolutePath().normalize();
        if (HELD.containsKey(dir)) {
            return;
        }
        FileChannel channel = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new IOException(root + ": in use by " + (holder.isEmpty() ? "another process" : holder)
                    + "; wait for it to end or choose another --out");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(description().getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
        HELD.put(dir, lock);
    }

    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(512);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
    }

    private static String description() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "this machine";
        }
        return "process " + ProcessHandle.current().pid() + " on " + host + " since " + Instant.now();
    }
}
