package org.covidct.nn.io;

import java.io.IOException;
import java.time.Duration;

/** Hears how a download goes. Every method has a do-nothing default; calls come from the downloading thread. */
public interface ProgressListener {
    /** Hears nothing. */
    ProgressListener NONE = new ProgressListener() {
    };

    /**
     * A transfer began: {@code resumedFrom} bytes were already on disk from an earlier attempt;
     * {@code total} is the full size, or -1 when the server does not say.
     */
    default void started(String name, long resumedFrom, long total) {
    }

    /** {@code done} bytes of {@code total} (-1 if unknown) are on disk. */
    default void progress(long done, long total) {
    }

    /** Attempt {@code attempt} of {@code maxAttempts} failed; the next starts after {@code wait}. */
    default void retrying(int attempt, int maxAttempts, IOException cause, Duration wait) {
    }

    /** The file is complete and verified. */
    default void finished(long total) {
    }
}
