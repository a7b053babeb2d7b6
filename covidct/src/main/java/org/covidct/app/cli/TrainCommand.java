package org.covidct.app.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import org.covidct.app.analyze.RunAnalysis;
import org.covidct.app.model.ClassifierModels;
import org.covidct.app.train.RunDirectory;
import org.covidct.app.train.TrainConfig;
import org.covidct.app.train.Trainer;
import org.covidct.tensor.Device;
import org.covidct.nn.io.WeightFileException;
import org.covidct.nn.io.WeightsTool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code train}: the tutorial's fine-tuning run, or {@code --resume} of a killed one. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fine-tune a VGG on COVID-CT: SGD with momentum, gradient accumulation, early stopping, "
                + "validation every epoch, the best model tested at the end.")
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--data", description = "root of a COVID-CT checkout (Images-processed/, Data-split/)")
    Path data;

    @Option(names = "--arch", defaultValue = "vgg19_bn",
            description = "vgg11, vgg11_bn, ..., vgg19_bn, or mobilenet_v2 (default: ${DEFAULT-VALUE})")
    String arch;

    @Option(names = "--weights", description = "initial weights: torchvision's ImageNet .pth or .safetensors file, "
            + "for mobilenet_v2 also a TFLite ImageNet file, or none to train from scratch "
            + "(default: the file `weights download` caches for --arch, else none)")
    String weights;

    @Option(names = "--out", description = "run directory (default: runs/<arch>-<date>)")
    Path out;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "continue a run from its last checkpoint")
    Path resume;

    @Option(names = "--epochs", defaultValue = "60", description = "at most this many epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "8", description = "images per batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--accumulate", defaultValue = "8",
            description = "batches per SGD step: 8 x 8 = 64 images per update (default: ${DEFAULT-VALUE})")
    int accumulate;

    @Option(names = "--lr", description = "initial learning rate (default: 0.01, the tutorial's, for the VGGs; "
            + "0.001 for mobilenet_v2, whose batch-norm-free TFLite network collapses at 0.01)")
    Float lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    float momentum;

    @Option(names = "--image-size", defaultValue = "224",
            description = "network input side; 112 makes CPU runs about 4x faster (default: ${DEFAULT-VALUE})")
    int imageSize;

    @Option(names = "--seed", defaultValue = "0", description = "seed of everything random (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--workers", description = "image decoding threads (default: the number of cores)")
    Integer workers;

    @Option(names = "--patience", defaultValue = "5", description = "early-stopping patience in epochs (default: ${DEFAULT-VALUE})")
    int patience;

    @Option(names = "--no-analyze", description = "skip analyze (Grad-CAM galleries and report.html) at the end")
    boolean noAnalyze;

    @Override
    public Integer call() throws Exception {
        Device device = deviceOption.resolve(spec.commandLine().getErr());
        PrintStream log = System.out;
        Trainer.ModelFactory models = (config, gen) -> ClassifierModels.build(config.arch(), config.weights(), gen);
        if (resume != null) {
            // A fresh mobilenet_v2 must have the variant (folded or not) of the checkpoint it resumes from.
            Path last = new RunDirectory(resume).lastCheckpoint();
            Trainer.ModelFactory resumed = (config, gen) -> ClassifierModels.build(config.arch(), config.weights(), gen,
                    Files.isRegularFile(last) ? last : null);
            Path runDir = Trainer.resume(resume, resumed, device, log).runDir();
            RunAnalysis.afterTraining(runDir, !noAnalyze, device, log);
            return 0;
        }
        if (data == null) {
            throw new IllegalArgumentException("train: --data DIR is required (the root of a COVID-CT checkout)");
        }
        if (!ClassifierModels.architectures().contains(arch)) {
            throw new IllegalArgumentException("--arch " + arch + ": expected one of " + ClassifierModels.architectures());
        }
        TrainConfig config = new TrainConfig(arch, initialWeights(), data,
                out != null ? out : Path.of("runs", arch + "-" + LocalDateTime.now().format(
                        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))),
                epochs, batchSize, accumulate, lr != null ? lr : defaultLearningRate(arch), momentum, imageSize, seed,
                workers != null ? workers : Runtime.getRuntime().availableProcessors(), patience);
        Trainer trainer = new Trainer(config, models, log).onDevice(device);
        RunAnalysis.afterTraining(trainer.train().runDir(), !noAnalyze, device, log);
        return 0;
    }

    /**
     * The tutorial's 0.01 for the VGGs. MobileNetV2 gets 0.001: fine-tuned from a TFLite file it has
     * no batch norm (folded into the convolutions), and at 0.01 with momentum 0.9 it collapses within
     * an epoch to predicting one class; from scratch it trains at either rate.
     */
    static float defaultLearningRate(String arch) {
        return arch.equals(ClassifierModels.MOBILENET_V2) ? 0.001f : 0.01f;
    }

    private String initialWeights() throws WeightFileException {
        if (weights != null) {
            if (!weights.equals("none") && !Files.isRegularFile(Path.of(weights))) {
                throw new WeightFileException(weights + ": no such weight file");
            }
            return weights;
        }
        if (arch.equals(ClassifierModels.MOBILENET_V2)) {
            spec.commandLine().getErr().println("warning: no weights given for " + arch + "; training from scratch "
                    + "(--weights FILE names ImageNet weights: a TFLite MobileNetV2 or torchvision's .pth)");
            return "none";
        }
        Path cached = WeightsTool.defaultCacheDir().resolve(TorchvisionUrls.fileName(arch));
        if (!Files.isRegularFile(cached)) {
            spec.commandLine().getErr().println("warning: no ImageNet weights for " + arch + " at " + cached
                    + "; training from scratch (`covidct weights download --arch " + arch
                    + "` fetches them; --weights FILE names a file)");
            return "none";
        }
        return cached.toString();
    }
}
