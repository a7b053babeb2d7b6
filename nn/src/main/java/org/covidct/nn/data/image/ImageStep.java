package org.covidct.nn.data.image;

import java.util.random.RandomGenerator;

/**
 * One step of an image pipeline, as a torchvision transform on a PIL image: an RGB image in, an RGB
 * image out. A random step draws all its randomness from the generator it is given, so the same
 * generator state always gives the same output; a deterministic step ignores the generator.
 * {@link Compose} chains steps into an {@link ImageTransform}.
 */
@FunctionalInterface
public interface ImageStep {
    /** This step on {@code image}; may return {@code image} itself, which it must not modify. */
    RgbImage apply(RgbImage image, RandomGenerator rng);
}
