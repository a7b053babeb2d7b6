package org.covidct.spark.score;

import java.io.Serializable;
import org.covidct.app.cli.DeviceOption;
import org.covidct.app.model.Architecture;
import org.covidct.app.model.ClassifierModels;

/**
 * How {@link CovidCtScoring} runs the classifier, with {@code predict}'s defaults.
 *
 * @param arch      the weights' architecture when the file does not record it; null for the
 *                  recorded one, else vgg19_bn
 * @param imageSize the network input side when the file does not record it; null for the
 *                  recorded one, else 224
 * @param batchSize images per forward pass on an executor
 * @param device    auto (an executor's GPU where it has a usable one, else its CPU), cpu or cuda
 */
public record ScoreOptions(Architecture arch, Integer imageSize, int batchSize, DeviceOption.Choice device)
        implements Serializable {
    /** predict's default batch. */
    public static final int DEFAULT_BATCH_SIZE = 8;

    public ScoreOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size " + batchSize + ": must be at least 1");
        }
        if (imageSize != null && !ClassifierModels.isImageSize(imageSize)) {
            throw new IllegalArgumentException(ClassifierModels.imageSizeError(imageSize));
        }
        if (device == null) {
            throw new IllegalArgumentException("device must be auto, cpu or cuda, got null");
        }
    }

    /** What the weights record, batches of 8, on the executor's GPU where it has one. */
    public static ScoreOptions defaults() {
        return new ScoreOptions(null, null, DEFAULT_BATCH_SIZE, DeviceOption.Choice.auto);
    }

    public ScoreOptions withBatchSize(int images) {
        return new ScoreOptions(arch, imageSize, images, device);
    }

    public ScoreOptions withDevice(DeviceOption.Choice choice) {
        return new ScoreOptions(arch, imageSize, batchSize, choice);
    }

    /** For weights that record nothing: their architecture and input side. */
    public ScoreOptions withModel(Architecture architecture, Integer side) {
        return new ScoreOptions(architecture, side, batchSize, device);
    }
}
