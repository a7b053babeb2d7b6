package org.covidct.spark.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.covidct.app.cli.DeviceOption;
import org.covidct.spark.LocalSpark;
import org.covidct.spark.SparkMain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code score} on the command line: CSV part files with a header, Parquet, and its usage errors. */
class ScoreCommandTest {
    @TempDir
    static Path dir;
    static Path images;
    static Path weights;

    @BeforeAll
    static void setUp() throws IOException {
        ScoringFixture.images(dir.resolve("data"));
        images = dir.resolve("data/Images-processed");
        Files.writeString(images.resolve("CT_COVID/broken.png"), "not an image");
        weights = ScoringFixture.weights(dir, 1);
        LocalSpark.session();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = SparkMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void writesCsvPartFilesWithAHeader() throws IOException {
        Path out = dir.resolve("csv");
        Run run = cli("score", "--master", "local[2]", "--device", "cpu", "--weights", weights.toString(),
                "--input", images.toString(), "--output", out.toString(), "--format", "csv", "--batch-size", "4",
                "--partitions", "3");
        assertEquals(0, run.code(), run.err());
        assertEquals("scored 20 images into " + out + "; 1 could not be read (their rows say why, in column error)",
                run.out().strip());
        List<String> rows = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path part : files.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList()) {
                List<String> lines = Files.readAllLines(part);
                assertEquals("path,covid_probability,prediction,error", lines.get(0), part.toString());
                rows.addAll(lines.subList(1, lines.size()));
            }
        }
        assertEquals(21, rows.size());
        assertEquals(1, rows.stream().filter(r -> r.contains("broken.png") && r.endsWith(",,,\"unknown image format "
                + "(first bytes 6e6f7420616e2069; only PNG, JPEG and BMP are supported)\"")).count(), String.join("\n", rows));

        // The CSV holds each probability exactly (Java's shortest round-trip form), as the API computes it.
        Map<Path, Row> api = ScoringTest.byFile(CovidCtScoring.score(CovidCtScoring.listImages(LocalSpark.session(),
                images.toString()), weights, ScoreOptions.defaults().withDevice(DeviceOption.Choice.cpu)));
        Map<Path, Row> csv = ScoringTest.byFile(OutputFormat.csv.read(LocalSpark.session(), out.toString()));
        assertEquals(api.keySet(), csv.keySet());
        api.forEach((path, r) -> assertEquals(r, csv.get(path), path.toString()));
    }

    @Test
    void writesParquetByDefault() {
        Path out = dir.resolve("parquet");
        Run run = cli("score", "--master", "local[2]", "--device", "cpu", "--weights", weights.toString(),
                "--input", images.resolve("CT_NonCOVID").toString(), "--output", out.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals(10, OutputFormat.parquet.read(LocalSpark.session(), out.toString()).count());

        Run again = cli("score", "--master", "local[2]", "--device", "cpu", "--weights", weights.toString(),
                "--input", images.toString(), "--output", out.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().startsWith("error: [PATH_ALREADY_EXISTS] Path file:" + out + " already exists."),
                again.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        String[] common = {"score", "--master", "local[2]", "--weights", weights.toString(), "--input",
            images.toString(), "--output", dir.resolve("unused").toString()};
        Run format = cli(concat(common, "--format", "xml"));
        assertEquals(2, format.code());
        assertEquals("error: Invalid value for option '--format': expected one of [parquet, csv] (case-sensitive) but "
                + "was 'xml'", format.err().strip());
        Run batch = cli(concat(common, "--batch-size", "0"));
        assertEquals(2, batch.code());
        assertEquals("error: --batch-size 0: must be at least 1", batch.err().strip());
        Run size = cli(concat(common, "--image-size", "64"));
        assertEquals(2, size.code());
        assertEquals("error: --image-size 64 contradicts " + weights + ", trained at 32", size.err().strip());
        Run missing = cli("score", "--weights", weights.toString(), "--input", images.toString());
        assertEquals(2, missing.code());
        assertEquals("error: Missing required option: '--output=OUT'", missing.err().strip());
        assertTrue(Files.notExists(dir.resolve("unused")));
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }
}
