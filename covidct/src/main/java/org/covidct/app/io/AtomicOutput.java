package org.covidct.app.io;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.covidct.nn.io.AtomicFile;

/** The application's output files, each written whole or not at all (see {@link AtomicFile}). */
public final class AtomicOutput {
    private AtomicOutput() {
    }

    public static void text(Path file, String text) throws IOException {
        bytes(file, text.getBytes(StandardCharsets.UTF_8));
    }

    public static void png(Path file, BufferedImage image) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", buf)) {
            throw new IOException(file + ": no PNG encoder available");
        }
        bytes(file, buf.toByteArray());
    }

    public static void bytes(Path file, byte[] content) throws IOException {
        AtomicFile.write(file, out -> {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                out.write(b);
            }
        });
    }
}
