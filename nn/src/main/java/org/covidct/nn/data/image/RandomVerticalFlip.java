package org.covidct.nn.data.image;

import java.util.random.RandomGenerator;

/**
 * torchvision's {@code RandomVerticalFlip(p)}: mirrors the image top to bottom with probability
 * {@code p}. As torchvision does with {@code torch.rand(1) < p}, every call draws one
 * {@link RandomGenerator#nextDouble()}, whatever {@code p}, and flips when the draw is below
 * {@code p}; so {@code p = 0} never flips and {@code p = 1} always does.
 *
 * @param probability the probability {@code p} of a flip, in [0, 1]
 */
public record RandomVerticalFlip(double probability) implements ImageStep {
    /** Checks that the probability is in [0, 1]. */
    public RandomVerticalFlip {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("RandomVerticalFlip: probability must be in [0, 1], got "
                    + probability);
        }
    }

    @Override
    public RgbImage apply(RgbImage image, RandomGenerator rng) {
        return rng.nextDouble() < probability ? image.flipVertical() : image;
    }
}
