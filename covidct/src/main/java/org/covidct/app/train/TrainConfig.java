package org.covidct.app.train;

import java.nio.file.Path;
import org.covidct.app.model.ClassifierModels;

/**
 * The settings of a training run; the defaults are the tutorial's.
 *
 * @param arch        a VGG name such as vgg19_bn
 * @param weights     initial weights: "none", a torchvision .pth or a .safetensors file
 * @param data        root of a COVID-CT checkout
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
 */
public record TrainConfig(String arch, String weights, Path data, Path out, int epochs, int batchSize,
                          int accumulate, float lr, float momentum, int imageSize, long seed, int workers,
                          int patience) {
    public TrainConfig {
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

    /** The same settings with another number of epochs. */
    public TrainConfig withEpochs(int other) {
        return new TrainConfig(arch, weights, data, out, other, batchSize, accumulate, lr, momentum, imageSize, seed,
                workers, patience);
    }

    /** The same settings with the data set at another place. */
    public TrainConfig withData(Path other) {
        return new TrainConfig(arch, weights, other, out, epochs, batchSize, accumulate, lr, momentum, imageSize, seed,
                workers, patience);
    }

    /** The same settings with other initial weights. */
    public TrainConfig withWeights(String other) {
        return new TrainConfig(arch, other, data, out, epochs, batchSize, accumulate, lr, momentum, imageSize, seed,
                workers, patience);
    }
}
