package org.covidct.nn.data.image;

/**
 * Pillow's {@code Image.resize(size, Image.BILINEAR)} for RGB images, bit for bit, and the output
 * sizes of torchvision's {@code Resize}.
 *
 * <p>Pillow resamples with a separable convolution: a horizontal pass, then a vertical pass, each
 * skipped when that axis keeps its size. For an axis scaled from {@code in} to {@code out} pixels,
 * {@code scale = in / out}, the triangle filter is stretched by {@code max(scale, 1)} (so a
 * reduction averages over its whole footprint: the antialiasing) and has support
 * {@code max(scale, 1)}. Output pixel {@code i} is centred at {@code (i + 0.5) * scale}; its taps run
 * from {@code (int) (centre - support + 0.5)} to {@code (int) (centre + support + 0.5)}, clamped to
 * the image, with weights {@code tri((x - centre + 0.5) * (1 / max(scale, 1)))} divided by their sum. The
 * weights are then rounded to 22-bit fixed point (half away from zero), each output sample is
 * {@code (2^21 + sum(sample * weight)) >> 22} clipped to 0..255, and the first pass's result is
 * stored as 8-bit before the second pass reads it.
 */
public final class Resize {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resize() {
    }

    /** A step resizing to {@code width x height}: torchvision's {@code Resize((height, width))}. */
    public static ImageStep to(int width, int height) {
        checkSize(width, height);
        return (image, rng) -> resize(image, width, height);
    }

    /** A step resizing the shorter side to {@code size}: torchvision's {@code Resize(size)}. */
    public static ImageStep shorterSide(int size) {
        checkSide(size);
        return (image, rng) -> resizeShorterSide(image, size);
    }

    /** {@code image} resized to {@code width x height}; the same image when the size is unchanged. */
    public static RgbImage resize(RgbImage image, int width, int height) {
        checkSize(width, height);
        if (width == image.width() && height == image.height()) {
            return image;
        }
        RgbImage out = image;
        if (width != image.width()) {
            out = horizontal(out, width, Coefficients.of(image.width(), width));
        }
        if (height != image.height()) {
            out = vertical(out, height, Coefficients.of(image.height(), height));
        }
        return out;
    }

    /**
     * torchvision's {@code Resize(size)} with an int: the shorter side becomes {@code size} and the
     * longer side {@code int(size * long / short)} (truncated, as torchvision 0.14 computes it).
     */
    public static RgbImage resizeShorterSide(RgbImage image, int size) {
        int[] wh = shorterSideSize(image.width(), image.height(), size);
        return resize(image, wh[0], wh[1]);
    }

    /** The {@code {width, height}} torchvision's {@code Resize(size)} gives a {@code width x height} image. */
    public static int[] shorterSideSize(int width, int height, int size) {
        checkSide(size);
        boolean wide = width > height;
        int shortSide = wide ? height : width;
        int longSide = wide ? width : height;
        int newLong = (int) ((double) ((long) size * longSide) / shortSide);
        return wide ? new int[] {newLong, size} : new int[] {size, newLong};
    }

    private static void checkSize(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("resize: size must be positive, got " + width + "x" + height);
        }
    }

    private static void checkSide(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("resize: size must be positive, got " + size);
        }
    }

    private static RgbImage horizontal(RgbImage in, int outWidth, Coefficients c) {
        int inWidth = in.width();
        int h = in.height();
        byte[] src = in.pixels();
        byte[] dst = new byte[3 * outWidth * h];
        for (int y = 0; y < h; y++) {
            int rowIn = y * inWidth * 3;
            int rowOut = y * outWidth * 3;
            for (int x = 0; x < outWidth; x++) {
                int[] k = c.weights[x];
                int first = c.first[x];
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                int p = rowIn + first * 3;
                for (int t = 0; t < k.length; t++, p += 3) {
                    int w = k[t];
                    r += (src[p] & 0xFF) * w;
                    g += (src[p + 1] & 0xFF) * w;
                    b += (src[p + 2] & 0xFF) * w;
                }
                int o = rowOut + x * 3;
                dst[o] = clip8(r);
                dst[o + 1] = clip8(g);
                dst[o + 2] = clip8(b);
            }
        }
        return new RgbImage(outWidth, h, dst);
    }

    private static RgbImage vertical(RgbImage in, int outHeight, Coefficients c) {
        int w = in.width();
        int stride = w * 3;
        byte[] src = in.pixels();
        byte[] dst = new byte[stride * outHeight];
        int[] acc = new int[stride];
        for (int y = 0; y < outHeight; y++) {
            java.util.Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            int[] k = c.weights[y];
            int p = c.first[y] * stride;
            for (int t = 0; t < k.length; t++, p += stride) {
                int wt = k[t];
                for (int i = 0; i < stride; i++) {
                    acc[i] += (src[p + i] & 0xFF) * wt;
                }
            }
            int o = y * stride;
            for (int i = 0; i < stride; i++) {
                dst[o + i] = clip8(acc[i]);
            }
        }
        return new RgbImage(w, outHeight, dst);
    }

    private static byte clip8(int v) {
        int s = v >> PRECISION_BITS;
        return (byte) (s < 0 ? 0 : Math.min(s, 255));
    }

    /** Per output index: the first input tap and the fixed-point weights of the taps. */
    static final class Coefficients {
        final int[] first;
        final int[][] weights;

        private Coefficients(int[] first, int[][] weights) {
            this.first = first;
            this.weights = weights;
        }

        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale;
            double reciprocal = 1.0 / filterScale;
            int[] first = new int[outSize];
            int[][] weights = new int[outSize][];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                int min = Math.max(0, (int) (center - support + 0.5));
                int max = Math.min(inSize, (int) (center + support + 0.5));
                int count = Math.max(0, max - min);
                double[] k = new double[count];
                double sum = 0.0;
                for (int t = 0; t < count; t++) {
                    double w = triangle((t + min - center + 0.5) * reciprocal);
                    k[t] = w;
                    sum += w;
                }
                int[] fixed = new int[count];
                for (int t = 0; t < count; t++) {
                    double w = sum != 0.0 ? k[t] / sum : k[t];
                    fixed[t] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                            : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                first[i] = min;
                weights[i] = fixed;
            }
            return new Coefficients(first, weights);
        }

        private static double triangle(double x) {
            double a = Math.abs(x);
            return a < 1.0 ? 1.0 - a : 0.0;
        }
    }
}
