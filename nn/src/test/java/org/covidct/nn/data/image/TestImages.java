package org.covidct.nn.data.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Helpers shared by the data and image tests: fixture folders, ImageIO reading and writing, random images. */
public final class TestImages {
    private TestImages() {
    }

    /** A folder of src/test/resources/images, holding a cases.txt. */
    static Path fixtureDir(String name) {
        try {
            return Path.of(TestImages.class.getResource("/images/" + name + "/cases.txt").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The non-blank lines of a fixture folder's cases.txt, split on spaces. */
    static List<String[]> cases(String name) {
        try {
            return Files.readAllLines(fixtureDir(name).resolve("cases.txt")).stream()
                    .filter(l -> !l.isBlank())
                    .map(l -> l.strip().split(" "))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An 8-bit RGB(A) image read by ImageIO, alpha dropped: an independent reader for expected images. */
    static RgbImage readWithImageIO(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException("ImageIO cannot read " + file);
        }
        return fromArgb(image);
    }

    /**
     * The RGB of each pixel of {@code image} through its colour model; for 8-bit grey images the raw
     * sample, replicated (Java's grey colour space is linear, so {@code getRGB} would re-gamma it).
     */
    static RgbImage fromArgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] px = new byte[3 * w * h];
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    byte v = (byte) image.getRaster().getSample(x, y, 0);
                    int o = (y * w + x) * 3;
                    px[o] = v;
                    px[o + 1] = v;
                    px[o + 2] = v;
                }
            }
            return new RgbImage(w, h, px);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = image.getRGB(x, y);
                int o = (y * w + x) * 3;
                px[o] = (byte) (argb >> 16);
                px[o + 1] = (byte) (argb >> 8);
                px[o + 2] = (byte) argb;
            }
        }
        return new RgbImage(w, h, px);
    }

    public static RgbImage random(int width, int height, long seed) {
        byte[] px = new byte[3 * width * height];
        new Random(seed).nextBytes(px);
        return new RgbImage(width, height, px);
    }

    static BufferedImage toBufferedImage(RgbImage image) {
        BufferedImage b = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                b.setRGB(x, y, (image.get(x, y, 0) << 16) | (image.get(x, y, 1) << 8) | image.get(x, y, 2));
            }
        }
        return b;
    }

    /** Writes {@code image} to {@code file} as PNG with ImageIO. */
    public static Path writePng(RgbImage image, Path file) throws IOException {
        if (!ImageIO.write(toBufferedImage(image), "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
        return file;
    }
}
