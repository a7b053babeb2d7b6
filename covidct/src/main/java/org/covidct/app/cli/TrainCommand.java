package org.covidct.app.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.covidct.app.analyze.RunAnalysis;
import org.covidct.app.data.PositiveClassException;
import org.covidct.app.model.Architecture;
import org.covidct.app.model.ClassifierModels;
import org.covidct.app.train.ResumeOptions;
import org.covidct.app.train.RunDirectory;
import org.covidct.app.train.SeedRuns;
import org.covidct.app.train.SeedSummary;
import org.covidct.app.train.TrainConfig;
import org.covidct.app.train.Trainer;
import org.covidct.app.train.TrainingRecipe;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.data.split.SplitFractions;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.nn.io.TorchvisionWeights;
import org.covidct.nn.io.WeightFileException;
import org.covidct.nn.io.WeightsDownload;
import org.covidct.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code train}: the tutorial's fine-tuning run, or {@code --resume} of a killed one. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fine-tune a VGG or MobileNetV2 on COVID-CT or another two-class CT collection: the tutorial's "
                + "SGD with momentum, gradient accumulation and early stopping, or --recipe transfer; validation every "
                + "epoch, the best model tested at the end.")
public final class TrainCommand implements Callable<Integer> {
    /** The options a resumed run may take; everything else comes from the run's config.json. */
    private static final Set<String> RESUME_OPTIONS = Set.of("--resume", "--epochs", "--data", "--device",
            "--no-analyze");

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--data", paramLabel = "PATH",
            description = "the data set: a COVID-CT checkout (Images-processed/, Data-split/), an ImageFolder tree "
                    + "(a folder per class, optionally under train/, val/, test/) or a CSV manifest "
                    + "(path,label[,split][,group]; `covidct data manifest` writes one of COVID-CT grouped by patient); "
                    + "required unless --resume, with which it names the new place "
                    + "of the run's data set, checked file by file")
    Path data;

    @Option(names = "--positive-class", paramLabel = "NAME", description = "the class that counts as positive "
            + "(default: the one the class names make positive, such as CT_COVID, or covid beside non-covid; "
            + "required where they leave it open)")
    String positiveClass;

    @Option(names = "--split-fractions", paramLabel = "TRAIN,VAL,TEST", description = "the shares of a split "
            + "the data set leaves open, made with --seed and keeping a CSV manifest's groups whole "
            + "(default: COVID-CT's own, 425, 118 and 203 of its 746 images)")
    String splitFractions;

    @Option(names = "--arch", paramLabel = "ARCH", description = "${COMPLETION-CANDIDATES} "
            + "(default: the architecture --weights records, else vgg19_bn)")
    Architecture arch;

    @Option(names = "--weights", paramLabel = "FILE", description = "initial weights: torchvision's ImageNet .pth or "
            + ".safetensors file, a checkpoint or export of ours, for mobilenet_v2 also a TFLite ImageNet file, or none "
            + "to train from scratch (default: the file `weights download` caches for --arch, else none)")
    String weights;

    @Option(names = "--out", paramLabel = "RUN_DIR", description = "run directory (default: runs/ARCH-DATE-TIME)")
    Path out;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "continue a run from its last checkpoint, with "
            + "the settings it was started with (default: start a new run)")
    Path resume;

    @Option(names = "--recipe", paramLabel = "NAME", defaultValue = "tutorial", description = "tutorial: the "
            + "tutorial's SGD, plateau rule and early stopping; transfer: AdamW (weight decay 0.05), one warm-up epoch "
            + "then cosine, label smoothing 0.1, stronger augmentation, the backbone frozen for 2 epochs, an average "
            + "of the weights (decay 0.99) and mirror-image test-time augmentation. The options below change one "
            + "setting each (default: ${DEFAULT-VALUE})")
    String recipe;

    @Option(names = "--optimizer", paramLabel = "sgd|adamw", description = "the optimiser (default: the recipe's)")
    String optimizer;

    @Option(names = "--weight-decay", paramLabel = "DECAY", description = "SGD's L2 penalty, AdamW's decoupled decay "
            + "(default: the recipe's)")
    Float weightDecay;

    @Option(names = "--schedule", paramLabel = "plateau|cosine", description = "plateau: the learning rate divided "
            + "by ten when validation loss stalls, early stopping; cosine: warm-up then cosine annealing over every "
            + "epoch (default: the recipe's)")
    String schedule;

    @Option(names = "--warmup-epochs", paramLabel = "N", description = "linear warm-up epochs before the cosine "
            + "(default: the recipe's)")
    Integer warmupEpochs;

    @Option(names = "--label-smoothing", paramLabel = "EPS", description = "cross-entropy label smoothing, 0 to "
            + "below 1 (default: the recipe's)")
    Float labelSmoothing;

    @Option(names = "--augmentation", paramLabel = "tutorial|strong", description = "tutorial: random crop and "
            + "flip; strong: also rotation up to 10 degrees, brightness and contrast (default: the recipe's)")
    String augmentation;

    @Option(names = "--freeze-epochs", paramLabel = "N", description = "first epochs in which only the new "
            + "classifier head trains (default: the recipe's)")
    Integer freezeEpochs;

    @Option(names = "--ema-decay", paramLabel = "DECAY", description = "per-step decay of the average of the "
            + "weights that validation and test use; 0 for none (default: the recipe's)")
    Float emaDecay;

    @Option(names = "--tta", negatable = true, description = "validation and test average each image's logits with "
            + "its mirror image's (default: the recipe's)")
    Boolean testTimeFlip;

    @Option(names = "--epochs", description = "at most this many epochs (default: 60 with the tutorial's recipe, 30 "
            + "with transfer)")
    Integer epochs;

    @Option(names = "--batch-size", defaultValue = "8", description = "images per batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--accumulate", description = "batches per optimiser step (default: 8 with the tutorial's "
            + "recipe, 8 x 8 = 64 images per update; 2 with transfer)")
    Integer accumulate;

    @Option(names = "--lr", description = "initial learning rate (default: with SGD 0.01, the tutorial's, for the "
            + "VGGs and 0.001 for mobilenet_v2, whose batch-norm-free TFLite network collapses at 0.01; 0.0001 with "
            + "AdamW)")
    Float lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD's momentum (default: ${DEFAULT-VALUE})")
    float momentum;

    @Option(names = "--image-size", defaultValue = "" + ClassifierModels.DEFAULT_IMAGE_SIZE, paramLabel = "PIXELS",
            description = "network input side; 112 makes CPU runs about 4x faster (default: ${DEFAULT-VALUE})")
    int imageSize;

    @Option(names = "--seed", defaultValue = "0", description = "seed of everything random (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--seeds", split = ",", paramLabel = "SEED,...", description = "train one run per seed, one after "
            + "another, into OUT/seed-N (OUT: --out, or runs/ARCH-DATE-TIME), then write OUT/summary.json, summary.csv "
            + "and summary.html: every metric per seed with its mean and sample standard deviation; instead of --seed. "
            + "Given again with the same --out, it resumes the seeds' runs (default: one run, of --seed)")
    List<Long> seeds;

    @Option(names = "--workers", description = "image decoding threads (default: the number of cores)")
    Integer workers;

    @Option(names = "--patience", defaultValue = "5",
            description = "early-stopping patience in epochs (default: ${DEFAULT-VALUE})")
    int patience;

    @Option(names = "--no-analyze", description = "skip analyze (Grad-CAM galleries and report.html) at the end "
            + "(default: run it)")
    boolean noAnalyze;

    @Override
    public Integer call() throws Exception {
        PrintStream log = System.out;
        if (resume != null) {
            for (OptionSpec given : spec.commandLine().getParseResult().matchedOptions()) {
                if (!RESUME_OPTIONS.contains(given.longestName())) {
                    throw new ParameterException(spec.commandLine(), given.longestName() + " cannot be given with "
                            + "--resume, which continues the run with the settings it was started with");
                }
            }
            Device device = deviceOption.resolve(spec.commandLine().getErr());
            // A fresh mobilenet_v2 must have the variant (folded or not) of the checkpoint it resumes
            // from; a run stopped before its first checkpoint starts again from its initial weights.
            Path last = new RunDirectory(resume).lastCheckpoint();
            Trainer.ModelFactory resumed = (config, gen) -> Files.isRegularFile(last)
                    ? ClassifierModels.build(config.arch(), config.weights(), gen, last)
                    : fineTuning(config, gen);
            ResumeOptions options = ResumeOptions.AS_STARTED;
            if (epochs != null) {
                options = options.withEpochs(epochs);
            }
            if (data != null) {
                options = options.withData(data);
            }
            Path runDir = Trainer.resume(resume, options, resumed, device, log).runDir();
            RunAnalysis.afterTraining(runDir, !noAnalyze, device, log);
            return 0;
        }
        if (data == null) {
            throw new ParameterException(spec.commandLine(), "--data PATH is required: a COVID-CT checkout, an "
                    + "ImageFolder tree or a CSV manifest (`covidct data download` fetches COVID-CT and prints the "
                    + "folder to pass)");
        }
        if (seeds != null) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
                throw new ParameterException(spec.commandLine(), "--seed cannot be given with --seeds, which names "
                        + "every seed");
            }
            try {
                SeedRuns.requireDistinct(seeds);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        TrainConfig settings = config(architecture());
        Device device = deviceOption.resolve(spec.commandLine().getErr());
        TrainConfig config = settings.withWeights(initialWeights(settings.arch()));
        if (seeds != null) {
            return trainSeeds(config, device, log);
        }
        Trainer trainer = new Trainer(config, this::fineTuning, log).onDevice(device);
        Path runDir;
        try {
            runDir = trainer.train().runDir();
        } catch (PositiveClassException e) { // thrown before the run directory is made
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        RunAnalysis.afterTraining(runDir, !noAnalyze, device, log);
        return 0;
    }

    /**
     * --seeds: the run of {@code base} with each seed in OUT/seed-N, then their summary; 1 when any
     * seed failed. A seed whose folder holds a run of the same settings (an earlier attempt of this
     * command) is resumed, as --resume would.
     */
    private int trainSeeds(TrainConfig base, Device device, PrintStream log) throws IOException {
        SeedSummary summary = SeedRuns.run(base.out(), seeds, (seed, runDir) -> {
            TrainConfig config = base.withSeed(seed, runDir);
            RunDirectory dir = new RunDirectory(runDir);
            Path finished;
            if (Files.isRegularFile(dir.config())) {
                Trainer.requireSameSettings(runDir, config);
                Path last = dir.lastCheckpoint();
                Trainer.ModelFactory resumed = (c, gen) -> Files.isRegularFile(last)
                        ? ClassifierModels.build(c.arch(), c.weights(), gen, last) : fineTuning(c, gen);
                finished = Trainer.resume(runDir, ResumeOptions.AS_STARTED, resumed, device, log).runDir();
            } else {
                finished = new Trainer(config, this::fineTuning, log).onDevice(device).train().runDir();
            }
            RunAnalysis.afterTraining(finished, !noAnalyze, device, log);
        }, log);
        if (summary.anyFailed()) {
            spec.commandLine().getErr().println("error: " + summary.failedCount() + " of " + seeds.size()
                    + " seeds failed; see " + base.out().resolve("summary.json"));
            return 1;
        }
        return 0;
    }

    /** The model a run starts from: its initial weights, with a new classifier head where they need one. */
    private Module fineTuning(TrainConfig config, Generator gen) throws IOException {
        return ClassifierModels.buildForFineTuning(config.arch(), config.weights(), gen,
                spec.commandLine().getErr()::println);
    }

    /** --arch, or the architecture that --weights records; the two must agree. */
    private String architecture() throws IOException {
        Optional<ModelMetadata> recorded = weights == null || weights.equals("none") ? Optional.empty()
                : ModelMetadata.read(Path.of(weights));
        if (recorded.isEmpty()) {
            return (arch != null ? arch : Architecture.DEFAULT).name();
        }
        String trainedAs = recorded.get().architecture();
        if (arch != null && !arch.name().equals(trainedAs)) {
            throw new ParameterException(spec.commandLine(), "--arch " + arch + " contradicts " + weights
                    + ", trained as " + trainedAs);
        }
        return trainedAs;
    }

    /** The run's settings, checked; the initial weights are still to be chosen. */
    private TrainConfig config(String architecture) {
        if (!ClassifierModels.isImageSize(imageSize)) {
            throw new ParameterException(spec.commandLine(), ClassifierModels.imageSizeError(imageSize));
        }
        Path runDir = out != null ? out : Path.of("runs", architecture + "-" + LocalDateTime.now().format(
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        SplitFractions fractions = SplitFractions.COVID_CT;
        if (splitFractions != null) {
            try {
                fractions = SplitFractions.parse(splitFractions);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--split-fractions: " + e.getMessage());
            }
        }
        try {
            TrainingRecipe settings = recipe();
            return new TrainConfig(architecture, "none", data, runDir,
                    epochs != null ? epochs : settings.defaultEpochs(), batchSize,
                    accumulate != null ? accumulate : settings.defaultAccumulate(),
                    lr != null ? lr : settings.defaultLearningRate(architecture), momentum, imageSize, seed,
                    workers != null ? workers : Runtime.getRuntime().availableProcessors(), patience, positiveClass,
                    fractions, settings);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** --recipe's preset with the settings given one by one. */
    private TrainingRecipe recipe() {
        return TrainingRecipe.preset(recipe).with(
                choice("--optimizer", optimizer, TrainingRecipe.OptimizerKind.class), weightDecay,
                choice("--schedule", schedule, TrainingRecipe.Schedule.class), warmupEpochs, labelSmoothing,
                choice("--augmentation", augmentation, TrainingRecipe.Augmentation.class), freezeEpochs, emaDecay,
                testTimeFlip);
    }

    private static <E extends Enum<E>> E choice(String option, String given, Class<E> type) {
        if (given == null) {
            return null;
        }
        return TrainingRecipe.byName(type, given).orElseThrow(() -> new IllegalArgumentException(option + " "
                + given + ": expected one of " + TrainingRecipe.names(type)));
    }

    private String initialWeights(String architecture) throws WeightFileException {
        if (weights != null) {
            if (!weights.equals("none") && !Files.isRegularFile(Path.of(weights))) {
                throw new WeightFileException(weights + ": no such weight file");
            }
            return weights;
        }
        if (!TorchvisionWeights.architectures().contains(architecture)) {
            spec.commandLine().getErr().println("warning: no weights given for " + architecture + "; training from "
                    + "scratch (--weights FILE names ImageNet weights: a TFLite MobileNetV2 or torchvision's .pth)");
            return "none";
        }
        Path cached = TorchvisionWeights.cachedFile(WeightsDownload.defaultCacheDir(), architecture);
        if (!Files.isRegularFile(cached)) {
            spec.commandLine().getErr().println("warning: no ImageNet weights for " + architecture + " at " + cached
                    + "; training from scratch (`covidct weights download --arch " + architecture
                    + "` fetches them; --weights FILE names a file)");
            return "none";
        }
        return cached.toString();
    }
}
