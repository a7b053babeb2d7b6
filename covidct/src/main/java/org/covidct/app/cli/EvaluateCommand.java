package org.covidct.app.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.covidct.app.data.CovidCtDataset;
import org.covidct.app.io.AtomicOutput;
import org.covidct.app.train.Evaluation;
import org.covidct.app.train.ProgressBar;
import org.covidct.app.train.ScoresCsv;
import org.covidct.nn.Module;
import org.covidct.nn.data.DataLoader;
import org.covidct.nn.data.image.Transforms;
import org.covidct.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code evaluate}: the tutorial's test table for a split, and optionally its scores and metrics files. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a trained classifier on the val or test split of a COVID-CT checkout.")
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--data", required = true, description = "root of a COVID-CT checkout")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "val or test (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--batch-size", defaultValue = "8", description = "images per batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--scores-out", paramLabel = "F.csv", description = "write path,target,covid_probability,prediction")
    Path scoresOut;

    @Option(names = "--metrics-out", paramLabel = "F.json", description = "write the metrics as JSON")
    Path metricsOut;

    @Override
    public Integer call() throws Exception {
        if (!split.equals("val") && !split.equals("test")) {
            throw new IllegalArgumentException("--split " + split + ": expected val or test");
        }
        Device device = deviceOption.resolve(spec.commandLine().getErr());
        var samples = new CovidCtDataset(data).split(split);
        Evaluation result;
        try (Module net = model.load();
             DataLoader loader = DataLoader.builder(samples, Transforms.eval(model.imageSize)).batchSize(batchSize)
                     .shuffle(false).workers(Runtime.getRuntime().availableProcessors()).device(device).build()) {
            net.to(device);
            result = Evaluation.run(net, loader, ProgressBar.onStderr(split, loader.numBatches()));
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
}
