package org.covidct.nn.data.image;

import java.util.random.RandomGenerator;

/**
 * torchvision 0.14's {@code RandomResizedCrop(size, scale, ratio)} on PIL images: choose a crop box
 * with {@link #sample}, crop, and resize the crop to {@code size x size} with Pillow's antialiased
 * bilinear filter.
 *
 * <p>The box is drawn as {@code get_params} draws it: up to 10 attempts, each taking
 * {@code target_area = H * W * U(scale)} and {@code aspect = exp(U(log ratio))}, then
 * {@code w = round(sqrt(target_area * aspect))}, {@code h = round(sqrt(target_area / aspect))}
 * (round half to even, as Python's {@code round}); the first attempt with {@code 0 < w <= W} and
 * {@code 0 < h <= H} places the box at a uniform {@code top} in {@code [0, H - h]} and {@code left}
 * in {@code [0, W - w]}. If all 10 fail, the box is centred: the whole image when its aspect ratio
 * is within {@code ratio}, otherwise the full width (or height) with the other side set by the
 * nearest ratio bound. As in torch, the uniform draws and the logarithms of the ratio bounds are
 * float32 values; the generator itself is the caller's, so the boxes are not torch's.
 *
 * @param size the side of the square output
 * @param minScale the smallest fraction of the image's area a crop covers, {@code scale[0]}
 * @param maxScale the largest fraction of the image's area a crop covers, {@code scale[1]}
 * @param minRatio the smallest width-to-height ratio of a crop, {@code ratio[0]}
 * @param maxRatio the largest width-to-height ratio of a crop, {@code ratio[1]}
 */
public record RandomResizedCrop(int size, double minScale, double maxScale, double minRatio, double maxRatio)
        implements ImageStep {
    /**
     * The COVID-CT tutorial's {@code RandomResizedCrop(size, scale=(0.5, 1.0))}, with torchvision's
     * default ratio (3/4, 4/3).
     */
    public static RandomResizedCrop tutorial(int size) {
        return new RandomResizedCrop(size, 0.5, 1.0, 3.0 / 4.0, 4.0 / 3.0);
    }

    /** Checks that the size is positive and the bounds ordered and positive. */
    public RandomResizedCrop {
        if (size <= 0) {
            throw new IllegalArgumentException("RandomResizedCrop: size must be positive, got " + size);
        }
        if (!(minScale > 0 && minScale <= maxScale) || !(minRatio > 0 && minRatio <= maxRatio)) {
            throw new IllegalArgumentException("RandomResizedCrop: need 0 < scale[0] <= scale[1] and "
                    + "0 < ratio[0] <= ratio[1], got scale (" + minScale + ", " + maxScale + "), ratio ("
                    + minRatio + ", " + maxRatio + ")");
        }
    }

    /**
     * A crop box.
     *
     * @param top the top row
     * @param left the left column
     * @param height the height in rows
     * @param width the width in columns
     * @param fallback whether no attempt fitted and the box is the centred fallback
     */
    public record Box(int top, int left, int height, int width, boolean fallback) {
    }

    /** The box for a {@code width x height} image, drawn from {@code rng}. */
    public Box sample(int width, int height, RandomGenerator rng) {
        double area = (double) width * height;
        float logLo = (float) Math.log((float) minRatio);
        float logHi = (float) Math.log((float) maxRatio);
        for (int attempt = 0; attempt < 10; attempt++) {
            double targetArea = area * uniform(rng, minScale, maxScale);
            double aspect = (float) Math.exp(uniform(rng, logLo, logHi));
            int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
            if (0 < w && w <= width && 0 < h && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new Box(top, left, h, w, false);
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < minRatio) {
            w = width;
            h = (int) Math.rint(w / minRatio);
        } else if (inRatio > maxRatio) {
            h = height;
            w = (int) Math.rint(h * maxRatio);
        } else {
            w = width;
            h = height;
        }
        return new Box((height - h) / 2, (width - w) / 2, h, w, true);
    }

    /** Crops {@code image} to a sampled box and resizes the crop to {@code size x size}. */
    @Override
    public RgbImage apply(RgbImage image, RandomGenerator rng) {
        Box b = sample(image.width(), image.height(), rng);
        return Resize.resize(image.crop(b.left(), b.top(), b.width(), b.height()), size, size);
    }

    private static float uniform(RandomGenerator rng, double lo, double hi) {
        return (float) (lo + (hi - lo) * rng.nextDouble());
    }
}
