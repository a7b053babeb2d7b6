package org.covidct.spark.score;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import org.covidct.app.cli.ModelOptions;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.io.ModelMetadata;

/**
 * Batch scoring of CT images with a trained classifier, as {@code covidct.jar predict} scores them:
 * the same decoding, transform, model and arithmetic, so that on the CPU the probabilities are
 * predict's bit for bit (at batch sizes up to 8; see README). For example:
 *
 * <pre>{@code
 * Dataset<Row> images = CovidCtScoring.listImages(spark, "/archive"); // or a binaryFile DataFrame
 * Dataset<Row> scored = CovidCtScoring.score(images, Path.of("best.safetensors"));
 * scored.write().parquet("/scores");
 * }</pre>
 *
 * <p>The driver reads the weight file and broadcasts its bytes; each executor builds the model once
 * and its tasks share it. Images are scored in batches inside {@code mapPartitions}, on the
 * executor's CPU or, with {@link ScoreOptions#device} auto or cuda, its GPU. The result has one row
 * per input row, {@link #SCHEMA}: a corrupt or unreadable image has its {@code error} and no
 * probability, and does not fail the job.
 */
public final class CovidCtScoring {
    /**
     * {@code path} as the input has it, {@code covid_probability} (softmax of the COVID logit, in
     * double precision), {@code prediction} (the predicted class's name, COVID or NonCOVID), and
     * {@code error}: null for a scored image, else why it was not scored (the other two then null).
     */
    public static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("covid_probability", DataTypes.DoubleType, true)
            .add("prediction", DataTypes.StringType, true)
            .add("error", DataTypes.StringType, true);

    private CovidCtScoring() {
    }

    /**
     * Every file in {@code dirOrGlob} (a directory, read with its subdirectories, or a glob, on any
     * file system Spark reads) as a DataFrame of {@code path}s to {@link #score}, sorted, over
     * Spark's default parallelism. Unlike a {@code binaryFile} scan, which drops empty files before
     * they are read, it keeps every file, so that each one gets its row.
     */
    public static Dataset<Row> listImages(SparkSession spark, String dirOrGlob) {
        String[] uris = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(dirOrGlob)
                .inputFiles();
        List<String> paths = Arrays.stream(uris).map(uri -> new org.apache.hadoop.fs.Path(URI.create(uri)).toString())
                .sorted().toList();
        return spark.createDataset(paths, Encoders.STRING()).toDF("path");
    }

    /** {@link #score(Dataset, Path, ScoreOptions)} with {@link ScoreOptions#defaults()}. */
    public static Dataset<Row> score(Dataset<Row> images, Path weights) throws IOException {
        return score(images, weights, ScoreOptions.defaults());
    }

    /**
     * Scores every row of {@code images}: a {@code binaryFile} DataFrame, or any with a string
     * column {@code path} (a Hadoop path, as binaryFile and {@link #listImages} give) and optionally a
     * binary column {@code content}. Without content, the executors read each path themselves
     * (through Hadoop's file systems), so a file that cannot be read becomes an error row; with it,
     * reading is Spark's, which drops empty files and fails the task on a missing one. Lazy, like
     * any transformation: nothing is scored until the result is used.
     *
     * @param weights a checkpoint or export of ours, or a two-class state dict, readable on the driver
     * @throws IllegalArgumentException for a DataFrame without those columns, or options that
     *                                  contradict what the weights record
     * @throws IOException              when the weights cannot be read
     */
    public static Dataset<Row> score(Dataset<Row> images, Path weights, ScoreOptions options) throws IOException {
        ModelMetadata described = ModelOptions.resolve(weights, options.arch(), options.imageSize(),
                IllegalArgumentException::new);
        return score(images, ScoringModel.read(weights, described), options);
    }

    static Dataset<Row> score(Dataset<Row> images, ScoringModel model, ScoreOptions options) {
        StructType schema = images.schema();
        boolean hasContent = Arrays.asList(schema.fieldNames()).contains("content");
        if (!hasColumn(schema, "path", DataTypes.StringType)
                || hasContent && !hasColumn(schema, "content", DataTypes.BinaryType)) {
            throw new IllegalArgumentException("images: expected a binaryFile DataFrame, with a string column path "
                    + "and optionally a binary column content; got " + schema.simpleString());
        }
        ClassifierModels.batchSizeError(options.batchSize(), model.described().imageSize()).ifPresent(error -> {
            throw new IllegalArgumentException(error);
        });
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(images.sparkSession().sparkContext());
        Broadcast<ScoringModel> broadcast = spark.broadcast(model);
        Broadcast<SerializableConfiguration> hadoop = hasContent ? null
                : SerializableConfiguration.broadcast(spark.sc());
        Dataset<Row> input = hasContent ? images.select("path", "content") : images.select("path");
        return input.mapPartitions(new PartitionScorer(broadcast, hadoop, options.batchSize(), options.device()),
                Encoders.row(SCHEMA));
    }

    private static boolean hasColumn(StructType schema, String name, DataType type) {
        return Arrays.stream(schema.fields()).anyMatch(f -> f.name().equals(name) && f.dataType().equals(type));
    }
}
