package org.covidct.spark.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.covidct.app.TinyCovidCt;
import org.covidct.app.cli.DeviceOption;
import org.covidct.spark.LocalSpark;
import org.covidct.spark.SparkMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep on a tiny data set: two seeds trained as two Spark tasks, side by side, and two points
 * whose initial weights are corrupt, which fail without stopping the others; the summaries give
 * each run's metrics from its run directory, and their mean and deviation over the seeds.
 */
class SweepCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = SparkMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private String[] sweep(Path out, String... grid) {
        List<String> args = new ArrayList<>(List.of("sweep", "--master", "local[2]", "--device", "cpu",
                "--data", dir.resolve("COVID-CT").toString(), "--out", out.toString(), "--arch", "mobilenet_v2",
                "--image-size", "32", "--epochs", "1", "--batch-size", "4", "--accumulate", "1", "--workers", "1",
                "--grid"));
        args.addAll(List.of(grid));
        return args.toArray(String[]::new);
    }

    @Test
    void trainsEachPointAndSummarises() throws IOException {
        TinyCovidCt.create(dir.resolve("COVID-CT"), Map.of("train", 2, "val", 2, "test", 2), 48, 1);
        Path bad = Files.writeString(dir.resolve("bad.safetensors"), "not a weight file");
        Path out = dir.resolve("sweep");
        LocalSpark.session();

        Run run = cli(sweep(out, "seeds=0,1", "weights=none," + bad));
        assertEquals(1, run.code(), "a failed run makes the exit status 1: " + run.err() + run.out());

        List<String> points = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals(5, points.size(), String.join("\n", points));
        List<String> header = List.of(points.get(0).split(","));
        assertEquals(List.of("point", "seed", "weights", "status", "error", "run_dir", "seconds"), header.subList(0, 7));
        Map<String, JsonNode> finished = new HashMap<>();
        for (String line : points.subList(1, 5)) {
            String[] f = fields(line);
            Path runDir = Path.of(f[5]);
            if (f[2].equals("none")) {
                assertEquals("ok", f[3], line);
                JsonNode metrics = new ObjectMapper().readTree(runDir.resolve("test_metrics.json").toFile());
                for (String metric : List.of("test.accuracy", "test.roc_auc", "val.loss", "test.calibration.ece")) {
                    String[] path = metric.split("\\.");
                    JsonNode node = metrics;
                    for (String p : path) {
                        node = node.get(p);
                    }
                    assertEquals(node.doubleValue(), Double.parseDouble(f[header.indexOf(metric)]), metric);
                }
                assertEquals(metrics.get("test").get("accuracy_ci").get(1).doubleValue(),
                        Double.parseDouble(f[header.indexOf("test.accuracy_ci.high")]));
                assertTrue(Files.isRegularFile(runDir.resolve("checkpoints/best.safetensors")));
                finished.put(f[1], metrics.get("test"));
            } else {
                assertEquals("failed", f[3], line);
                assertTrue(f[4].startsWith(bad + ": not a PyTorch weight file"), "the error names the file: " + f[4]);
                assertEquals("", f[header.indexOf("test.accuracy")]);
            }
            assertTrue(Files.size(out.resolve("logs").resolve(runDir.getFileName() + ".log")) > 0);
        }
        assertEquals(2, finished.size(), "seeds 0 and 1 trained");

        List<String> bySetting = Files.readAllLines(out.resolve("summary_by_setting.csv"));
        assertEquals(3, bySetting.size());
        List<String> columns = List.of(bySetting.get(0).split(","));
        assertEquals(List.of("weights", "runs", "failed", "val.num_samples.mean", "val.num_samples.std"),
                columns.subList(0, 5));
        String[] none = fields(bySetting.get(1));
        assertEquals(List.of("none", "2", "0"), List.of(none).subList(0, 3));
        for (String metric : List.of("accuracy", "loss")) { // the losses differ from seed to seed
            double a = finished.get("0").get(metric).doubleValue(), b = finished.get("1").get(metric).doubleValue();
            assertEquals((a + b) / 2, Double.parseDouble(none[columns.indexOf("test." + metric + ".mean")]), 1e-15);
            assertEquals(Math.abs(a - b) / Math.sqrt(2),
                    Double.parseDouble(none[columns.indexOf("test." + metric + ".std")]), 1e-15, metric);
        }
        assertTrue(Double.parseDouble(none[columns.indexOf("test.loss.std")]) > 0, "the seeds' losses differ");
        String[] broken = fields(bySetting.get(2));
        assertEquals(List.of(bad.toString(), "2", "2", ""), List.of(broken).subList(0, 4));
        assertTrue(run.out().contains("weights=none: 2 runs, 0 failed; test.accuracy "), run.out());

        // A task that Spark runs again (its executor lost) finds its run directory, and resumes it.
        SweepSettings settings = new SweepSettings("mobilenet_v2", "none", dir.resolve("COVID-CT").toString(),
                out.toString(), 1, 4, 1, null, 0.9f, 32, 0, 1, 5, DeviceOption.Choice.cpu);
        SweepPoint seed0 = SweepGrid.parse(List.of("seeds=0,1", "weights=none," + bad)).points().get(0);
        SweepResult again = new SweepTask(settings).call(seed0);
        assertNull(again.error());
        assertEquals(finished.get("0").get("loss").doubleValue(), again.metrics().get("test.loss"));
        assertTrue(Files.readString(SweepTask.logFile(settings, seed0)).contains("resuming "));
    }

    /** A CSV line's fields; a quoted field (the errors hold commas) may hold commas and doubled quotes. */
    private static String[] fields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                field.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields.toArray(String[]::new);
    }

    @Test
    void checksTheGridBeforeAnyRun() {
        Path out = dir.resolve("sweep");
        Run lr = cli(sweep(out, "lr=0.01,fast"));
        assertEquals(2, lr.code());
        assertEquals("error: p01-lr-fast: --grid lr=fast: not a number", lr.err().strip());
        Run momentum = cli(sweep(out, "momentum=0.9,1.5"));
        assertEquals(2, momentum.code());
        assertEquals("error: p01-momentum-1.5: invalid training settings: learning rate 0.001, momentum 1.5",
                momentum.err().strip());
        Run recipe = cli(sweep(out, "recipe=transfer,fast"));
        assertEquals(2, recipe.code());
        assertEquals("error: p01-recipe-fast: --grid unknown recipe 'fast': expected tutorial or transfer",
                recipe.err().strip());
        assertTrue(Files.notExists(out), "nothing written");
    }
}
