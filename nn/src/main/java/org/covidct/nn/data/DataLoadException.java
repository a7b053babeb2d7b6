package org.covidct.nn.data;

import java.nio.file.Path;

/** A sample that a {@link DataLoader} could not load or transform; names the file. */
public final class DataLoadException extends RuntimeException {
    private final Path file;

    /** A failure of the sample read from {@code file}, or of no one file when {@code file} is null. */
    public DataLoadException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The file of the failed sample, or null when the failure was not about one file. */
    public Path file() {
        return file;
    }
}
