package org.covidct.app.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.covidct.app.data.CovidCtDataset;
import org.covidct.app.io.AtomicOutput;
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

    @Override
    public Integer call() throws Exception {
        requireBatchFits(ClassifierModels.MIN_IMAGE_SIZE); // before any file is read
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
        spec.commandLine().getOut().print(result.metrics().formatTable());
        spec.commandLine().getOut().flush();
        if (scoresOut != null) {
            ScoresCsv.write(scoresOut, result.paths(), result.predictions());
        }
        if (metricsOut != null) {
            AtomicOutput.text(metricsOut, result.metrics().toJson());
        }
        return 0;
    }

    private void requireBatchFits(int side) {
        ClassifierModels.batchSizeError(batchSize, side).ifPresent(error -> {
            throw new ParameterException(spec.commandLine(), error);
        });
    }
}
