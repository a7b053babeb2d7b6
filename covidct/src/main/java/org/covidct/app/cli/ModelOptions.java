package org.covidct.app.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import org.covidct.app.model.Architecture;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.data.image.Normalize;
import org.covidct.nn.io.ModelMetadata;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options that say which trained classifier to run. Our checkpoints and exports record the
 * architecture, input size and normalisation they were trained with, so {@code --weights} alone
 * is enough; a flag may repeat what the file records but not contradict it. Files that record
 * nothing (older checkpoints, PyTorch state dicts) take the flags, or their defaults.
 */
public final class ModelOptions {
    @Option(names = "--weights", required = true, paramLabel = "FILE",
            description = "a checkpoint or export of ours (which records its architecture, image size and "
                    + "normalisation), or a 2-class torchvision-format state dict (.pth or .safetensors)")
    Path weights;

    @Option(names = "--arch", paramLabel = "ARCH", description = "the weights' architecture: ${COMPLETION-CANDIDATES} "
            + "(default: what --weights records, else vgg19_bn)")
    Architecture arch;

    @Option(names = "--image-size", paramLabel = "PIXELS",
            description = "network input side (default: what --weights records, else 224)")
    Integer imageSize;

    /** The file --weights names. */
    public Path weights() {
        return weights;
    }

    /** The model to run, as --weights records it or else as the flags say; the usage errors first. */
    public ModelMetadata resolve(CommandSpec spec) throws IOException {
        return resolve(weights, arch, imageSize, message -> new ParameterException(spec.commandLine(), message));
    }

    /**
     * The model that {@code weights} records, or for a file that records none the one that
     * {@code arch} and {@code imageSize} (either null for its default) describe; a setting that is
     * out of range or contradicts the file is thrown as {@code usageError} makes it.
     */
    public static ModelMetadata resolve(Path weights, Architecture arch, Integer imageSize,
                                        Function<String, RuntimeException> usageError) throws IOException {
        if (imageSize != null && !ClassifierModels.isImageSize(imageSize)) {
            throw usageError.apply(ClassifierModels.imageSizeError(imageSize));
        }
        Optional<ModelMetadata> recorded = ModelMetadata.read(weights);
        if (recorded.isEmpty()) {
            return ClassifierModels.describe((arch != null ? arch : Architecture.DEFAULT).name(),
                    imageSize != null ? imageSize : ClassifierModels.DEFAULT_IMAGE_SIZE, Normalize.TUTORIAL);
        }
        ModelMetadata m = recorded.get();
        ClassifierModels.checkRunnable(m, weights);
        if (arch != null && !arch.name().equals(m.architecture())) {
            throw usageError.apply("--arch " + arch + " contradicts " + weights + ", trained as " + m.architecture());
        }
        if (imageSize != null && imageSize != m.imageSize()) {
            throw usageError.apply("--image-size " + imageSize + " contradicts " + weights + ", trained at "
                    + m.imageSize());
        }
        return m;
    }

    /** The classifier {@code model} describes, with the weights of --weights. */
    public Module load(ModelMetadata model) throws IOException {
        return ClassifierModels.build(model.architecture(), weights.toString(), new Generator(0));
    }
}
