package org.covidct.app.data;

import java.io.IOException;

/**
 * The positive class of a two-class data set is open or named wrongly: a usage error, which
 * {@code --positive-class NAME} fixes; the message says so.
 */
public final class PositiveClassException extends IOException {
    /** A failure described by {@code message}, which names the data set and its classes. */
    public PositiveClassException(String message) {
        super(message);
    }
}
