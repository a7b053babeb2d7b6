package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.covidct.nn.io.AtomicFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several seeds run into OUT/seed-N and summarised; the expected statistics are worked out by hand
 * (and agree with numpy's mean and std(ddof=1)).
 */
class SeedRunsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path out;

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(console, true, StandardCharsets.UTF_8);
    private final List<Long> ran = new ArrayList<>();

    /**
     * Seeds 0, 1 and 3 finish; seed 2 fails. Best validation accuracies 0.75, 0.875, 1.0; epochs 3,
     * 2, 5; test accuracies 0.7, 0.8, 0.9; ROC AUC 0.9, undefined, 0.8; a chosen operating point in
     * seed 3's run only.
     */
    private void fourSeeds(long seed, Path runDir) throws IOException {
        ran.add(seed);
        switch ((int) seed) {
            case 0 -> {
                SyntheticRuns.metrics(runDir, 0.5, 0.75, 0.625);
                SyntheticRuns.testMetrics(runDir, 0.7, 0.9, null);
            }
            case 1 -> {
                SyntheticRuns.metrics(runDir, 0.625, 0.875);
                SyntheticRuns.testMetrics(runDir, 0.8, null, null);
            }
            case 2 -> throw new IOException("epoch 2, batch 3 of 9: the training loss is NaN;\n  try a lower --lr");
            default -> {
                SyntheticRuns.metrics(runDir, 0.5, 0.5, 0.5, 1.0, 0.75);
                SyntheticRuns.testMetrics(runDir, 0.9, 0.8, 0.6);
            }
        }
    }

    private SeedSummary runFourSeeds() throws IOException {
        return SeedRuns.run(out, List.of(0L, 1L, 2L, 3L), this::fourSeeds, log);
    }

    @Test
    void everySeedRunsInOrderIntoItsDirectoryAndAFailureStopsNone() throws IOException {
        List<Path> dirs = new ArrayList<>();
        SeedSummary summary = SeedRuns.run(out, List.of(0L, 1L, 2L, 3L), (seed, dir) -> {
            dirs.add(dir);
            fourSeeds(seed, dir);
        }, log);
        assertEquals(List.of(0L, 1L, 2L, 3L), ran, "seed 3 runs after seed 2 failed");
        assertEquals(List.of(out.resolve("seed-0"), out.resolve("seed-1"), out.resolve("seed-2"),
                out.resolve("seed-3")), dirs);
        assertTrue(summary.anyFailed());
        assertEquals(1, summary.failedCount());
        assertEquals("epoch 2, batch 3 of 9: the training loss is NaN; try a lower --lr", summary.runs().get(2).error());
    }

    @Test
    void summaryJsonHoldsEachSeedsValuesWithTheirMeanAndSampleStandardDeviation() throws IOException {
        runFourSeeds();
        JsonNode json = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals("[0,1,2,3]", json.get("seeds").toString());
        assertEquals(3, json.get("finished").asInt());
        assertEquals(1, json.get("failed").asInt());
        JsonNode failed = json.get("runs").get(2);
        assertEquals("seed-2", failed.get("run_dir").asText());
        assertEquals("failed", failed.get("status").asText());
        assertEquals("epoch 2, batch 3 of 9: the training loss is NaN; try a lower --lr", failed.get("error").asText());
        assertEquals("ok", json.get("runs").get(3).get("status").asText());
        assertTrue(json.get("runs").get(3).get("error").isNull());

        JsonNode m = json.get("metrics");
        // 0.75, 0.875, 1.0: mean 0.875, squares 2 x 0.125^2 over n - 1 = 2, std 0.125 (population: 0.102).
        assertStats(m.get("best_val_accuracy"), 3, 0.875, 0.125, "[0.75,0.875,null,1.0]");
        // 3, 2, 5: mean 10/3, squares (1 + 16 + 25)/9 over 2, std sqrt(7/3) (population: 1.247).
        assertStats(m.get("epochs_trained"), 3, 10.0 / 3, Math.sqrt(7.0 / 3), "[3.0,2.0,null,5.0]");
        assertStats(m.get("test.accuracy"), 3, 0.8, 0.1, "[0.7,0.8,null,0.9]");
        // undefined in seed 1: over 0.9 and 0.8, std sqrt(2 x 0.05^2 / 1) = 0.0707.
        assertStats(m.get("test.roc_auc"), 2, 0.85, Math.sqrt(0.005), "[0.9,null,null,0.8]");
        assertStats(m.get("test.accuracy_ci.low"), 3, 0.5, 0.0, "[0.5,0.5,null,0.5]");
        JsonNode chosenF1 = m.get("test.operating_points.chosen.test.f1");
        assertEquals(1, chosenF1.get("n").asInt());
        assertEquals(0.6, chosenF1.get("mean").asDouble());
        assertTrue(chosenF1.get("std").isNull(), "no deviation of one run");

        List<String> names = new ArrayList<>();
        m.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("best_val_accuracy", "epochs_trained", "val.num_samples", "val.accuracy",
                "test.num_samples", "test.accuracy", "test.roc_auc", "test.accuracy_ci.low", "test.accuracy_ci.high",
                "test.calibration.num_bins", "test.calibration.ece", "test.calibration.brier",
                "test.temperature_scaling.temperature", "test.operating_points.default.threshold",
                "test.operating_points.chosen.threshold", "test.operating_points.chosen.test.f1"), names,
                "every number of test_metrics.json but the interval method's, found in the files");
    }

    private static void assertStats(JsonNode metric, int n, double mean, double std, String values) {
        assertEquals(n, metric.get("n").asInt());
        assertEquals(mean, metric.get("mean").asDouble(), 1e-12);
        assertEquals(std, metric.get("std").asDouble(), 1e-12);
        assertEquals(values, metric.get("values").toString());
    }

    @Test
    void summaryCsvHasARowPerMetric() throws IOException {
        runFourSeeds();
        List<String> lines = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals("metric,n,mean,std,seed_0,seed_1,seed_2,seed_3", lines.get(0));
        assertEquals(17, lines.size());
        assertCsvRow(lines, "best_val_accuracy", "3", 0.875, 0.125, "0.75", "0.875", "", "1.0");
        assertCsvRow(lines, "test.accuracy", "3", 0.8, 0.1, "0.7", "0.8", "", "0.9");
        assertCsvRow(lines, "test.roc_auc", "2", 0.85, Math.sqrt(0.005), "0.9", "", "", "0.8");
        assertTrue(lines.contains("test.operating_points.chosen.test.f1,1,0.6,,,,,0.6"), "no std of one run");
    }

    private static void assertCsvRow(List<String> lines, String metric, String n, double mean, double std,
                                     String... values) {
        String[] f = lines.stream().filter(l -> l.startsWith(metric + ",")).findFirst().orElseThrow().split(",", -1);
        assertEquals(n, f[1]);
        assertEquals(mean, Double.parseDouble(f[2]), 1e-12);
        assertEquals(std, Double.parseDouble(f[3]), 1e-12);
        assertEquals(List.of(values), Arrays.asList(f).subList(4, f.length));
    }

    @Test
    void consoleTableShowsEachSeedAndTheMeanWithItsDeviation() throws IOException {
        runFourSeeds();
        String text = console.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("seed 2 (3 of 4): " + out.resolve("seed-2")), text);
        assertTrue(text.contains("4 seeds (0, 1, 2, 3): 3 finished, 1 failed; mean ± sample standard deviation "
                + "(n - 1) over the finished runs"), text);
        assertTrue(text.contains("""
                metric             seed 0  seed 1  seed 2  seed 3       mean ± std
                best val accuracy  0.7500  0.8750  failed  1.0000  0.8750 ± 0.1250
                epochs trained          3       2  failed       5      3.33 ± 1.53
                test accuracy      0.7000  0.8000  failed  0.9000  0.8000 ± 0.1000
                test ROC AUC       0.9000       -  failed  0.8000  0.8500 ± 0.0707
                test ECE           0.1000  0.1000  failed  0.1000  0.1000 ± 0.0000
                test Brier         0.2000  0.2000  failed  0.2000  0.2000 ± 0.0000
                chosen threshold        -       -  failed  0.4000           0.4000
                """), text);
        assertFalse(text.contains("test sensitivity"), "rows only for metrics the runs have: " + text);
        assertTrue(text.contains("seed 2 failed: epoch 2, batch 3 of 9: the training loss is NaN; try a lower --lr\n"),
                text);
    }

    @Test
    void aRunThatReturnsWithoutItsMetricsCountsAsFailed() throws IOException {
        SeedSummary summary = SeedRuns.run(out, List.of(5L, 6L), (seed, dir) -> {
            if (seed == 6) {
                SyntheticRuns.metrics(dir, 0.5);
                SyntheticRuns.testMetrics(dir, 0.5, 0.5, null);
            }
        }, log);
        assertEquals(out.resolve("seed-5").resolve("metrics.json") + " is missing", summary.runs().get(0).error());
        assertFalse(summary.runs().get(1).failed());
        assertEquals(List.of(true, false), summary.runs().stream().map(SeedSummary.SeedRun::failed).toList());
    }

    @Test
    void aDamagedTestMetricsFileIsNamed() throws IOException {
        SeedSummary summary = SeedRuns.run(out, List.of(0L), (seed, dir) -> {
            SyntheticRuns.metrics(dir, 0.5);
            Files.writeString(dir.resolve("test_metrics.json"), "{\"test\": {\"accuracy\": 0.");
        }, log);
        String error = summary.runs().get(0).error();
        assertTrue(error.startsWith(out.resolve("seed-0").resolve("test_metrics.json") + ": not valid JSON ("), error);
        assertFalse(error.contains("\n"));
    }

    @Test
    void anOutOfMemoryErrorFailsThatSeedOnly() throws IOException {
        SeedSummary summary = SeedRuns.run(out, List.of(0L, 1L), (seed, dir) -> {
            if (seed == 0) {
                throw new OutOfMemoryError("Java heap space");
            }
            fourSeeds(1, dir);
        }, log);
        assertEquals("Java heap space", summary.runs().get(0).error());
        assertFalse(summary.runs().get(1).failed());
    }

    @Test
    void seedsMustBeGivenAndDistinct() {
        SeedRuns.SeedRun never = (seed, dir) -> {
            throw new AssertionError("no seed may run");
        };
        assertEquals("--seeds: no seeds given", assertThrows(IllegalArgumentException.class,
                () -> SeedRuns.run(out, List.of(), never, log)).getMessage());
        assertEquals("--seeds 0,1,0,2,1: 0, 1 are given more than once", assertThrows(IllegalArgumentException.class,
                () -> SeedRuns.run(out, List.of(0L, 1L, 0L, 2L, 1L), never, log)).getMessage());
        assertEquals("--seeds 3,3: 3 is given more than once", assertThrows(IllegalArgumentException.class,
                () -> SeedRuns.run(out, List.of(3L, 3L), never, log)).getMessage());
    }

    /**
     * A rerun replaces each summary file by a rename, never by rewriting it in place: a hard link to
     * the old file keeps the old content whole, and no temporary file is left.
     */
    @Test
    void summaryFilesAreReplacedAtomically() throws IOException {
        runFourSeeds();
        List<String> files = List.of("summary.json", "summary.csv", "summary.html");
        List<String> before = new ArrayList<>();
        for (String f : files) {
            before.add(Files.readString(out.resolve(f)));
            Files.createLink(out.resolve("old-" + f), out.resolve(f));
        }
        SeedRuns.run(out, List.of(0L, 1L), (seed, dir) -> {
            SyntheticRuns.metrics(dir, 0.25);
            SyntheticRuns.testMetrics(dir, 0.25, 0.5, null);
        }, log);
        for (int i = 0; i < files.size(); i++) {
            String f = files.get(i);
            assertEquals(before.get(i), Files.readString(out.resolve("old-" + f)), f + " was rewritten in place");
            assertFalse(Files.readString(out.resolve(f)).equals(before.get(i)), f + " was not replaced");
        }
        assertTrue(Files.readString(out.resolve("summary.csv")).contains("test.accuracy,2,0.25,0.0,0.25,0.25\n"));
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(AtomicFile.TEMP_SUFFIX)).toList());
        }
    }
}
