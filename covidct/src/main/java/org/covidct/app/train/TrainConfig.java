package org.covidct.app.train;

import java.nio.file.Path;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.data.split.SplitFractions;

/**
 * The settings of a training run; the defaults are the tutorial's.
 *
 * @param arch        a VGG name such as vgg19_bn
 * @param weights     initial weights: "none", a torchvision .pth or a .safetensors file
 * @param data        a COVID-CT checkout, an ImageFolder tree or a CSV manifest
 * @param out         the run directory
 * @param epochs      at most this many epochs
 * @param batchSize   images per forward pass
 * @param accumulate  batches whose gradients make one SGD step
 * @param lr          initial learning rate
 * @param momentum    SGD momentum
 * @param imageSize   side of the square network input
 * @param seed        seeds initialisation, shuffling, augmentation and dropout
 * @param workers     data-loading threads
 * @param patience    the early-stopping patience
 * @param positiveClass the data set's class that is positive, or null for the one its class names
 *                    make positive
 * @param splitFractions the shares of train, val and test where the data set leaves its split open;
 *                    the split is seeded with {@code seed}
 * @param recipe      the optimiser, schedule, augmentation and the rest ({@link TrainingRecipe#TUTORIAL}
 *                    by default)
 */
public record TrainConfig(String arch, String weights, Path data, Path out, int epochs, int batchSize,
                          int accumulate, float lr, float momentum, int imageSize, long seed, int workers,
                          int patience, String positiveClass, SplitFractions splitFractions, TrainingRecipe recipe) {
    /** Settings for a data set whose class names say which is positive, split in COVID-CT's proportions where open. */
    public TrainConfig(String arch, String weights, Path data, Path out, int epochs, int batchSize, int accumulate,
                       float lr, float momentum, int imageSize, long seed, int workers, int patience) {
        this(arch, weights, data, out, epochs, batchSize, accumulate, lr, momentum, imageSize, seed, workers, patience,
                null, SplitFractions.COVID_CT, TrainingRecipe.TUTORIAL);
    }

    public TrainConfig {
        if (splitFractions == null || recipe == null) {
            throw new IllegalArgumentException("invalid training settings: no split fractions or no recipe");
        }
        if (epochs < 1 || batchSize < 1 || accumulate < 1 || !ClassifierModels.isImageSize(imageSize) || workers < 1
                || patience < 0) {
            throw new IllegalArgumentException("invalid training settings: epochs " + epochs + ", batch size "
                    + batchSize + ", accumulate " + accumulate + ", image size " + imageSize + " ("
                    + ClassifierModels.MIN_IMAGE_SIZE + " to " + ClassifierModels.MAX_IMAGE_SIZE + "), workers "
                    + workers + ", patience " + patience);
        }
        ClassifierModels.batchSizeError(batchSize, imageSize).ifPresent(error -> {
            throw new IllegalArgumentException(error);
        });
        if (!(lr > 0) || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("invalid training settings: learning rate " + lr + ", momentum " + momentum);
        }
    }

    /** The same settings with another recipe. */
    public TrainConfig withRecipe(TrainingRecipe other) {
        return new TrainConfig(arch, weights, data, out, epochs, batchSize, accumulate, lr, momentum, imageSize, seed,
                workers, patience, positiveClass, splitFractions, other);
    }

    /** The same settings with another seed and run directory: one run of several seeds. */
    public TrainConfig withSeed(long other, Path otherOut) {
        return new TrainConfig(arch, weights, data, otherOut, epochs, batchSize, accumulate, lr, momentum, imageSize,
                other, workers, patience, positiveClass, splitFractions, recipe);
    }

    /** The same settings with another number of data-loading threads. */
    public TrainConfig withWorkers(int other) {
        return new TrainConfig(arch, weights, data, out, epochs, batchSize, accumulate, lr, momentum, imageSize, seed,
                other, patience, positiveClass, splitFractions, recipe);
    }

    /** The same settings with another number of epochs. */
    public TrainConfig withEpochs(int other) {
        return new TrainConfig(arch, weights, data, out, other, batchSize, accumulate, lr, momentum, imageSize, seed,
                workers, patience, positiveClass, splitFractions, recipe);
    }

    /** The same settings with the data set at another place. */
    public TrainConfig withData(Path other) {
        return new TrainConfig(arch, weights, other, out, epochs, batchSize, accumulate, lr, momentum, imageSize, seed,
                workers, patience, positiveClass, splitFractions, recipe);
    }

    /** The same settings with other initial weights. */
    public TrainConfig withWeights(String other) {
        return new TrainConfig(arch, other, data, out, epochs, batchSize, accumulate, lr, momentum, imageSize, seed,
                workers, patience, positiveClass, splitFractions, recipe);
    }

    /** The same settings with the positive class named. */
    public TrainConfig withPositiveClass(String name) {
        return new TrainConfig(arch, weights, data, out, epochs, batchSize, accumulate, lr, momentum, imageSize, seed,
                workers, patience, name, splitFractions, recipe);
    }
}
