package org.covidct.app.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.covidct.app.model.ClassifierModels;

/**
 * How a run optimises, beyond its data and model: the optimiser, the learning-rate schedule, the
 * loss's label smoothing, the augmentation, a frozen backbone for the first epochs, a moving average
 * of the weights and test-time augmentation. {@link #TUTORIAL} is the tutorial's pipeline, the
 * default; {@link #TRANSFER} is a fine-tuning recipe past it. A run records its recipe in
 * config.json, and every field can be set on its own from the command line.
 *
 * @param name            the preset the run started from ("tutorial" or "transfer"), for the record
 * @param optimizer       SGD with momentum or AdamW (betas 0.9, 0.999, eps 1e-8)
 * @param weightDecay     L2 penalty for SGD, decoupled decay for AdamW
 * @param schedule        the tutorial's plateau rule with early stopping, or warm-up then cosine
 *                        annealing over the whole run, stepped at every optimiser step
 * @param warmupEpochs    epochs of linear warm-up before the cosine (cosine schedule only)
 * @param labelSmoothing  the cross-entropy's label smoothing, in [0, 1)
 * @param augmentation    the tutorial's crop and flip, or {@code Transforms.trainStrong}'s stronger set
 * @param freezeEpochs    epochs in which only the new classifier head trains, the backbone frozen
 * @param emaDecay        the per-step decay of an average of the weights that validation and test
 *                        use (and the best checkpoint holds); 0 for none
 * @param testTimeFlip    validation and test average the logits of each image and its mirror image
 */
public record TrainingRecipe(String name, OptimizerKind optimizer, float weightDecay, Schedule schedule,
                             int warmupEpochs, float labelSmoothing, Augmentation augmentation, int freezeEpochs,
                             float emaDecay, boolean testTimeFlip) {
    /** The optimisers a run can use. */
    public enum OptimizerKind { SGD, ADAMW }

    /** The learning-rate schedules a run can use. */
    public enum Schedule {
        /** The tutorial's: the rate divided by ten when validation loss stalls, early stopping after both patiences. */
        PLATEAU,
        /** Linear warm-up from 1% of the rate, then cosine annealing to 0 at the run's last step; no early stop. */
        COSINE
    }

    /** The training images' augmentation. */
    public enum Augmentation { TUTORIAL, STRONG }

    /** The tutorial's pipeline: SGD with momentum, the plateau rule, crop and flip, nothing else. */
    public static final TrainingRecipe TUTORIAL = new TrainingRecipe("tutorial", OptimizerKind.SGD, 0f,
            Schedule.PLATEAU, 0, 0f, Augmentation.TUTORIAL, 0, 0f, false);

    /**
     * Fine-tuning past the tutorial: AdamW with weight decay 0.05, one warm-up epoch then cosine,
     * label smoothing 0.1, stronger augmentation, the backbone frozen for two epochs, an average of
     * the weights (decay 0.99 per step) and mirror-image test-time augmentation.
     */
    public static final TrainingRecipe TRANSFER = new TrainingRecipe("transfer", OptimizerKind.ADAMW, 0.05f,
            Schedule.COSINE, 1, 0.1f, Augmentation.STRONG, 2, 0.99f, true);

    public TrainingRecipe {
        if (!(weightDecay >= 0f) || Float.isInfinite(weightDecay) || warmupEpochs < 0 || freezeEpochs < 0
                || !(labelSmoothing >= 0f && labelSmoothing < 1f) || !(emaDecay >= 0f && emaDecay < 1f)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "invalid recipe settings: weight decay %s, "
                    + "warm-up epochs %d, label smoothing %s (0 to below 1), freeze epochs %d, EMA decay %s (0 to "
                    + "below 1)", weightDecay, warmupEpochs, labelSmoothing, freezeEpochs, emaDecay));
        }
    }

    /** How config.json and the command line name a setting's value: ADAMW as adamw. */
    public static String nameOf(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The value of {@code type} that {@code name} names, in any case; empty when none does. */
    public static <E extends Enum<E>> Optional<E> byName(Class<E> type, String name) {
        return Arrays.stream(type.getEnumConstants()).filter(c -> c.name().equalsIgnoreCase(name)).findFirst();
    }

    /** The names of {@code type}'s values, as in {@code [sgd, adamw]}. */
    public static String names(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(TrainingRecipe::nameOf).toList().toString();
    }

    /** The preset called {@code name}: tutorial or transfer. */
    public static TrainingRecipe preset(String name) {
        return switch (name) {
            case "tutorial" -> TUTORIAL;
            case "transfer" -> TRANSFER;
            default -> throw new IllegalArgumentException("unknown recipe '" + name + "': expected tutorial or transfer");
        };
    }

    /** Whether validation and test use an average of the weights. */
    public boolean averagesWeights() {
        return emaDecay > 0f;
    }

    /** The recipe's default limit on epochs: the tutorial's 60, which its early stopping cuts short; 30 otherwise. */
    public int defaultEpochs() {
        return isTutorial() ? 60 : 30;
    }

    /**
     * The recipe's default batches per optimiser step: the tutorial's 8; otherwise 2, for more, smaller
     * steps, which the average of the weights and the schedule work in.
     */
    public int defaultAccumulate() {
        return isTutorial() ? 8 : 2;
    }

    private boolean isTutorial() {
        return name.equals(TUTORIAL.name);
    }

    /** The recipe's default initial learning rate for {@code arch}; {@code --lr} overrides it. */
    public float defaultLearningRate(String arch) {
        if (optimizer == OptimizerKind.ADAMW) {
            return 1e-4f;
        }
        // MobileNetV2 from a TFLite file has no batch norm (folded into the convolutions), and at
        // 0.01 with momentum 0.9 it collapses within an epoch to predicting one class.
        return arch.equals(ClassifierModels.MOBILENET_V2) ? 0.001f : 0.01f;
    }

    /** The same recipe with each given setting replaced; null keeps the recipe's own. */
    public TrainingRecipe with(OptimizerKind optimizer, Float weightDecay, Schedule schedule, Integer warmupEpochs,
                               Float labelSmoothing, Augmentation augmentation, Integer freezeEpochs, Float emaDecay,
                               Boolean testTimeFlip) {
        return new TrainingRecipe(name, or(optimizer, this.optimizer), or(weightDecay, this.weightDecay),
                or(schedule, this.schedule), or(warmupEpochs, this.warmupEpochs),
                or(labelSmoothing, this.labelSmoothing), or(augmentation, this.augmentation),
                or(freezeEpochs, this.freezeEpochs), or(emaDecay, this.emaDecay), or(testTimeFlip, this.testTimeFlip));
    }

    private static <T> T or(T given, T own) {
        return given != null ? given : own;
    }
}
