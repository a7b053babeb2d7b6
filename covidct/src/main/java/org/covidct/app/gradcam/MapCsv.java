package org.covidct.app.gradcam;

import java.io.IOException;
import java.nio.file.Path;
import org.covidct.app.io.AtomicOutput;

/** A map as CSV: one line per row of pixels, each value as Java prints a float (it reads back exactly). */
public final class MapCsv {
    private MapCsv() {
    }

    public static void write(Path file, float[] map, int height, int width) throws IOException {
        if (map.length != height * width) {
            throw new IllegalArgumentException("map CSV: " + map.length + " values for " + height + "x" + width);
        }
        StringBuilder sb = new StringBuilder(map.length * 12);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (x > 0) {
                    sb.append(',');
                }
                sb.append(map[y * width + x]);
            }
            sb.append('\n');
        }
        AtomicOutput.text(file, sb.toString());
    }
}
