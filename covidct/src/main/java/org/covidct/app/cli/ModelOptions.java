package org.covidct.app.cli;

import java.io.IOException;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.models.Vgg;
import picocli.CommandLine.Option;

/** The options that say which trained classifier to run: weights, architecture and input size. */
public final class ModelOptions {
    @Option(names = "--weights", required = true,
            description = "a checkpoint of ours, or a 2-class torchvision-format state dict (.pth or .safetensors)")
    String weights;

    @Option(names = "--arch", defaultValue = "vgg19_bn", description = "the weights' architecture (default: ${DEFAULT-VALUE})")
    String arch;

    @Option(names = "--image-size", defaultValue = "224", description = "network input side (default: ${DEFAULT-VALUE})")
    int imageSize;

    Vgg load() throws IOException {
        if (!Vgg.architectures().contains(arch)) {
            throw new IllegalArgumentException("--arch " + arch + ": expected one of " + Vgg.architectures());
        }
        return ClassifierModels.build(arch, weights, new Generator(0));
    }
}
