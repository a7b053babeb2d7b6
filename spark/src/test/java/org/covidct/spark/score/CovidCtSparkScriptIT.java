package org.covidct.spark.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.covidct.app.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar through {@code bin/covidct-spark}, in local mode with Spark's jars from the
 * build: CSV part files with a header, whose probabilities print as covidct predict prints them.
 */
class CovidCtSparkScriptIT {
    private static final Path SCRIPT = Path.of("bin/covidct-spark");

    @TempDir
    static Path dir;
    static List<Path> images;
    static Path weights;

    @BeforeAll
    static void setUp() throws IOException {
        images = ScoringFixture.images(dir.resolve("data"));
        weights = ScoringFixture.weights(dir, 1);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run script(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JAVA_OPTS", "-Xmx2g");
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/covidct-spark ran for 5 minutes: " + String.join(" ", args));
        }
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
    }

    @Test
    void scoresInLocalModeAsPredictDoes() throws IOException, InterruptedException {
        Path out = dir.resolve("scores");
        Run run = script("score", "--master", "local[2]", "--device", "cpu", "--weights", weights.toString(),
                "--input", dir.resolve("data/Images-processed").toString(), "--output", out.toString(),
                "--format", "csv");
        assertEquals(0, run.code(), run.err());
        assertEquals("scored 20 images into " + out, run.out().strip());

        Map<Path, String> scored = new HashMap<>();
        try (Stream<Path> parts = Files.list(out)) {
            for (Path part : parts.filter(p -> p.toString().endsWith(".csv")).toList()) {
                List<String> lines = Files.readAllLines(part, StandardCharsets.UTF_8);
                assertEquals("path,covid_probability,prediction,error", lines.get(0));
                for (String line : lines.subList(1, lines.size())) {
                    // "file:PATH",probability,class, (the names hold commas, so the path is quoted)
                    int end = line.lastIndexOf("\",");
                    String[] rest = line.substring(end + 2).split(",", -1);
                    assertEquals("", rest[2], line);
                    scored.put(Path.of(line.substring(1, end).replaceFirst("^file:", "")),
                            String.format(Locale.ROOT, "%.8f,%s", Double.parseDouble(rest[0]), rest[1]));
                }
            }
        }
        assertEquals(predict(), scored);
    }

    @Test
    void needsAMaster() throws IOException, InterruptedException {
        Run run = script("score", "--weights", weights.toString(), "--input", dir.toString(), "--output",
                dir.resolve("unused").toString());
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().strip().endsWith("error: no Spark master: give --master local[N] to run here, or submit "
                + "the jar with spark-submit --master URL"), run.err());
    }

    /** covidct predict's probabilities and classes, as it prints them. */
    private static Map<Path, String> predict() {
        List<String> args = new ArrayList<>(List.of("predict", "--device", "cpu", "--weights", weights.toString()));
        images.forEach(p -> args.add(p.toString()));
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                args.toArray(String[]::new)), err.toString());
        Map<Path, String> printed = new HashMap<>();
        for (String line : out.toString().lines().skip(1).toList()) {
            int end = line.lastIndexOf("\",");
            printed.put(Path.of(line.substring(1, end)), line.substring(end + 2));
        }
        return printed;
    }
}
