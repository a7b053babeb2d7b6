package org.covidct.spark.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.covidct.app.Main;
import org.covidct.app.cli.DeviceOption;
import org.covidct.app.metrics.Prediction;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.data.Batch;
import org.covidct.nn.data.DataLoader;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.image.Normalize;
import org.covidct.nn.data.image.Transforms;
import org.covidct.nn.Generator;
import org.covidct.spark.LocalSpark;
import org.covidct.tensor.Device;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring on Spark gives predict's results: the same CSV numbers as {@code covidct predict} prints,
 * and bit for bit the probabilities of predict's pipeline, however Spark splits the images.
 */
class ScoringTest {
    @TempDir
    static Path dir;
    static List<Path> images;
    static Path weights;
    static SparkSession spark;

    @BeforeAll
    static void setUp() throws IOException {
        images = ScoringFixture.images(dir.resolve("data"));
        weights = ScoringFixture.weights(dir, 1);
        spark = LocalSpark.session();
    }

    static Dataset<Row> binaryFiles(Path root) {
        return spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(root.toString());
    }

    /** The file a row's path names: binaryFile gives Hadoop paths, file:/... */
    static Path file(Row row) {
        return Path.of(new org.apache.hadoop.fs.Path(row.getString(row.fieldIndex("path"))).toUri());
    }

    static Map<Path, Row> byFile(Dataset<Row> scored) {
        Map<Path, Row> rows = new HashMap<>();
        for (Row r : scored.collectAsList()) {
            assertNull(rows.put(file(r), r), "one row per file");
        }
        return rows;
    }

    @Test
    void printsWhatPredictPrints() throws IOException {
        List<String> args = new ArrayList<>(List.of("predict", "--device", "cpu", "--weights", weights.toString(),
                "--batch-size", "8"));
        images.forEach(p -> args.add(p.toString()));
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new)),
                err.toString());
        Map<Path, String> predicted = new HashMap<>();
        List<String> lines = out.toString().lines().toList();
        assertEquals("path,covid_probability,prediction", lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            // path (quoted: the names hold commas), then the probability and the class
            int probability = line.lastIndexOf(',', line.lastIndexOf(',') - 1);
            String path = line.substring(0, probability);
            predicted.put(Path.of(path.startsWith("\"") ? path.substring(1, path.length() - 1).replace("\"\"", "\"")
                    : path), line.substring(probability + 1));
        }
        assertEquals(images.size(), predicted.size());

        Map<Path, Row> scored = byFile(CovidCtScoring.score(binaryFiles(dir.resolve("data/Images-processed")).repartition(3), weights,
                ScoreOptions.defaults().withDevice(DeviceOption.Choice.cpu).withBatchSize(3)));
        assertEquals(predicted.keySet(), scored.keySet());
        int covid = 0;
        for (Map.Entry<Path, Row> e : scored.entrySet()) {
            Row r = e.getValue();
            assertNull(r.getAs("error"));
            String line = String.format(Locale.ROOT, "%.8f,%s", r.<Double>getAs("covid_probability"),
                    r.<String>getAs("prediction"));
            assertEquals(predicted.get(e.getKey()), line, e.getKey().toString());
            covid += r.getAs("prediction").equals("COVID") ? 1 : 0;
        }
        assertTrue(covid > 0 && covid < images.size(), "the fixture's model predicts both classes: " + covid);
    }

    /**
     * Against predict's own pipeline (its loader, batch of 8 in file order, model and probability):
     * equal doubles, with the images in three partitions scored 3 or 8 at a time, read by Spark or
     * by the executors. Up to 8 images a batch, an image's logits do not depend on its batch.
     */
    @Test
    void equalsPredictsPipelineBitForBit() throws IOException {
        Map<Path, Double> reference = predictPipeline();
        for (int batch : new int[] {3, 8}) {
            for (boolean content : new boolean[] {true, false}) {
                Dataset<Row> files = binaryFiles(dir.resolve("data/Images-processed")).repartition(3);
                Map<Path, Row> scored = byFile(CovidCtScoring.score(content ? files : files.select("path"), weights,
                        ScoreOptions.defaults().withDevice(DeviceOption.Choice.cpu).withBatchSize(batch)));
                assertEquals(reference.keySet(), scored.keySet());
                reference.forEach((path, p) -> assertEquals(Double.doubleToRawLongBits(p),
                        Double.doubleToRawLongBits(scored.get(path).<Double>getAs("covid_probability")),
                        "batch " + batch + ", content " + content + ": " + path));
            }
        }
    }

    /** What PredictCommand runs, through the same public classes, keeping the doubles it prints with %.8f. */
    private static Map<Path, Double> predictPipeline() throws IOException {
        Map<Path, Double> out = new HashMap<>();
        List<Sample> samples = images.stream().map(p -> new Sample(p, 0)).toList();
        try (Module net = Sequential.fuseForInference(ClassifierModels.build(ClassifierModels.MOBILENET_V2,
                weights.toString(), new Generator(0)));
             DataLoader loader = DataLoader.builder(samples, Transforms.eval(ScoringFixture.IMAGE_SIZE,
                     Normalize.TUTORIAL)).batchSize(8).shuffle(false).workers(2).cacheBytes(0).device(Device.CPU)
                     .build()) {
            net.eval();
            try (DataLoader.Epoch epoch = loader.epoch(0); GradMode.Guard noGrad = GradMode.noGrad()) {
                while (epoch.hasNext()) {
                    try (Batch batch = epoch.next(); TensorScope scope = TensorScope.open()) {
                        float[] logits = net.forward(Variable.constant(batch.images())).data().toArray();
                        for (int i = 0; i < batch.size(); i++) {
                            out.put(batch.paths().get(i), Prediction.covidProbability(logits[2 * i], logits[2 * i + 1]));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Three partitions on two task threads, and a second job: one model built in this JVM. */
    @Test
    void loadsTheModelOncePerExecutor() throws IOException {
        Path other = ScoringFixture.weights(dir, 2); // weights no other test has loaded
        int before = ExecutorModels.loads();
        for (int job = 0; job < 2; job++) {
            Dataset<Row> scored = CovidCtScoring.score(binaryFiles(dir.resolve("data/Images-processed")).repartition(3), other,
                    ScoreOptions.defaults().withDevice(DeviceOption.Choice.cpu));
            assertEquals(images.size(), scored.count());
        }
        assertEquals(1, ExecutorModels.loads() - before);
    }

    @Test
    void refusesADataFrameWithoutPaths() {
        Dataset<Row> noPath = binaryFiles(dir.resolve("data/Images-processed")).withColumnRenamed("path", "file");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CovidCtScoring.score(noPath, weights));
        assertTrue(e.getMessage().startsWith("images: expected a binaryFile DataFrame, with a string column path"),
                e.getMessage());
    }
}
