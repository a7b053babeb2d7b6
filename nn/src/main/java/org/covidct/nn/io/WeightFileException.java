package org.covidct.nn.io;

import java.io.IOException;

/** A weight file that cannot be read: missing, truncated, malformed, or holding something not allowed. */
public class WeightFileException extends IOException {
    public WeightFileException(String message) {
        super(message);
    }

    public WeightFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
