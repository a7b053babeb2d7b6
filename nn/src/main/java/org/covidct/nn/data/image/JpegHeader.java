package org.covidct.nn.data.image;

import java.nio.file.Path;

/**
 * The facts about a JPEG file that decide whether it can be decoded, read from its markers up to
 * the first scan: the coding process, sample precision, size and number of components, and the
 * Adobe colour transform. It also checks that an end-of-image marker follows the scans, so a
 * truncated file is refused as Pillow refuses it.
 */
record JpegHeader(int process, int precision, int width, int height, int components, int adobeTransform,
        boolean jfif, int[] componentIds) {

    /**
     * Whether three components hold YCbCr rather than RGB, decided as libjpeg(-turbo) decides:
     * a JFIF marker means YCbCr; otherwise an Adobe marker's transform 0 means RGB and any other
     * transform YCbCr; with neither marker, component ids 'R', 'G', 'B' mean RGB and anything else
     * YCbCr.
     */
    boolean isYCbCr() {
        if (components != 3 || jfif) {
            return components == 3;
        }
        if (adobeTransform >= 0) {
            return adobeTransform != 0;
        }
        return !(componentIds[0] == 'R' && componentIds[1] == 'G' && componentIds[2] == 'B');
    }

    static JpegHeader parse(byte[] d, Path file) throws ImageDecodeException {
        int pos = 2;
        int process = -1;
        int precision = 0;
        int width = 0;
        int height = 0;
        int components = 0;
        int adobeTransform = -1;
        boolean jfif = false;
        int[] ids = new int[0];
        while (true) {
            if (pos >= d.length) {
                throw error(file, "truncated (file ends before the first scan)");
            }
            if ((d[pos] & 0xFF) != 0xFF) {
                throw error(file, "corrupt (expected a marker at byte " + pos + ")");
            }
            while (pos < d.length && (d[pos] & 0xFF) == 0xFF) {
                pos++;
            }
            if (pos >= d.length) {
                throw error(file, "truncated (file ends before the first scan)");
            }
            int marker = d[pos++] & 0xFF;
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue;
            }
            if (marker == 0xD9) {
                throw error(file, "no image data (end-of-image marker before any scan)");
            }
            if (marker == 0xD8 || marker == 0x00) {
                throw error(file, String.format("corrupt (unexpected marker 0x%02x at byte %d)", marker, pos - 1));
            }
            if (pos + 2 > d.length) {
                throw error(file, "truncated (file ends inside a marker segment)");
            }
            int length = ((d[pos] & 0xFF) << 8) | (d[pos + 1] & 0xFF);
            if (length < 2 || pos + length > d.length) {
                throw error(file, String.format("truncated or corrupt (marker 0x%02x segment of %d bytes at byte %d)",
                        marker, length, pos));
            }
            int seg = pos + 2;
            int segLen = length - 2;
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                if (process >= 0) {
                    throw error(file, "corrupt (more than one frame header)");
                }
                if (segLen < 6) {
                    throw error(file, "corrupt (short frame header)");
                }
                process = marker - 0xC0;
                precision = d[seg] & 0xFF;
                height = ((d[seg + 1] & 0xFF) << 8) | (d[seg + 2] & 0xFF);
                width = ((d[seg + 3] & 0xFF) << 8) | (d[seg + 4] & 0xFF);
                components = d[seg + 5] & 0xFF;
                if (segLen < 6 + 3 * components) {
                    throw error(file, "corrupt (short frame header)");
                }
                ids = new int[components];
                for (int c = 0; c < components; c++) {
                    ids[c] = d[seg + 6 + 3 * c] & 0xFF;
                }
            } else if (marker == 0xE0 && segLen >= 5 && d[seg] == 'J' && d[seg + 1] == 'F' && d[seg + 2] == 'I'
                    && d[seg + 3] == 'F' && d[seg + 4] == 0) {
                jfif = true;
            } else if (marker == 0xEE && segLen >= 12 && d[seg] == 'A' && d[seg + 1] == 'd' && d[seg + 2] == 'o'
                    && d[seg + 3] == 'b' && d[seg + 4] == 'e') {
                adobeTransform = d[seg + 11] & 0xFF;
            } else if (marker == 0xDA) {
                JpegHeader h = new JpegHeader(process, precision, width, height, components, adobeTransform, jfif, ids);
                h.check(file);
                if (!hasEndMarker(d, seg + segLen)) {
                    throw error(file, "truncated (no end-of-image marker after the image data)");
                }
                return h;
            }
            pos += length;
        }
    }

    private void check(Path file) throws ImageDecodeException {
        if (process < 0) {
            throw error(file, "corrupt (scan before any frame header)");
        }
        switch (process) {
            case 0, 1, 2 -> { }
            case 3 -> throw error(file, "lossless JPEG is not supported");
            case 5, 6, 7 -> throw error(file, "hierarchical JPEG is not supported");
            default -> throw error(file, "arithmetic-coded JPEG is not supported");
        }
        if (precision != 8) {
            throw error(file, precision + "-bit JPEG is not supported (only 8-bit samples)");
        }
        if (width == 0 || height == 0) {
            throw error(file, "unsupported size " + width + "x" + height + " (height from a DNL marker?)");
        }
        if (components == 4) {
            throw error(file, (adobeTransform == 2 ? "YCCK" : "CMYK")
                    + " JPEG (4 components) is not supported; convert it to RGB");
        }
        if (components != 1 && components != 3) {
            throw error(file, "JPEG with " + components + " components is not supported");
        }
    }

    private static boolean hasEndMarker(byte[] d, int from) {
        for (int i = d.length - 2; i >= from; i--) {
            if ((d[i] & 0xFF) == 0xFF && (d[i + 1] & 0xFF) == 0xD9) {
                return true;
            }
        }
        return false;
    }

    private static ImageDecodeException error(Path file, String reason) {
        return new ImageDecodeException(file, "JPEG: " + reason);
    }
}
