package org.covidct.app.train;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a resume may change about a run: the number of epochs (to extend or shorten it) and where
 * its data set now is, which must hold the same files as when the run started.
 */
public record ResumeOptions(OptionalInt epochs, Optional<Path> data) {
    /** Continue the run as it was started. */
    public static final ResumeOptions AS_STARTED = new ResumeOptions(OptionalInt.empty(), Optional.empty());

    public ResumeOptions withEpochs(int count) {
        return new ResumeOptions(OptionalInt.of(count), data);
    }

    public ResumeOptions withData(Path moved) {
        return new ResumeOptions(epochs, Optional.of(moved));
    }
}
