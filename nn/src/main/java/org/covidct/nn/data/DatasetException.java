package org.covidct.nn.data;

import java.io.IOException;

/** A data set that cannot be read: a missing folder or split file, or listed images that do not exist. */
public final class DatasetException extends IOException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
