package org.covidct.nn.data.image;

import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG, JPEG and BMP files to 8-bit RGB as Pillow's {@code Image.open(p).convert("RGB")} does.
 * The format is told by the file's first bytes, never by its name. PNG and uncompressed BMP are
 * decoded by this package's own readers; baseline, extended and progressive Huffman JPEG by the
 * JDK's ImageIO reader (libjpeg 6b inside, with the same integer IDCT and fancy upsampling as the
 * libjpeg-turbo Pillow uses), read as a raw raster and converted from YCbCr here with libjpeg's
 * fixed-point tables. Reading the raster rather than a {@code BufferedImage} keeps ImageIO from
 * applying an embedded ICC profile, which Pillow ignores. CMYK and YCCK JPEGs, lossless,
 * arithmetic-coded and 12-bit JPEGs, other formats, and truncated or corrupt files fail with an
 * {@link ImageDecodeException}.
 */
public final class ImageDecoder {
    /** Pillow's decompression-bomb error threshold: twice {@code Image.MAX_IMAGE_PIXELS}. */
    static final long MAX_PIXELS = 2L * (1024 * 1024 * 1024 / 4 / 3);

    /** libjpeg's YCbCr to RGB factors in 16-bit fixed point. */
    private static final int SCALE_BITS = 16;
    private static final int HALF = 1 << (SCALE_BITS - 1);
    private static final int CR_R = fix(1.40200);
    private static final int CB_G = -fix(0.34414);
    private static final int CR_G = -fix(0.71414);
    private static final int CB_B = fix(1.77200);

    /** The formats {@link #sniff} recognises. */
    public enum Format {
        /** Starts with the PNG signature. */
        PNG,
        /** Starts with a JPEG start-of-image marker. */
        JPEG,
        /** Starts with {@code BM}. */
        BMP,
        /** None of the above. */
        UNKNOWN
    }

    private ImageDecoder() {
    }

    /** Reads and decodes {@code file}. */
    public static RgbImage decodeRgb(Path file) throws ImageDecodeException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageDecodeException(file, "file not found", e);
        } catch (IOException | OutOfMemoryError e) {
            throw new ImageDecodeException(file, "cannot read (" + e + ")", e);
        }
        return decodeRgb(data, file);
    }

    /** Decodes the bytes of an image file; {@code file} only names it in error messages. */
    public static RgbImage decodeRgb(byte[] data, Path file) throws ImageDecodeException {
        return switch (sniff(data)) {
            case PNG -> PngDecoder.decode(data, file);
            case JPEG -> decodeJpeg(data, file);
            case BMP -> BmpDecoder.decode(data, file);
            case UNKNOWN -> throw new ImageDecodeException(file, data.length == 0 ? "empty file"
                    : "unknown image format (first bytes " + hex(data, 8) + "; only PNG, JPEG and BMP are supported)");
        };
    }

    /** The format told by the first bytes of a file. */
    public static Format sniff(byte[] data) {
        if (startsWith(data, PngDecoder.SIGNATURE)) {
            return Format.PNG;
        }
        if (data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
            return Format.JPEG;
        }
        if (startsWith(data, BmpDecoder.SIGNATURE)) {
            return Format.BMP;
        }
        return Format.UNKNOWN;
    }

    static void checkPixelCount(Path file, long width, long height) throws ImageDecodeException {
        if (width * height > MAX_PIXELS) {
            throw new ImageDecodeException(file, "image of " + width + "x" + height
                    + " pixels exceeds the limit of " + MAX_PIXELS + " pixels");
        }
    }

    private static RgbImage decodeJpeg(byte[] data, Path file) throws ImageDecodeException {
        JpegHeader header = JpegHeader.parse(data, file);
        checkPixelCount(file, header.width(), header.height());
        ImageReader reader = jpegReader(file);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        Raster raster;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            raster = reader.readRaster(0, null);
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(file, "JPEG: corrupt or unsupported (" + e.getMessage() + ")", e);
        } finally {
            reader.dispose();
        }
        for (String w : warnings) {
            String lower = w.toLowerCase(Locale.ROOT);
            if (lower.contains("premature end") || lower.contains("truncated") || lower.contains("missing eoi")) {
                throw new ImageDecodeException(file, "JPEG: truncated (" + w + ")");
            }
        }
        if (raster.getWidth() != header.width() || raster.getHeight() != header.height()) {
            throw new ImageDecodeException(file, "JPEG: decoded " + raster.getWidth() + "x" + raster.getHeight()
                    + " pixels, header says " + header.width() + "x" + header.height());
        }
        if (raster.getNumBands() != header.components()) {
            throw new ImageDecodeException(file, "JPEG: decoded " + raster.getNumBands() + " channels from "
                    + header.components() + " components");
        }
        return toRgb(raster, header.isYCbCr());
    }

    /**
     * The decoder's raw samples (grey, YCbCr or RGB, chroma already upsampled) as RGB. YCbCr is
     * converted with libjpeg's 16-bit fixed-point tables, so the result is the one Pillow gets.
     */
    private static RgbImage toRgb(Raster raster, boolean ycc) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        byte[] out = new byte[3 * w * h];
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            int o = y * w * 3;
            if (bands == 1) {
                for (int x = 0; x < w; x++) {
                    byte v = (byte) row[x];
                    out[o++] = v;
                    out[o++] = v;
                    out[o++] = v;
                }
            } else if (ycc) {
                for (int i = 0; i < w * 3; i += 3) {
                    int luma = row[i];
                    int cb = row[i + 1] - 128;
                    int cr = row[i + 2] - 128;
                    out[o + i] = clip(luma + ((CR_R * cr + HALF) >> SCALE_BITS));
                    out[o + i + 1] = clip(luma + ((CB_G * cb + CR_G * cr + HALF) >> SCALE_BITS));
                    out[o + i + 2] = clip(luma + ((CB_B * cb + HALF) >> SCALE_BITS));
                }
            } else {
                for (int i = 0; i < w * 3; i++) {
                    out[o + i] = (byte) row[i];
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    private static int fix(double x) {
        return (int) (x * (1 << SCALE_BITS) + 0.5);
    }

    private static byte clip(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** The JDK's own JPEG reader: {@link #toRgb} relies on its raw-raster semantics. */
    private static ImageReader jpegReader(Path file) throws ImageDecodeException {
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
            ImageReader r = it.next();
            if (r.getClass().getName().startsWith("com.sun.imageio.plugins.jpeg.")) {
                return r;
            }
        }
        throw new ImageDecodeException(file, "JPEG: the JDK's ImageIO JPEG reader is not available");
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static String hex(byte[] data, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(max, data.length); i++) {
            sb.append(String.format("%02x", data[i] & 0xFF));
        }
        return sb.toString();
    }
}
