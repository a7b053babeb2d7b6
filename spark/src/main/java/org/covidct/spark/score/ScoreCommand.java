package org.covidct.spark.score;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.covidct.app.cli.DeviceOption;
import org.covidct.app.cli.ModelOptions;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.spark.SparkOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code score}: predict over an image archive on Spark, into Parquet or CSV. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score images as predict does, on Spark; writes path,covid_probability,prediction,error per "
                + "image (error: why an image could not be read or decoded; the job goes on).")
public final class ScoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SparkOptions sparkOptions;

    @Mixin
    ModelOptions model;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--input", required = true, paramLabel = "DIR_OR_GLOB", description = "a directory, read with "
            + "its subdirectories, or a glob of files, on any file system Spark reads (file:, hdfs:, s3a:, ...)")
    String input;

    @Option(names = "--output", required = true, paramLabel = "OUT", description = "the directory to write; it must "
            + "not exist")
    String output;

    @Option(names = "--format", defaultValue = "parquet", description = "${COMPLETION-CANDIDATES}; csv part files "
            + "have a header line (default: ${DEFAULT-VALUE})")
    OutputFormat format;

    @Option(names = "--batch-size", defaultValue = "" + ScoreOptions.DEFAULT_BATCH_SIZE,
            description = "images per forward pass on an executor (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--partitions", paramLabel = "N", description = "spread the images over N tasks, by path "
            + "(default: Spark's split of the file listing)")
    Integer partitions;

    @Override
    public Integer call() throws Exception {
        ModelMetadata described = model.resolve(spec);
        ClassifierModels.batchSizeError(batchSize, described.imageSize()).ifPresent(error -> {
            throw new ParameterException(spec.commandLine(), error);
        });
        if (partitions != null && partitions < 1) {
            throw new ParameterException(spec.commandLine(), "--partitions " + partitions + ": must be at least 1");
        }
        ScoringModel weights = ScoringModel.read(model.weights(), described);
        ScoreOptions options = ScoreOptions.defaults().withBatchSize(batchSize).withDevice(deviceOption.choice());
        try (SparkOptions.Session session = sparkOptions.open(spec, "covidct-spark score")) {
            // Only the paths: the executors read the files, so an unreadable one becomes an error row.
            Dataset<Row> images = CovidCtScoring.listImages(session.spark(), input);
            if (partitions != null) {
                images = images.repartition(partitions, images.col("path"));
            }
            format.write(CovidCtScoring.score(images, weights, options), output);
            Row counts = format.read(session.spark(), output)
                    .agg(functions.count(functions.lit(1)), functions.count(functions.col("error"))).first();
            long rows = counts.getLong(0);
            long errors = counts.getLong(1);
            PrintWriter out = spec.commandLine().getOut();
            out.println("scored " + (rows - errors) + " images into " + output
                    + (errors == 0 ? "" : "; " + errors + " could not be read (their rows say why, in column error)"));
        }
        return 0;
    }
}
