package org.covidct.nn.data;

import java.io.IOException;

/**
 * A data set that cannot be read into {@link Sample}s: for example a missing folder or index file,
 * or listed images that do not exist.
 */
public final class DatasetException extends IOException {
    /** A failure described by {@code message}. */
    public DatasetException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
