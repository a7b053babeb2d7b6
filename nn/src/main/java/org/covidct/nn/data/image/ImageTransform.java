package org.covidct.nn.data.image;

import java.util.random.RandomGenerator;

/**
 * An image pipeline from a decoded RGB image to a normalised {@code [3, S, S]} float tensor, split
 * in two: {@link #prepare}, the deterministic leading steps (a loader may cache its result), and
 * {@link #apply}, the rest, drawing any randomness from the generator it is given. {@link Compose}
 * builds one from {@link ImageStep}s; {@link Transforms} has ready-made ones.
 */
public interface ImageTransform {
    /** The side {@code S} of the square output. */
    int outputSize();

    /** The deterministic leading steps; may return {@code decoded} itself. */
    RgbImage prepare(RgbImage decoded);

    /**
     * The remaining steps on a {@link #prepare prepared} image, writing {@code 3 * S * S} floats in
     * channel-major (CHW) order to {@code out} from {@code offset}.
     */
    void apply(RgbImage prepared, RandomGenerator rng, float[] out, int offset);

    /** Both stages on a decoded image, as a new CHW array. */
    default float[] transform(RgbImage decoded, RandomGenerator rng) {
        int s = outputSize();
        float[] out = new float[3 * s * s];
        apply(prepare(decoded), rng, out, 0);
        return out;
    }
}
