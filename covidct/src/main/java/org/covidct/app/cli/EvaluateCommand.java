package org.covidct.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.covidct.app.analyze.TestScores;
import org.covidct.app.data.CovidCtDataset;
import org.covidct.app.io.AtomicOutput;
import org.covidct.app.metrics.Prediction;
import org.covidct.app.metrics.TestReport;
import org.covidct.app.metrics.TestReportOptions;
import org.covidct.app.metrics.ThresholdRule;
import org.covidct.app.model.ClassifierModels;
import org.covidct.app.train.Evaluation;
import org.covidct.app.train.ScoresCsv;
import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.data.DataLoader;
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

/** {@code evaluate}: the tutorial's test table for a split, and optionally its scores and metrics files. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a trained classifier on the val or test split of a COVID-CT checkout.")
public final class EvaluateCommand implements Callable<Integer> {
    /** The splits a trained model is evaluated on. */
    enum Split { val, test }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "root of a COVID-CT checkout")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Split split;

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
        Device device = deviceOption.resolve(spec.commandLine().getErr());
        var samples = new CovidCtDataset(data).split(split.name());
        Evaluation result;
        try (Module net = Sequential.fuseForInference(model.load(described));
             DataLoader loader = DataLoader.builder(samples, Transforms.eval(described.imageSize(),
                             ClassifierModels.normalize(described))).batchSize(batchSize).shuffle(false)
                     .workers(Runtime.getRuntime().availableProcessors()).device(device).build()) {
            net.to(device);
            result = Evaluation.run(net, loader, new ConsoleProgress().begin(split.name(), loader.numBatches()));
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

    private void requireBatchFits(int side) {
        ClassifierModels.batchSizeError(batchSize, side).ifPresent(error -> {
            throw new ParameterException(spec.commandLine(), error);
        });
    }
}
