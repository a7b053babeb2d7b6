package org.covidct.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.covidct.app.analyze.TestScores;
import org.covidct.app.data.BinaryLabels;
import org.covidct.app.data.DataLayout;
import org.covidct.app.data.PositiveClassException;
import org.covidct.app.io.AtomicOutput;
import org.covidct.app.metrics.Prediction;
import org.covidct.app.metrics.TestReport;
import org.covidct.app.metrics.TestReportOptions;
import org.covidct.app.metrics.ThresholdRule;
import org.covidct.app.model.ClassifierModels;
import org.covidct.app.model.ModelClasses;
import org.covidct.app.train.Evaluation;
import org.covidct.app.train.ScoresCsv;
import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.data.DataLoader;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.image.Transforms;
import org.covidct.nn.io.ConsoleProgress;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code evaluate}: the tutorial's test table for a split of a data set, or for every image of one,
 * and optionally its scores and metrics files. The data set's classes are matched to the model's
 * as {@link ModelClasses} says, and the metrics name them as the data set does.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a trained classifier on a split, or every image, of a data set: a COVID-CT checkout, "
                + "an ImageFolder tree or a CSV manifest.")
public final class EvaluateCommand implements Callable<Integer> {
    /** What a trained model is evaluated on: a split of the data set, or all of its images. */
    enum Part { train, val, test, all }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "a COVID-CT checkout, an ImageFolder "
            + "tree or a CSV manifest (a run's split.csv gives the run's split)")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "${COMPLETION-CANDIDATES}: a split of the data "
            + "set, or all of its images, the only choice for a data set without splits (default: ${DEFAULT-VALUE})")
    Part split;

    @Option(names = "--positive-class", paramLabel = "NAME", description = "the data set's class that is the model's "
            + "positive class (default: the one whose name matches it, as CT_COVID, covid or COVID match COVID; "
            + "required where the names do not match)")
    String positiveClass;

    @Option(names = "--batch-size", defaultValue = "8", description = "images per batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--scores-out", paramLabel = "F.csv",
            description = "write path,target,covid_probability,prediction (default: not written)")
    Path scoresOut;

    @Option(names = "--metrics-out", paramLabel = "F.json", description = "write the metrics as JSON (default: not written)")
    Path metricsOut;

    @Option(names = "--val-scores", paramLabel = "F.csv", description = "validation scores (a run's val_scores.csv) "
            + "to fit the temperature and choose the second threshold on (default: neither)")
    Path valScores;

    @Option(names = "--target-sensitivity", paramLabel = "S", description = "choose the second threshold as the "
            + "highest reaching this validation sensitivity, in (0, 1] (default: Youden's J)")
    Double targetSensitivity;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the bootstrap's resamples (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--tta", description = "average each image's logits with its mirror image's, as a run of the "
            + "transfer recipe evaluates (default: off)")
    boolean testTimeFlip;

    @Override
    public Integer call() throws Exception {
        requireBatchFits(ClassifierModels.MIN_IMAGE_SIZE); // before any file is read
        ThresholdRule rule;
        try {
            rule = targetSensitivity == null ? new ThresholdRule.Youden()
                    : new ThresholdRule.TargetSensitivity(targetSensitivity);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--target-sensitivity: " + e.getMessage());
        }
        List<Prediction> validation = valScores == null ? null
                : TestScores.read(valScores).stream().map(TestScores.Row::prediction).toList();
        ModelMetadata described = model.resolve(spec);
        requireBatchFits(described.imageSize());
        LabelledDataset labelled = dataset(described);
        List<Sample> samples = samples(labelled); // its usage errors before the device is probed
        Device device = deviceOption.resolve(spec.commandLine().getErr());
        Evaluation result;
        try (Module net = Sequential.fuseForInference(model.load(described));
             DataLoader loader = DataLoader.builder(samples, Transforms.eval(described.imageSize(),
                             ClassifierModels.normalize(described))).batchSize(batchSize).shuffle(false)
                     .workers(Runtime.getRuntime().availableProcessors()).device(device).build()) {
            net.to(device);
            result = Evaluation.run(net, loader, new ConsoleProgress().begin(split.name(), loader.numBatches()),
                    BinaryLabels.names(labelled), testTimeFlip);
        }
        TestReport report = TestReport.compute(result.metrics(), result.predictions(), validation,
                new TestReportOptions(TestReportOptions.MIN_RESAMPLES, seed, rule, true));
        spec.commandLine().getOut().print(report.formatTable());
        spec.commandLine().getOut().flush();
        if (scoresOut != null) {
            ScoresCsv.write(scoresOut, result.paths(), result.predictions());
        }
        if (metricsOut != null) {
            AtomicOutput.text(metricsOut, new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(report.toJsonTree()));
        }
        return 0;
    }

    /** The data set in the model's labels: its class that is the model's positive class is label 1. */
    private LabelledDataset dataset(ModelMetadata model) throws DatasetException {
        LabelledDataset read = DataLayout.of(data).read(data);
        BinaryLabels.requireTwoClasses(read);
        try {
            return BinaryLabels.relabel(read, ModelClasses.positiveInData(model, read, positiveClass));
        } catch (PositiveClassException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The samples --split chooses, in the data set's order. */
    private List<Sample> samples(LabelledDataset dataset) {
        if (split == Part.all) {
            return dataset.files().stream().map(LabelledFile::sample).toList();
        }
        TreeSet<org.covidct.nn.data.Split> splits = new TreeSet<>();
        dataset.files().stream().map(LabelledFile::split).filter(Objects::nonNull).forEach(splits::add);
        if (splits.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--split " + split + ": " + data + " has no splits; "
                    + "--split all scores every image");
        }
        org.covidct.nn.data.Split wanted = org.covidct.nn.data.Split.byId(split.name());
        if (!splits.contains(wanted)) {
            throw new ParameterException(spec.commandLine(), "--split " + split + ": " + data + " has no " + split
                    + " images, only " + splits + "; --split all scores every image");
        }
        return dataset.files().stream().filter(f -> f.split() == wanted).map(LabelledFile::sample).toList();
    }

    private void requireBatchFits(int side) {
        ClassifierModels.batchSizeError(batchSize, side).ifPresent(error -> {
            throw new ParameterException(spec.commandLine(), error);
        });
    }
}
