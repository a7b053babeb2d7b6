package org.covidct.nn.data.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image: {@code width * height} pixels stored row by row, three interleaved bytes
 * (R, G, B) per pixel, as PIL holds an image in mode {@code "RGB"}. The pixel array is shared, not
 * copied: treat it as read-only once the image is built.
 *
 * @param width the width in pixels
 * @param height the height in pixels
 * @param pixels {@code 3 * width * height} bytes: R, G, B of each pixel, row by row from the top
 */
public record RgbImage(int width, int height, byte[] pixels) {
    /** Checks that the size is positive and matches the pixel array. */
    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("RgbImage: size must be positive, got " + width + "x" + height);
        }
        if (pixels.length != 3L * width * height) {
            throw new IllegalArgumentException("RgbImage: " + pixels.length + " bytes for " + width + "x" + height
                    + " pixels (expected " + 3L * width * height + ")");
        }
    }

    /** A black image of the given size. */
    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[Math.multiplyExact(3, Math.multiplyExact(width, height))]);
    }

    /** Channel {@code c} (0 = R, 1 = G, 2 = B) of pixel ({@code x}, {@code y}), 0 to 255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }

    /** Bytes held by the pixel array. */
    public long byteSize() {
        return pixels.length;
    }

    /** The sub-image with top-left corner ({@code left}, {@code top}), as PIL's {@code crop}. */
    public RgbImage crop(int left, int top, int cropWidth, int cropHeight) {
        if (left < 0 || top < 0 || cropWidth <= 0 || cropHeight <= 0
                || left + cropWidth > width || top + cropHeight > height) {
            throw new IllegalArgumentException("crop: box (" + left + ", " + top + ") " + cropWidth + "x" + cropHeight
                    + " is not inside a " + width + "x" + height + " image");
        }
        if (left == 0 && top == 0 && cropWidth == width && cropHeight == height) {
            return this;
        }
        byte[] out = new byte[3 * cropWidth * cropHeight];
        for (int y = 0; y < cropHeight; y++) {
            System.arraycopy(pixels, ((top + y) * width + left) * 3, out, y * cropWidth * 3, cropWidth * 3);
        }
        return new RgbImage(cropWidth, cropHeight, out);
    }

    /** The mirror image left to right. */
    public RgbImage flipHorizontal() {
        byte[] out = new byte[pixels.length];
        for (int y = 0; y < height; y++) {
            int row = y * width * 3;
            for (int x = 0; x < width; x++) {
                int src = row + x * 3;
                int dst = row + (width - 1 - x) * 3;
                out[dst] = pixels[src];
                out[dst + 1] = pixels[src + 1];
                out[dst + 2] = pixels[src + 2];
            }
        }
        return new RgbImage(width, height, out);
    }

    /** The mirror image top to bottom. */
    public RgbImage flipVertical() {
        int stride = width * 3;
        byte[] out = new byte[pixels.length];
        for (int y = 0; y < height; y++) {
            System.arraycopy(pixels, y * stride, out, (height - 1 - y) * stride, stride);
        }
        return new RgbImage(width, height, out);
    }

    /** Same size and same pixel bytes. */
    public boolean samePixels(RgbImage other) {
        return width == other.width && height == other.height && Arrays.equals(pixels, other.pixels);
    }

    /** The largest absolute difference of any channel of any pixel; the sizes must match. */
    public int maxAbsDifference(RgbImage other) {
        if (width != other.width || height != other.height) {
            throw new IllegalArgumentException("maxAbsDifference: " + width + "x" + height + " vs "
                    + other.width + "x" + other.height);
        }
        int max = 0;
        for (int i = 0; i < pixels.length; i++) {
            max = Math.max(max, Math.abs((pixels[i] & 0xFF) - (other.pixels[i] & 0xFF)));
        }
        return max;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && samePixels(other);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
