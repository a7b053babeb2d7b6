package org.covidct.app;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Writes small CT collections in the layouts other than COVID-CT's: an ImageFolder tree and a CSV
 * manifest of patients' slices. Images are noisy grey "scans"; those of the class named
 * {@code blobClass} carry a bright blob, so a model can learn something.
 */
public final class TinyCollections {
    private TinyCollections() {
    }

    /** {@code root/<class>/<i>.png} (every third a JPEG, some in a subfolder), {@code perClass} images each. */
    public static Path imageFolder(Path root, Map<String, Integer> perClass, String blobClass, int side, long seed)
            throws IOException {
        Random rng = new Random(seed);
        for (Map.Entry<String, Integer> c : new TreeMap<>(perClass).entrySet()) {
            for (int i = 0; i < c.getValue(); i++) {
                boolean jpeg = i % 3 == 2;
                Path folder = root.resolve(c.getKey()).resolve(i % 4 == 3 ? "more" : "");
                Files.createDirectories(folder);
                write(TinyCovidCt.scan(rng, side, c.getKey().equals(blobClass)),
                        folder.resolve("scan " + i + (jpeg ? ".jpg" : ".png")));
            }
        }
        return root;
    }

    /**
     * {@code folder/scans/<patient>/<slice>.png} for {@code patients} patients of alternating classes
     * {@code classes[0]}, {@code classes[1]}, each with 1 to 3 slices, and {@code folder/manifest.csv}
     * listing them as {@code path,label,group} (the group is the patient); returns the manifest.
     */
    public static Path groupedManifest(Path folder, String[] classes, int patients, String blobClass, int side,
                                       long seed) throws IOException {
        Random rng = new Random(seed);
        StringBuilder csv = new StringBuilder("path,label,group\n");
        for (int p = 0; p < patients; p++) {
            String label = classes[p % 2];
            Path scans = Files.createDirectories(folder.resolve("scans").resolve("p" + p));
            for (int s = 0; s < 1 + p % 3; s++) {
                Path image = scans.resolve("slice " + s + ".png");
                write(TinyCovidCt.scan(rng, side, label.equals(blobClass)), image);
                csv.append("\"scans/p").append(p).append("/slice ").append(s).append(".png\",").append(label)
                        .append(",patient ").append(p).append('\n');
            }
        }
        return Files.writeString(folder.resolve("manifest.csv"), csv);
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        String name = file.getFileName().toString();
        ImageIO.write(img, name.endsWith(".jpg") ? "jpg" : "png", file.toFile());
    }
}
