package org.covidct.nn.data.image;

import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes a PNG file and converts it to RGB exactly as Pillow 9's {@code Image.open(p).convert("RGB")}:
 * alpha is dropped (never composited), grey is replicated, palette indices are looked up (an index
 * past the end of {@code PLTE} reads as grey {@code (i, i, i)}, Pillow's default palette), 1-, 2- and
 * 4-bit grey are scaled to 0..255 (x255, x85, x17), 16-bit colour and grey-with-alpha samples keep
 * their high byte, and 16-bit grey (Pillow's mode {@code "I"}) is clipped to 255, not scaled.
 * {@code gAMA}, {@code iCCP}, {@code tRNS} and the other ancillary chunks are ignored, as Pillow's
 * conversion ignores them. Every chunk's CRC is checked. Like Pillow, a file whose image data is
 * complete but which lacks {@code IEND} is accepted; image data that ends early is an error.
 */
final class PngDecoder {
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private static final int[][] ADAM7 = { // x0, y0, dx, dy
        {0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};

    private final byte[] d;
    private final Path file;
    private int width;
    private int height;
    private int bitDepth;
    private int colorType;
    private boolean interlaced;
    private byte[] palette;
    private int paletteEntries;

    private PngDecoder(byte[] data, Path file) {
        this.d = data;
        this.file = file;
    }

    static RgbImage decode(byte[] data, Path file) throws ImageDecodeException {
        return new PngDecoder(data, file).decode();
    }

    private ImageDecodeException error(String reason) {
        return new ImageDecodeException(file, "PNG: " + reason);
    }

    private RgbImage decode() throws ImageDecodeException {
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (i >= d.length || d[i] != SIGNATURE[i]) {
                throw error("bad signature");
            }
        }
        int pos = SIGNATURE.length;
        boolean haveHeader = false;
        boolean ended = false;
        Inflater inflater = new Inflater();
        try {
            byte[] raw = null;
            int rawFill = 0;
            boolean streamEnd = false;
            while (pos < d.length) {
                if (pos + 8 > d.length) {
                    break;
                }
                long length = readInt(pos) & 0xFFFFFFFFL;
                String type = chunkType(pos + 4);
                if (length > Integer.MAX_VALUE || pos + 12 + length > d.length) {
                    break;
                }
                int dataStart = pos + 8;
                int len = (int) length;
                CRC32 crc = new CRC32();
                crc.update(d, pos + 4, 4 + len);
                if ((int) crc.getValue() != readInt(dataStart + len)) {
                    throw error("corrupt (CRC mismatch in chunk " + type + ")");
                }
                pos = dataStart + len + 4;
                if (!haveHeader) {
                    if (!type.equals("IHDR") || len != 13) {
                        throw error("first chunk is " + type + ", not IHDR");
                    }
                    readHeader(dataStart);
                    haveHeader = true;
                    continue;
                }
                switch (type) {
                    case "PLTE" -> {
                        if (len % 3 != 0 || len == 0 || len > 768) {
                            throw error("invalid PLTE chunk of " + len + " bytes");
                        }
                        palette = new byte[len];
                        System.arraycopy(d, dataStart, palette, 0, len);
                        paletteEntries = len / 3;
                    }
                    case "IDAT" -> {
                        if (raw == null) {
                            if (colorType == 3 && palette == null) {
                                throw error("palette image without a PLTE chunk");
                            }
                            long size = rawSize();
                            if (size > 1100L * d.length + 1024) {
                                throw error("truncated or corrupt (" + d.length + " bytes cannot hold "
                                        + width + "x" + height + " pixels)");
                            }
                            raw = new byte[Math.toIntExact(size)];
                        }
                        if (!streamEnd && rawFill < raw.length) {
                            inflater.setInput(d, dataStart, len);
                            rawFill = inflate(inflater, raw, rawFill);
                            streamEnd = inflater.finished();
                        }
                    }
                    case "IEND" -> ended = true;
                    default -> {
                        if (Character.isUpperCase(type.charAt(0))) {
                            throw error("unknown critical chunk " + type);
                        }
                    }
                }
                if (ended) {
                    break;
                }
            }
            if (!haveHeader) {
                throw error("truncated (no complete IHDR chunk)");
            }
            if (raw == null) {
                throw error(ended ? "no image data (no IDAT chunk)" : "truncated (no image data)");
            }
            if (rawFill < raw.length) {
                throw error((ended ? "corrupt (image data too short: " : "truncated (image data ends after ")
                        + rawFill + " of " + raw.length + " bytes)");
            }
            return toRgb(raw);
        } finally {
            inflater.end();
        }
    }

    private int inflate(Inflater inflater, byte[] raw, int fill) throws ImageDecodeException {
        try {
            while (fill < raw.length && !inflater.finished()) {
                int n = inflater.inflate(raw, fill, raw.length - fill);
                if (n == 0) {
                    if (inflater.needsDictionary()) {
                        throw error("corrupt (compressed data needs a preset dictionary)");
                    }
                    if (inflater.needsInput()) {
                        break;
                    }
                }
                fill += n;
            }
            return fill;
        } catch (DataFormatException e) {
            throw error("corrupt compressed data (" + e.getMessage() + ")");
        }
    }

    private void readHeader(int p) throws ImageDecodeException {
        long w = readInt(p) & 0xFFFFFFFFL;
        long h = readInt(p + 4) & 0xFFFFFFFFL;
        bitDepth = d[p + 8] & 0xFF;
        colorType = d[p + 9] & 0xFF;
        int compression = d[p + 10] & 0xFF;
        int filter = d[p + 11] & 0xFF;
        int interlace = d[p + 12] & 0xFF;
        if (w == 0 || h == 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
            throw error("invalid size " + w + "x" + h);
        }
        ImageDecoder.checkPixelCount(file, w, h);
        width = (int) w;
        height = (int) h;
        boolean valid = switch (colorType) {
            case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
            case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
            case 2, 4, 6 -> bitDepth == 8 || bitDepth == 16;
            default -> false;
        };
        if (!valid) {
            throw error("invalid colour type " + colorType + " with bit depth " + bitDepth);
        }
        if (compression != 0 || filter != 0 || interlace > 1) {
            throw error("unsupported compression/filter/interlace method " + compression + "/" + filter + "/" + interlace);
        }
        interlaced = interlace == 1;
    }

    private int channels() {
        return switch (colorType) {
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> 1;
        };
    }

    private long rowBytes(long pixels) {
        return (pixels * channels() * bitDepth + 7) / 8;
    }

    private long rawSize() {
        if (!interlaced) {
            return height * (1 + rowBytes(width));
        }
        long total = 0;
        for (int[] p : ADAM7) {
            long pw = passSize(width, p[0], p[2]);
            long ph = passSize(height, p[1], p[3]);
            if (pw > 0 && ph > 0) {
                total += ph * (1 + rowBytes(pw));
            }
        }
        return total;
    }

    private static int passSize(int size, int start, int step) {
        return size <= start ? 0 : (size - start + step - 1) / step;
    }

    private RgbImage toRgb(byte[] raw) throws ImageDecodeException {
        byte[] out = new byte[Math.multiplyExact(3, Math.multiplyExact(width, height))];
        int bpp = Math.max(1, channels() * bitDepth / 8);
        int offset = 0;
        int[][] passes = interlaced ? ADAM7 : new int[][] {{0, 0, 1, 1}};
        for (int[] p : passes) {
            int pw = passSize(width, p[0], p[2]);
            int ph = passSize(height, p[1], p[3]);
            if (pw == 0 || ph == 0) {
                continue;
            }
            int rowBytes = (int) rowBytes(pw);
            byte[] prev = new byte[rowBytes];
            byte[] cur = new byte[rowBytes];
            for (int r = 0; r < ph; r++) {
                int filterType = raw[offset] & 0xFF;
                unfilter(filterType, raw, offset + 1, cur, prev, bpp, r + 1);
                offset += 1 + rowBytes;
                emitRow(cur, pw, p[0], p[2], p[1] + r * p[3], out);
                byte[] t = prev;
                prev = cur;
                cur = t;
            }
        }
        return new RgbImage(width, height, out);
    }

    private void unfilter(int type, byte[] raw, int in, byte[] cur, byte[] prev, int bpp, int row)
            throws ImageDecodeException {
        int n = cur.length;
        switch (type) {
            case 0 -> System.arraycopy(raw, in, cur, 0, n);
            case 1 -> {
                for (int i = 0; i < n; i++) {
                    int left = i >= bpp ? cur[i - bpp] & 0xFF : 0;
                    cur[i] = (byte) (raw[in + i] + left);
                }
            }
            case 2 -> {
                for (int i = 0; i < n; i++) {
                    cur[i] = (byte) (raw[in + i] + prev[i]);
                }
            }
            case 3 -> {
                for (int i = 0; i < n; i++) {
                    int left = i >= bpp ? cur[i - bpp] & 0xFF : 0;
                    cur[i] = (byte) (raw[in + i] + ((left + (prev[i] & 0xFF)) >>> 1));
                }
            }
            case 4 -> {
                for (int i = 0; i < n; i++) {
                    int a = i >= bpp ? cur[i - bpp] & 0xFF : 0;
                    int b = prev[i] & 0xFF;
                    int c = i >= bpp ? prev[i - bpp] & 0xFF : 0;
                    cur[i] = (byte) (raw[in + i] + paeth(a, b, c));
                }
            }
            default -> throw error("corrupt (unknown filter type " + type + " on row " + row + ")");
        }
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    private void emitRow(byte[] row, int count, int x0, int dx, int y, byte[] out) {
        int base = y * width * 3;
        for (int i = 0; i < count; i++) {
            int o = base + (x0 + i * dx) * 3;
            int r;
            int g;
            int b;
            switch (colorType) {
                case 0 -> {
                    r = g = b = grey(row, i);
                }
                case 2 -> {
                    int s = bitDepth == 8 ? i * 3 : i * 6;
                    int step = bitDepth / 8;
                    r = row[s] & 0xFF;
                    g = row[s + step] & 0xFF;
                    b = row[s + 2 * step] & 0xFF;
                }
                case 3 -> {
                    int index = packed(row, i);
                    if (index < paletteEntries) {
                        r = palette[index * 3] & 0xFF;
                        g = palette[index * 3 + 1] & 0xFF;
                        b = palette[index * 3 + 2] & 0xFF;
                    } else {
                        r = g = b = index;
                    }
                }
                case 4 -> {
                    r = g = b = row[bitDepth == 8 ? i * 2 : i * 4] & 0xFF;
                }
                default -> {
                    int s = bitDepth == 8 ? i * 4 : i * 8;
                    int step = bitDepth / 8;
                    r = row[s] & 0xFF;
                    g = row[s + step] & 0xFF;
                    b = row[s + 2 * step] & 0xFF;
                }
            }
            out[o] = (byte) r;
            out[o + 1] = (byte) g;
            out[o + 2] = (byte) b;
        }
    }

    private int grey(byte[] row, int i) {
        return switch (bitDepth) {
            case 1 -> packed(row, i) * 255;
            case 2 -> packed(row, i) * 85;
            case 4 -> packed(row, i) * 17;
            case 8 -> row[i] & 0xFF;
            default -> Math.min(255, ((row[2 * i] & 0xFF) << 8) | (row[2 * i + 1] & 0xFF));
        };
    }

    private int packed(byte[] row, int i) {
        if (bitDepth == 8) {
            return row[i] & 0xFF;
        }
        int bit = i * bitDepth;
        int shift = 8 - bitDepth - (bit & 7);
        return ((row[bit >>> 3] & 0xFF) >>> shift) & ((1 << bitDepth) - 1);
    }

    private int readInt(int p) {
        return ((d[p] & 0xFF) << 24) | ((d[p + 1] & 0xFF) << 16) | ((d[p + 2] & 0xFF) << 8) | (d[p + 3] & 0xFF);
    }

    private String chunkType(int p) {
        StringBuilder sb = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = d[p + i] & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return sb.toString();
    }
}
