package org.covidct.nn.data.image;

import java.util.List;

/**
 * Ready-made {@link Compose} pipelines for classifying square crops of side {@code S}: those of the
 * COVID-CT tutorial, and a training pipeline with stronger augmentation.
 *
 * <ul>
 *   <li>{@link #train}: {@code Resize(R)} on the shorter side, {@code RandomResizedCrop(S,
 *       scale=(0.5, 1.0), ratio=(3/4, 4/3))}, {@code RandomHorizontalFlip(0.5)}, {@code ToTensor},
 *       {@code Normalize}. {@code R = round(S * 256 / 224)} keeps the 256:224 proportion: 256 for
 *       224, 128 for 112. The crop box is drawn first, then the flip.</li>
 *   <li>{@link #trainStrong}: {@code Resize(R)} on the shorter side, {@code RandomResizedCrop(S,
 *       scale=(0.35, 1.0), ratio=(3/4, 4/3))}, {@code RandomHorizontalFlip(0.5)},
 *       {@code RandomRotation(10)}, {@code ColorJitter(brightness=0.2, contrast=0.2)},
 *       {@code ToTensor}, {@code Normalize}, with the same {@code R}. Each step draws from the
 *       generator in that order.</li>
 *   <li>{@link #eval}: {@code Resize((S, S))}, {@code ToTensor}, {@code Normalize}; no randomness.</li>
 * </ul>
 *
 * The first {@code Resize} is the deterministic prepare stage, so a loader may cache its result.
 */
public final class Transforms {
    private Transforms() {
    }

    /** The shorter side the training pipeline resizes to before cropping to {@code size}. */
    public static int trainResizeFor(int size) {
        return (int) Math.round(size * 256.0 / 224.0);
    }

    /** The training pipeline for output side {@code size}, with {@link Normalize#TUTORIAL}. */
    public static ImageTransform train(int size) {
        return train(size, Normalize.TUTORIAL);
    }

    /** The training pipeline for output side {@code size}. */
    public static ImageTransform train(int size, Normalize normalize) {
        return new Compose(List.of(Resize.shorterSide(trainResizeFor(size))),
                List.of(RandomResizedCrop.tutorial(size), new RandomHorizontalFlip(0.5)), size, normalize);
    }

    /**
     * The training pipeline with stronger augmentation for output side {@code size}: a wider crop
     * scale, a small rotation and brightness and contrast jitter on top of {@link #train}'s steps.
     */
    public static ImageTransform trainStrong(int size, Normalize normalize) {
        return new Compose(List.of(Resize.shorterSide(trainResizeFor(size))),
                List.of(new RandomResizedCrop(size, 0.35, 1.0, 3.0 / 4.0, 4.0 / 3.0), new RandomHorizontalFlip(0.5),
                        new RandomRotation(10), new ColorJitter(0.2, 0.2)),
                size, normalize);
    }

    /** The evaluation pipeline for output side {@code size}, with {@link Normalize#TUTORIAL}. */
    public static ImageTransform eval(int size) {
        return eval(size, Normalize.TUTORIAL);
    }

    /** The evaluation pipeline for output side {@code size}. */
    public static ImageTransform eval(int size, Normalize normalize) {
        return new Compose(List.of(Resize.to(size, size)), List.of(), size, normalize);
    }
}
