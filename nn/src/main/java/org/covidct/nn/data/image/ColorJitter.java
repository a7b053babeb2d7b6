package org.covidct.nn.data.image;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * torchvision 0.14's {@code ColorJitter(brightness, contrast)} on PIL images: scale the brightness
 * by a factor drawn uniformly from {@code [max(0, 1 - brightness), 1 + brightness]} and the
 * contrast by one from {@code [max(0, 1 - contrast), 1 + contrast]}, in a random order. A range of
 * 0 turns its adjustment off, as in torchvision.
 *
 * <p>Each call draws, in this order: one {@link RandomGenerator#nextDouble()} for the order
 * (brightness first when it is below 0.5, which is how often brightness precedes contrast in
 * torchvision's {@code torch.randperm(4)}); then, if brightness is on, one {@code nextDouble()}
 * {@code u} for its factor {@code lo + (hi - lo) * u} rounded to float32, as torch's
 * {@code uniform_} on a float tensor; then, if contrast is on, one for its factor likewise. The
 * order draw is made even when an adjustment is off, as torch always draws its permutation. The
 * generator is the caller's, so the factors and orders are torchvision's in distribution only.
 *
 * <p>{@link #adjustBrightness} and {@link #adjustContrast} are torchvision's
 * {@code F.adjust_brightness} and {@code F.adjust_contrast} on a PIL RGB image (Pillow 9.4's
 * {@code ImageEnhance}), bit for bit.
 *
 * @param brightness how far the brightness factor may stray from 1; finite and non-negative
 * @param contrast how far the contrast factor may stray from 1; finite and non-negative
 */
public record ColorJitter(double brightness, double contrast) implements ImageStep {
    /** Checks that both ranges are finite and non-negative. */
    public ColorJitter {
        checkRange("brightness", brightness);
        checkRange("contrast", contrast);
    }

    @Override
    public RgbImage apply(RgbImage image, RandomGenerator rng) {
        boolean brightnessFirst = rng.nextDouble() < 0.5;
        double b = brightness > 0 ? factor(rng, brightness) : 1.0;
        double c = contrast > 0 ? factor(rng, contrast) : 1.0;
        RgbImage out = image;
        if (brightnessFirst) {
            out = brightness > 0 ? adjustBrightness(out, b) : out;
            out = contrast > 0 ? adjustContrast(out, c) : out;
        } else {
            out = contrast > 0 ? adjustContrast(out, c) : out;
            out = brightness > 0 ? adjustBrightness(out, b) : out;
        }
        return out;
    }

    /**
     * torchvision's {@code F.adjust_brightness(img, factor)}: Pillow's {@code Image.blend} of a black
     * image and {@code image} with weight {@code factor} on {@code image}. 0 gives black, 1 the image
     * itself, above 1 brighter with values clipped at 255.
     *
     * <p>Pillow blends in float32: with {@code alpha = (float) factor}, each byte {@code v} becomes
     * {@code alpha * v}, truncated toward zero and clipped to 0..255.
     */
    public static RgbImage adjustBrightness(RgbImage image, double factor) {
        checkFactor("adjustBrightness", factor);
        return blendWithGray(image, 0, factor);
    }

    /**
     * torchvision's {@code F.adjust_contrast(img, factor)}: Pillow's {@code Image.blend} of a uniform
     * grey image and {@code image} with weight {@code factor} on {@code image}. 0 gives the grey
     * image, 1 the image itself, above 1 more contrast with values clipped to 0..255.
     *
     * <p>The grey level is {@code int(mean + 0.5)} of the image's luma, Pillow's
     * {@code convert("L")}: {@code L = (19595 R + 38470 G + 7471 B + 2^15) >> 16} per pixel (its
     * fixed-point form of {@code 0.299 R + 0.587 G + 0.114 B}). Each byte {@code v} becomes
     * {@code m + alpha * (v - m)} in float32 with {@code alpha = (float) factor}, truncated toward
     * zero and clipped to 0..255.
     */
    public static RgbImage adjustContrast(RgbImage image, double factor) {
        checkFactor("adjustContrast", factor);
        return blendWithGray(image, meanLumaLevel(image), factor);
    }

    /** {@code int(mean + 0.5)} of Pillow's {@code convert("L")} of {@code image}. */
    static int meanLumaLevel(RgbImage image) {
        byte[] px = image.pixels();
        long sum = 0;
        for (int i = 0; i < px.length; i += 3) {
            sum += ((px[i] & 0xFF) * 19595 + (px[i + 1] & 0xFF) * 38470 + (px[i + 2] & 0xFF) * 7471 + 0x8000) >> 16;
        }
        double mean = (double) sum / (px.length / 3);
        return (int) (mean + 0.5);
    }

    /**
     * Pillow's {@code ImagingBlend(gray, image, alpha)} with a uniform first image: copies at alpha 0
     * and 1, truncation inside [0, 1], truncation and clipping outside.
     */
    private static RgbImage blendWithGray(RgbImage image, int level, double factor) {
        float alpha = (float) factor;
        if (alpha == 1f) {
            return image;
        }
        byte[] src = image.pixels();
        byte[] out = new byte[src.length];
        if (alpha == 0f) {
            Arrays.fill(out, (byte) level);
            return new RgbImage(image.width(), image.height(), out);
        }
        boolean interpolate = alpha <= 1f;
        for (int i = 0; i < src.length; i++) {
            float v = level + alpha * ((src[i] & 0xFF) - level);
            int clipped = interpolate ? (int) v : v <= 0f ? 0 : v >= 255f ? 255 : (int) v;
            out[i] = (byte) clipped;
        }
        return new RgbImage(image.width(), image.height(), out);
    }

    /** A factor in {@code [max(0, 1 - range), 1 + range]}, from one draw, rounded to float32. */
    private static double factor(RandomGenerator rng, double range) {
        double lo = Math.max(0.0, 1 - range);
        double hi = 1 + range;
        return (float) (lo + (hi - lo) * rng.nextDouble());
    }

    private static void checkRange(String name, double value) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("ColorJitter: " + name + " must be finite and non-negative, got "
                    + value);
        }
    }

    private static void checkFactor(String name, double factor) {
        if (!(factor >= 0 && factor < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(name + ": factor must be finite and non-negative, got " + factor);
        }
    }
}
