package org.covidct.nn.models;

import java.util.Locale;

/**
 * What a network holds in memory, counted from its architecture without building it, so that a
 * JVM's heap can be sized before the model exists. Counts are in floats.
 *
 * @param parameters    weights, biases and batch-norm statistics
 * @param savedPerImage the activations a training step keeps for backward, per image: the output of
 *                      every layer (convolution, batch norm, activation, pooling, dropout, linear)
 * @param livePerImage  the most a forward pass without gradients holds at once, per image: the
 *                      largest input plus output of any one layer
 */
public record Footprint(long parameters, long savedPerImage, long livePerImage) {
    /**
     * The footprint of {@code arch} (one of {@link Vgg#architectures()} or "mobilenet_v2", in its
     * torchvision variant, the larger) with {@code numClasses} outputs on square images of
     * {@code imageSize} pixels.
     */
    public static Footprint of(String arch, int numClasses, int imageSize) {
        if (imageSize < 1 || numClasses < 1) {
            throw new IllegalArgumentException("Footprint: image size " + imageSize + " and class count " + numClasses
                    + " must be positive");
        }
        String name = arch.toLowerCase(Locale.ROOT);
        if (name.equals("mobilenet_v2")) {
            return MobileNetV2.footprint(numClasses, imageSize);
        }
        if (Vgg.architectures().contains(name)) {
            return Vgg.footprint(name, numClasses, imageSize);
        }
        throw new IllegalArgumentException("Footprint: unknown architecture '" + arch + "'");
    }

    /** Accumulates a footprint layer by layer. */
    static final class Counter {
        private long parameters;
        private long saved;
        private long live;

        /** A layer with {@code weights} parameters, from {@code in} to {@code out} floats per image. */
        Counter layer(long weights, long in, long out) {
            parameters += weights;
            saved += out;
            live = Math.max(live, in + out);
            return this;
        }

        /** A layer that keeps the shape: batch norm (with its 4 floats per channel), activation, dropout. */
        Counter sameShape(long weights, long size) {
            return layer(weights, size, size);
        }

        Footprint footprint() {
            return new Footprint(parameters, saved, live);
        }
    }
}
