package org.covidct.app;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Writes a small data set laid out like a COVID-CT checkout: noisy grey "scans" where COVID
 * images carry a bright blob, as PNG and JPEG, with split files in the upstream style (CRLF line
 * ends, no final newline, names with spaces, commas and percent signs).
 */
public final class TinyCovidCt {
    private TinyCovidCt() {
    }

    /** {@code perClass} images of each class for each split, {@code side} pixels square. */
    public static Path create(Path root, Map<String, Integer> perClass, int side, long seed) throws IOException {
        Random rng = new Random(seed);
        for (String cls : List.of("COVID", "NonCOVID")) {
            Path images = Files.createDirectories(root.resolve("Images-processed").resolve("CT_" + cls));
            Path splits = Files.createDirectories(root.resolve("Data-split").resolve(cls));
            for (Map.Entry<String, Integer> split : new TreeMap<>(perClass).entrySet()) { // Map.of's order varies by JVM
                List<String> names = new ArrayList<>();
                for (int i = 0; i < split.getValue(); i++) {
                    boolean jpeg = i % 3 == 2;
                    String name = split.getKey() + " " + cls + ",%" + i + (jpeg ? ".jpg" : ".png");
                    BufferedImage img = scan(rng, side, cls.equals("COVID"));
                    ImageIO.write(img, jpeg ? "jpg" : "png", images.resolve(name).toFile());
                    names.add(name);
                }
                Files.writeString(splits.resolve(split.getKey() + "CT_" + cls + ".txt"), String.join("\r\n", names));
            }
        }
        return root;
    }

    /** A noisy grey square of side {@code side}, with a white blob when {@code covid}. */
    static BufferedImage scan(Random rng, int side, boolean covid) {
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int v = 60 + rng.nextInt(40);
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        if (covid) {
            Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            int r = side / 3;
            g.fillOval(rng.nextInt(side - r), rng.nextInt(side - r), r, r);
            g.dispose();
        }
        return img;
    }
}
