package org.covidct.app.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.covidct.app.model.Architecture;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.data.DataLoader;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.image.Transforms;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code predict}: one CSV line per image with the probability of the positive class (COVID) and the
 * predicted class, named as the weights record it, through the val/test transform. Images stream through in batches, each batch's lines printed as soon as
 * it is done, so a long list starts answering at once and needs no more memory than a short one.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify CT images; prints CSV: path,covid_probability,prediction (the positive class's "
                + "probability, and the class name the weights record). With "
                + "--imagenet, the top 5 ImageNet classes of a TFLite mobilenet_v2: path,rank,label,probability.")
public final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--imagenet", description = "keep the ImageNet head of a TFLite mobilenet_v2 (--weights FILE.tflite, "
            + "with imagenet_labels.txt beside it) and print each image's top 5 classes (default: the CT classifier)")
    boolean imagenet;

    @Option(names = "--batch-size", defaultValue = "8", description = "images per forward pass (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG, JPEG or BMP files (with --imagenet also raw *.rgb)")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        requireBatchFits(ClassifierModels.MIN_IMAGE_SIZE); // before any file is read
        if (imagenet) {
            if (model.arch != Architecture.mobilenet_v2) {
                throw new ParameterException(spec.commandLine(), "--imagenet needs --arch mobilenet_v2 and a TFLite "
                        + "file, got " + (model.arch == null ? "no --arch" : "--arch " + model.arch));
            }
            int side = model.imageSize != null ? model.imageSize : ClassifierModels.DEFAULT_IMAGE_SIZE;
            if (!ClassifierModels.isImageSize(side)) {
                throw new ParameterException(spec.commandLine(), ClassifierModels.imageSizeError(side));
            }
            requireBatchFits(side);
            Device device = deviceOption.resolve(spec.commandLine().getErr());
            ImageNetPredict.run(model.weights, side, images, batchSize, device, spec.commandLine().getOut());
            return 0;
        }
        ModelMetadata described = model.resolve(spec);
        requireBatchFits(described.imageSize());
        Device device = deviceOption.resolve(spec.commandLine().getErr());
        List<Sample> samples = images.stream().map(p -> new Sample(p, 0)).toList();
        PrintWriter out = spec.commandLine().getOut();
        try (Module net = Sequential.fuseForInference(model.load(described));
             DataLoader loader = DataLoader.builder(samples, Transforms.eval(described.imageSize(),
                             ClassifierModels.normalize(described))).batchSize(batchSize).shuffle(false)
                     .workers(Runtime.getRuntime().availableProcessors()).cacheBytes(0).device(device).build()) {
            net.to(device);
            PredictionCsv.write(net, loader, described.classNames(), out);
        }
        return 0;
    }

    private void requireBatchFits(int side) {
        ClassifierModels.batchSizeError(batchSize, side).ifPresent(error -> {
            throw new ParameterException(spec.commandLine(), error);
        });
    }
}
