package org.covidct.nn.data.image;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * torchvision's {@code Compose([...steps, ToTensor(), Normalize(mean, std)])} as an
 * {@link ImageTransform}. The steps come in two lists: {@code prepare}, the deterministic leading
 * steps whose result a loader may cache (typically a resize), and {@code augment}, the rest, run in
 * order on the one generator the caller passes. The last step must leave an
 * {@code outputSize x outputSize} image.
 *
 * <pre>{@code
 * ImageTransform train = new Compose(
 *         List.of(Resize.shorterSide(256)),
 *         List.of(RandomResizedCrop.tutorial(224), new RandomHorizontalFlip(0.5)),
 *         224, Normalize.TUTORIAL);
 * }</pre>
 *
 * A prepare step that draws a random number fails with an {@link IllegalStateException}: caching
 * its result would repeat one augmentation in every epoch.
 *
 * @param prepare the deterministic leading steps
 * @param augment the remaining steps, random or not
 * @param outputSize the side {@code S} of the square image the steps end with
 * @param normalize the {@code ToTensor} and {@code Normalize} at the end
 */
public record Compose(List<ImageStep> prepare, List<ImageStep> augment, int outputSize, Normalize normalize)
        implements ImageTransform {
    /** Handed to prepare steps, which must not draw from it. */
    private static final RandomGenerator NO_RANDOMNESS = () -> {
        throw new IllegalStateException("Compose: a prepare step drew a random number; random steps belong in augment");
    };

    /** Copies the lists; checks that the output size is positive. */
    public Compose {
        if (outputSize <= 0) {
            throw new IllegalArgumentException("Compose: output size must be positive, got " + outputSize);
        }
        if (normalize == null) {
            throw new IllegalArgumentException("Compose: normalize is required");
        }
        prepare = List.copyOf(prepare);
        augment = List.copyOf(augment);
    }

    @Override
    public RgbImage prepare(RgbImage decoded) {
        RgbImage image = decoded;
        for (ImageStep step : prepare) {
            image = step.apply(image, NO_RANDOMNESS);
        }
        return image;
    }

    @Override
    public void apply(RgbImage prepared, RandomGenerator rng, float[] out, int offset) {
        RgbImage image = prepared;
        for (ImageStep step : augment) {
            image = step.apply(image, rng);
        }
        if (image.width() != outputSize || image.height() != outputSize) {
            throw new IllegalArgumentException("Compose: the steps left a " + image.width() + "x" + image.height()
                    + " image, expected " + outputSize + "x" + outputSize);
        }
        normalize.toTensor(image, out, offset);
    }
}
