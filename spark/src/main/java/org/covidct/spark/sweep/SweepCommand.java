package org.covidct.spark.sweep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.covidct.app.cli.DeviceOption;
import org.covidct.app.model.Architecture;
import org.covidct.app.model.ClassifierModels;
import org.covidct.spark.SparkOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sweep}: one training run per grid point, each a Spark task, into run directories on
 * storage that every executor shares; then the summary tables (see {@link SweepSummary}).
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Train once per grid point, each run a Spark task, into OUT/runs/; OUT/summary.csv has every "
                + "metric per point, OUT/summary_by_setting.csv their mean and standard deviation over the seeds. "
                + "A failed run is listed with its error; the others go on. DIR and OUT must be on storage that "
                + "every executor sees at the same path.")
public final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SparkOptions sparkOptions;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--grid", required = true, arity = "1..*", paramLabel = "KEY=V1,V2",
            description = "the values to try: seed (or seeds), lr, momentum, epochs, batch-size, accumulate, "
                    + "image-size, arch, weights, patience, recipe (tutorial or transfer); every combination is one run")
    List<String> grid;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "root of a COVID-CT checkout")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "the sweep's directory; it must not "
            + "hold a sweep already")
    Path out;

    @Option(names = "--arch", defaultValue = "vgg19_bn", description = "${COMPLETION-CANDIDATES} "
            + "(default: ${DEFAULT-VALUE})")
    Architecture arch;

    @Option(names = "--weights", defaultValue = "none", paramLabel = "FILE", description = "initial weights, as "
            + "train takes them, on the shared storage, or none to train from scratch (default: ${DEFAULT-VALUE})")
    String weights;

    @Option(names = "--epochs", defaultValue = "60", description = "at most this many epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "8", description = "images per batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--accumulate", defaultValue = "8", description = "batches per SGD step (default: ${DEFAULT-VALUE})")
    int accumulate;

    @Option(names = "--lr", description = "initial learning rate (default: train's, 0.01 for the VGGs, 0.001 for "
            + "mobilenet_v2)")
    Float lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    float momentum;

    @Option(names = "--image-size", defaultValue = "" + ClassifierModels.DEFAULT_IMAGE_SIZE, paramLabel = "PIXELS",
            description = "network input side (default: ${DEFAULT-VALUE})")
    int imageSize;

    @Option(names = "--seed", defaultValue = "0", description = "the seed, unless the grid sets it "
            + "(default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--workers", defaultValue = "2", description = "image decoding threads per run "
            + "(default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--patience", defaultValue = "5", description = "early-stopping patience in epochs "
            + "(default: ${DEFAULT-VALUE})")
    int patience;

    @Override
    public Integer call() throws Exception {
        SweepGrid points;
        try {
            points = SweepGrid.parse(grid).withAbsoluteWeights();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path root = out.toAbsolutePath();
        SweepSettings settings = new SweepSettings(arch.name(), weights.equals("none") ? weights
                : Path.of(weights).toAbsolutePath().toString(), data.toAbsolutePath().toString(), root.toString(),
                epochs, batchSize, accumulate, lr, momentum, imageSize, seed, workers, patience, deviceOption.choice());
        for (SweepPoint point : points.points()) { // every setting checked before any run starts
            try {
                SweepTraining.config(settings, point, SweepTask.runDir(settings, point));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), point.name() + ": " + e.getMessage());
            }
        }
        if (Files.exists(root.resolve("runs"))) {
            throw new ParameterException(spec.commandLine(), "--out " + out + ": already holds a sweep (runs/); "
                    + "choose another directory");
        }
        Files.createDirectories(root.resolve("runs"));
        List<SweepResult> results;
        try (SparkOptions.Session session = sparkOptions.open(spec, "covidct-spark sweep")) {
            JavaSparkContext spark = JavaSparkContext.fromSparkContext(session.spark().sparkContext());
            List<SweepPoint> all = points.points();
            results = spark.parallelize(all, all.size()).map(new SweepTask(settings)).collect();
        }
        spec.commandLine().getOut().print(SweepSummary.write(root, points.keys(), results));
        long failed = results.stream().filter(SweepResult::failed).count();
        spec.commandLine().getOut().println(results.size() + " runs, " + failed + " failed: " + root.resolve(
                SweepSummary.POINTS) + " and " + SweepSummary.BY_SETTING);
        return failed == 0 ? 0 : 1;
    }
}
