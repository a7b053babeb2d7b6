package org.covidct.app.cli;

import java.io.IOException;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import picocli.CommandLine.Option;

/** The options that say which trained classifier to run: weights, architecture and input size. */
public final class ModelOptions {
    @Option(names = "--weights", required = true,
            description = "a checkpoint of ours, or a 2-class torchvision-format state dict (.pth or .safetensors)")
    String weights;

    @Option(names = "--arch", defaultValue = "vgg19_bn",
            description = "the weights' architecture: vgg11 ... vgg19_bn or mobilenet_v2 (default: ${DEFAULT-VALUE})")
    String arch;

    @Option(names = "--image-size", defaultValue = "224", description = "network input side (default: ${DEFAULT-VALUE})")
    int imageSize;

    Module load() throws IOException {
        checkArch();
        return ClassifierModels.build(arch, weights, new Generator(0));
    }

    void checkArch() {
        if (!ClassifierModels.architectures().contains(arch)) {
            throw new IllegalArgumentException("--arch " + arch + ": expected one of " + ClassifierModels.architectures());
        }
    }
}
