package org.covidct.app.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import org.covidct.nn.data.image.RgbImage;

/** RGB images as AWT images and PNG bytes. */
public final class Png {
    private Png() {
    }

    public static BufferedImage image(RgbImage img) {
        BufferedImage out = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                out.setRGB(x, y, img.get(x, y, 0) << 16 | img.get(x, y, 1) << 8 | img.get(x, y, 2));
            }
        }
        return out;
    }

    public static byte[] encode(BufferedImage image) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", buf)) {
                throw new IllegalStateException("no PNG encoder available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return buf.toByteArray();
    }
}
