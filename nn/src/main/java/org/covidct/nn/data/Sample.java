package org.covidct.nn.data;

import java.nio.file.Path;

/** One image of a split and its label (0 = NonCOVID, 1 = COVID). */
public record Sample(Path path, int label) {
    public Sample {
        if (path == null) {
            throw new IllegalArgumentException("Sample: path is null");
        }
    }
}
