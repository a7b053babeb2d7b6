package org.covidct.app.train;

import java.nio.file.Path;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.models.Vgg;

/** A narrow VGG with torchvision's layout and loading rules, so training tests run in seconds. */
final class NarrowVgg {
    static final int[] CONFIG = {8, Vgg.M, 16, Vgg.M, 16, Vgg.M};

    static final Trainer.ModelFactory FACTORY = (config, gen) -> {
        Vgg model = new Vgg(CONFIG, true, 32, ClassifierModels.CLASSES, gen);
        if (!config.weights().equals("none")) {
            ClassifierModels.load(model, Path.of(config.weights()));
        }
        return model;
    };

    private NarrowVgg() {
    }

    static TrainConfig config(Path data, Path out, int epochs, float lr) {
        return new TrainConfig("narrow", "none", data, out, epochs, 4, 2, lr, 0.9f, 32, 7, 2, 5);
    }
}
