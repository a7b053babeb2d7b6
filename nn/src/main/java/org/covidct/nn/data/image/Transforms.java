package org.covidct.nn.data.image;

import java.util.random.RandomGenerator;

/**
 * The tutorial's two pipelines for an output side {@code S} (224 in the tutorial; the CLI's
 * {@code --image-size}).
 *
 * <ul>
 *   <li>{@link #train}: {@code Resize(R)} on the shorter side, {@code RandomResizedCrop(S,
 *       scale=(0.5, 1.0), ratio=(3/4, 4/3))}, {@code RandomHorizontalFlip(0.5)}, {@code ToTensor},
 *       {@code Normalize}. {@code R = round(S * 256 / 224)} keeps the tutorial's 256:224 proportion:
 *       256 for 224, 128 for 112. The crop box is drawn first, then one {@code nextDouble() < 0.5}
 *       decides the flip.</li>
 *   <li>{@link #eval}: {@code Resize((S, S))}, {@code ToTensor}, {@code Normalize}; no randomness.</li>
 * </ul>
 *
 * The {@code Resize} is the deterministic {@code prepare} stage, so a loader may cache its result.
 */
public final class Transforms {
    private Transforms() {
    }

    /** The shorter side the training pipeline resizes to before cropping to {@code size}. */
    public static int trainResizeFor(int size) {
        return (int) Math.round(size * 256.0 / 224.0);
    }

    public static ImageTransform train(int size) {
        return train(size, Normalize.TUTORIAL);
    }

    public static ImageTransform train(int size, Normalize normalize) {
        return new Train(trainResizeFor(size), RandomResizedCrop.tutorial(size), 0.5, normalize);
    }

    public static ImageTransform eval(int size) {
        return eval(size, Normalize.TUTORIAL);
    }

    public static ImageTransform eval(int size, Normalize normalize) {
        return new Eval(size, normalize);
    }

    /** Resize(shorter side), RandomResizedCrop, RandomHorizontalFlip(p), ToTensor, Normalize. */
    public record Train(int resize, RandomResizedCrop crop, double flipProbability, Normalize normalize)
            implements ImageTransform {
        public Train {
            if (resize <= 0) {
                throw new IllegalArgumentException("train transform: resize must be positive, got " + resize);
            }
            if (!(flipProbability >= 0 && flipProbability <= 1)) {
                throw new IllegalArgumentException("train transform: flip probability must be in [0, 1], got "
                        + flipProbability);
            }
        }

        @Override
        public int outputSize() {
            return crop.size();
        }

        @Override
        public RgbImage prepare(RgbImage decoded) {
            return Resize.resizeShorterSide(decoded, resize);
        }

        @Override
        public void apply(RgbImage prepared, RandomGenerator rng, float[] out, int offset) {
            RgbImage cropped = crop.apply(prepared, rng);
            boolean flip = rng.nextDouble() < flipProbability;
            normalize.toTensor(cropped, flip, out, offset);
        }
    }

    /** Resize((size, size)), ToTensor, Normalize. */
    public record Eval(int size, Normalize normalize) implements ImageTransform {
        public Eval {
            if (size <= 0) {
                throw new IllegalArgumentException("eval transform: size must be positive, got " + size);
            }
        }

        @Override
        public int outputSize() {
            return size;
        }

        @Override
        public RgbImage prepare(RgbImage decoded) {
            return Resize.resize(decoded, size, size);
        }

        @Override
        public void apply(RgbImage prepared, RandomGenerator rng, float[] out, int offset) {
            if (prepared.width() != size || prepared.height() != size) {
                throw new IllegalArgumentException("eval transform: expected a prepared " + size + "x" + size
                        + " image, got " + prepared.width() + "x" + prepared.height());
            }
            normalize.toTensor(prepared, false, out, offset);
        }
    }
}
