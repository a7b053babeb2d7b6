package org.covidct.nn.data.image;

import java.util.random.RandomGenerator;

/**
 * torchvision's {@code RandomHorizontalFlip(p)}: mirrors the image left to right with probability
 * {@code p}. As torchvision does with {@code torch.rand(1) < p}, every call draws one
 * {@link RandomGenerator#nextDouble()}, whatever {@code p}, and flips when the draw is below
 * {@code p}; so {@code p = 0} never flips and {@code p = 1} always does.
 *
 * @param probability the probability {@code p} of a flip, in [0, 1]
 */
public record RandomHorizontalFlip(double probability) implements ImageStep {
    /** Checks that the probability is in [0, 1]. */
    public RandomHorizontalFlip {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("RandomHorizontalFlip: probability must be in [0, 1], got "
                    + probability);
        }
    }

    @Override
    public RgbImage apply(RgbImage image, RandomGenerator rng) {
        return rng.nextDouble() < probability ? image.flipHorizontal() : image;
    }
}
