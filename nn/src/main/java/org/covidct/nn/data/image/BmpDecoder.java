package org.covidct.nn.data.image;

import java.nio.file.Path;

/**
 * Decodes an uncompressed Windows bitmap (BITMAPINFOHEADER or a later header: V4, V5) to RGB as
 * Pillow's {@code Image.open(p).convert("RGB")}: 24-bit BGR, 32-bit BGRX (the fourth byte, alpha
 * or padding, is dropped), and 1-, 4- and 8-bit palettes. Rows are bottom-up unless the height is
 * negative, each padded to a multiple of 4 bytes. Compressed bitmaps (RLE, JPEG or PNG inside)
 * and bit-field layouts other than the plain 32-bit BGRX one fail with an {@link ImageDecodeException}.
 */
final class BmpDecoder {
    static final byte[] SIGNATURE = {'B', 'M'};
    private static final int FILE_HEADER = 14;
    private static final int BI_RGB = 0;
    private static final int BI_BITFIELDS = 3;
    private static final int MASKS = FILE_HEADER + 40;

    private BmpDecoder() {
    }

    static RgbImage decode(byte[] d, Path file) throws ImageDecodeException {
        if (d.length < FILE_HEADER + 40) {
            throw new ImageDecodeException(file, "BMP: truncated header (" + d.length + " bytes)");
        }
        long pixelOffset = u32(d, 10);
        int headerSize = (int) u32(d, FILE_HEADER);
        if (headerSize < 40 || FILE_HEADER + (long) headerSize > d.length) {
            throw new ImageDecodeException(file, "BMP: unsupported header of " + headerSize + " bytes");
        }
        int width = s32(d, 18);
        int signedHeight = s32(d, 22);
        int bits = u16(d, 28);
        int compression = (int) u32(d, 30);
        if (width <= 0 || signedHeight == 0 || signedHeight == Integer.MIN_VALUE) {
            throw new ImageDecodeException(file, "BMP: invalid size " + width + "x" + signedHeight);
        }
        int height = Math.abs(signedHeight);
        ImageDecoder.checkPixelCount(file, width, height);
        // The masks follow a 40-byte header, or sit at the same place inside a longer one.
        boolean plainBitfields = compression == BI_BITFIELDS && bits == 32 && d.length >= MASKS + 12
                && u32(d, MASKS) == 0x00FF0000L && u32(d, MASKS + 4) == 0x0000FF00L && u32(d, MASKS + 8) == 0x000000FFL;
        if (compression != BI_RGB && !plainBitfields) {
            throw new ImageDecodeException(file, "BMP: compression " + compression + " with " + bits
                    + " bits per pixel is not supported (only uncompressed bitmaps)");
        }
        if (bits != 1 && bits != 4 && bits != 8 && bits != 24 && bits != 32) {
            throw new ImageDecodeException(file, "BMP: " + bits + " bits per pixel is not supported");
        }
        byte[] palette = bits <= 8 ? palette(d, file, headerSize, bits, pixelOffset) : null;
        long stride = ((long) width * bits + 31) / 32 * 4;
        if (pixelOffset + stride * height > d.length) {
            throw new ImageDecodeException(file, "BMP: truncated pixel data (" + d.length + " bytes, "
                    + (pixelOffset + stride * height) + " needed for " + width + "x" + height + " at " + bits + " bits)");
        }
        byte[] out = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            int row = (int) (pixelOffset + stride * (signedHeight > 0 ? height - 1 - y : y));
            int o = 3 * width * y;
            for (int x = 0; x < width; x++, o += 3) {
                switch (bits) {
                    case 24, 32 -> {
                        int p = row + x * (bits / 8);
                        out[o] = d[p + 2];
                        out[o + 1] = d[p + 1];
                        out[o + 2] = d[p];
                    }
                    default -> {
                        int bit = x * bits;
                        int index = (d[row + bit / 8] & 0xFF) >> (8 - bits - bit % 8) & ((1 << bits) - 1);
                        System.arraycopy(palette, 3 * Math.min(index, palette.length / 3 - 1), out, o, 3);
                    }
                }
            }
        }
        return new RgbImage(width, height, out);
    }

    /** The colour table as RGB triples (stored as BGRX quads after the info header). */
    private static byte[] palette(byte[] d, Path file, int headerSize, int bits, long pixelOffset)
            throws ImageDecodeException {
        long used = u32(d, 46);
        int entries = (int) (used == 0 || used > (1 << bits) ? 1 << bits : used);
        int start = FILE_HEADER + headerSize + (headerSize == 40 && u32(d, 30) == BI_BITFIELDS ? 12 : 0);
        if (start + 4L * entries > Math.min(d.length, pixelOffset)) {
            throw new ImageDecodeException(file, "BMP: truncated colour table of " + entries + " entries");
        }
        byte[] rgb = new byte[3 * entries];
        for (int i = 0; i < entries; i++) {
            rgb[3 * i] = d[start + 4 * i + 2];
            rgb[3 * i + 1] = d[start + 4 * i + 1];
            rgb[3 * i + 2] = d[start + 4 * i];
        }
        return rgb;
    }

    private static int u16(byte[] d, int o) {
        return (d[o] & 0xFF) | (d[o + 1] & 0xFF) << 8;
    }

    private static int s32(byte[] d, int o) {
        return (d[o] & 0xFF) | (d[o + 1] & 0xFF) << 8 | (d[o + 2] & 0xFF) << 16 | d[o + 3] << 24;
    }

    private static long u32(byte[] d, int o) {
        return s32(d, o) & 0xFFFFFFFFL;
    }
}
