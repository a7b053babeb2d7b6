package org.covidct.nn.data;

import java.nio.file.Path;

/**
 * One labelled example of a data set: an image file and its class index.
 *
 * @param path the image file
 * @param label the class index, 0 for the first class
 */
public record Sample(Path path, int label) {
    /** Checks that the path is given. */
    public Sample {
        if (path == null) {
            throw new IllegalArgumentException("Sample: path is null");
        }
    }
}
