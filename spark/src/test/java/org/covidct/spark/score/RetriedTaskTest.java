package org.covidct.spark.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.covidct.app.cli.DeviceOption;
import org.covidct.spark.LocalSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first attempt of one task fails after writing part of its rows; Spark (local[2,2]: two tries
 * per task) runs it again, and the output holds every image exactly once, with the probabilities
 * of a run that did not fail.
 */
class RetriedTaskTest {
    /** Tasks that threw; the test runs in local mode, so the tasks run in this JVM. */
    static final AtomicInteger FAILED_ATTEMPTS = new AtomicInteger();
    private static final int FAILING_PARTITION = 1;

    @TempDir
    Path dir;

    /** Passes rows on, but the first attempt at one partition dies after two of them. */
    static final class FailFirstAttempt implements MapPartitionsFunction<Row, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            TaskContext task = TaskContext.get();
            boolean fail = task.partitionId() == FAILING_PARTITION && task.attemptNumber() == 0;
            return new Iterator<>() {
                int passed;

                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    if (fail && passed == 2) {
                        FAILED_ATTEMPTS.incrementAndGet();
                        throw new IllegalStateException("the test's failure of the first attempt at partition "
                                + FAILING_PARTITION);
                    }
                    passed++;
                    return rows.next();
                }
            };
        }
    }

    @Test
    void aRetriedTaskLeavesNoDuplicateAndNoMissingRow() throws IOException {
        List<Path> images = ScoringFixture.images(dir.resolve("data"));
        Path weights = ScoringFixture.weights(dir, 1);
        SparkSession spark = LocalSpark.session();
        ScoreOptions options = ScoreOptions.defaults().withDevice(DeviceOption.Choice.cpu).withBatchSize(3);
        // Two partitions of 10 paths each (the default parallelism of local[2,2]), whatever the paths.
        Dataset<Row> byPath = CovidCtScoring.listImages(spark, dir.resolve("data/Images-processed").toString());
        assertEquals(2, byPath.rdd().getNumPartitions());
        Map<Path, Row> clean = ScoringTest.byFile(CovidCtScoring.score(byPath, weights, options));
        assertEquals(images.size(), clean.size());

        int failedBefore = FAILED_ATTEMPTS.get();
        Dataset<Row> failing = CovidCtScoring.score(byPath, weights, options)
                .mapPartitions(new FailFirstAttempt(), Encoders.row(CovidCtScoring.SCHEMA));
        String out = dir.resolve("scores").toString();
        OutputFormat.parquet.write(failing, out);
        assertEquals(1, FAILED_ATTEMPTS.get() - failedBefore, "one attempt failed, and the job went on");

        Dataset<Row> written = OutputFormat.parquet.read(spark, out);
        assertEquals(images.size(), written.count(), "no duplicate");
        assertEquals(images.size(), written.select("path").distinct().count(), "no duplicate path");
        Map<Path, Row> rows = ScoringTest.byFile(written);
        assertEquals(clean.keySet(), rows.keySet(), "no missing image");
        rows.forEach((path, r) -> {
            assertNull(r.getAs("error"));
            assertEquals(clean.get(path).<Double>getAs("covid_probability"), r.<Double>getAs("covid_probability"));
        });
        assertEquals(0, written.filter(functions.col("error").isNotNull()).count());
        try (Stream<Path> parts = Files.list(Path.of(out))) {
            List<String> names = new ArrayList<>(parts.map(p -> p.getFileName().toString()).sorted().toList());
            names.removeIf(n -> n.startsWith("part-") || n.startsWith(".part-"));
            assertEquals(List.of("._SUCCESS.crc", "_SUCCESS"), names, "no attempt's leftovers");
        }
    }
}
