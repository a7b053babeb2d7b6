package org.covidct.nn.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Replaces a file all at once: the content goes to a temporary file in the target's directory,
 * is forced to disk, and is renamed over the target. A reader, or a machine that crashes, sees
 * either the old file or the complete new one, never a prefix. On any failure the temporary file
 * is deleted and the old target is left as it was.
 */
public final class AtomicFile {
    /** Suffix of the temporary files; a crash can leave one behind, never a damaged target. */
    public static final String TEMP_SUFFIX = ".tmp";

    /** Writes the content of the new file. */
    @FunctionalInterface
    public interface Writer {
        void write(FileChannel out) throws IOException;
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFile() {
    }

    /** Writes {@code target} atomically with {@code writer}. */
    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path temp = null;
        boolean committed = false;
        try {
            FileChannel out = null;
            while (out == null) {
                // Not Files.createTempFile: its owner-only permissions would carry over to the target.
                temp = dir.resolve("." + absolute.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + TEMP_SUFFIX);
                try {
                    out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    temp = null;
                }
            }
            try (FileChannel channel = out) {
                writer.write(channel);
                channel.force(true);
            }
            commit(temp, absolute);
            committed = true;
        } finally {
            if (!committed && temp != null) {
                deleteQuietly(temp);
            }
        }
    }

    /**
     * Renames a complete, already synced {@code source} over {@code target}, atomically where the
     * file system can, then syncs the directory so that the rename itself survives a crash.
     */
    public static void commit(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Forces a file's content to disk. */
    public static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void syncDirectory(Path dir) {
        // Opening a directory for reading works on Linux and macOS; elsewhere the rename is all we get.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // the original failure matters more
        }
    }
}
