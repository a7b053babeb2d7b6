package org.covidct.spark.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.covidct.app.cli.DeviceOption;
import org.covidct.spark.LocalSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupt, empty, foreign and vanished files each become a row with an error and no probability;
 * the job goes on, and the good images in the same batches get the same probabilities as alone.
 * (A binaryFile scan drops empty files and fails on vanished ones; listImages keeps both.)
 */
class BadImagesTest {
    @TempDir
    static Path dir;
    static Path weights;
    static Path good;

    @BeforeAll
    static void setUp() throws IOException {
        List<Path> images = ScoringFixture.images(dir.resolve("data"));
        weights = ScoringFixture.weights(dir, 1);
        good = Files.createDirectories(dir.resolve("good"));
        for (int i = 0; i < 5; i++) {
            Files.copy(images.get(i), good.resolve("good" + i + (images.get(i).toString().endsWith(".jpg") ? ".jpg"
                    : ".png")));
        }
        LocalSpark.session();
    }

    /** With content: a binaryFile scan, Spark reading the files. Without: listImages, the executors reading them. */
    private static Dataset<Row> scored(Path root, boolean content) throws IOException {
        Dataset<Row> files = content ? LocalSpark.session().read().format("binaryFile").load(root.toString())
                : CovidCtScoring.listImages(LocalSpark.session(), root.toString());
        return CovidCtScoring.score(files, weights,
                ScoreOptions.defaults().withDevice(DeviceOption.Choice.cpu).withBatchSize(4));
    }

    private static Map<Path, Row> byFile(Dataset<Row> scored) {
        return ScoringTest.byFile(scored);
    }

    @Test
    void badFilesBecomeErrorRows() throws IOException {
        Map<Path, Row> alone = byFile(scored(good, true));
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        for (Path p : alone.keySet()) {
            Files.copy(p, mixed.resolve(p.getFileName()));
        }
        byte[] png = Files.readAllBytes(good.resolve("good0.png"));
        Files.write(mixed.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        Files.write(mixed.resolve("empty.png"), new byte[0]);
        Files.writeString(mixed.resolve("notes.png"), "not an image");
        byte[] jpeg = new byte[200];
        jpeg[0] = (byte) 0xFF;
        jpeg[1] = (byte) 0xD8;
        jpeg[2] = (byte) 0xFF;
        Files.write(mixed.resolve("garbage.jpg"), jpeg);
        Map<Path, Row> scanned = byFile(scored(mixed, true));
        assertRows(scanned, 8, alone);
        assertFalse(scanned.containsKey(mixed.resolve("empty.png")), "Spark's file scan drops empty files");

        Path gone = mixed.resolve("gone.png");
        Files.write(gone, png);
        Dataset<Row> listed = scored(mixed, false); // the executors read the files
        Files.delete(gone); // listed, then gone before an executor reads it
        assertRows(byFile(listed), 10, alone);
    }

    private static void assertRows(Map<Path, Row> rows, int count, Map<Path, Row> alone) {
        assertEquals(count, rows.size());
        for (Map.Entry<Path, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            String name = e.getKey().getFileName().toString();
            if (name.startsWith("good")) {
                assertNull(r.getAs("error"), name);
                Row before = alone.get(good.resolve(name));
                assertEquals(before.<Double>getAs("covid_probability"), r.<Double>getAs("covid_probability"), name);
                assertEquals(before.<String>getAs("prediction"), r.<String>getAs("prediction"), name);
                continue;
            }
            assertNull(r.getAs("covid_probability"), name);
            assertNull(r.getAs("prediction"), name);
            String error = r.getAs("error");
            assertNotNull(error, name);
            assertEquals(-1, error.indexOf('\n'), "one line: " + error);
            String expected = switch (name) {
                case "empty.png" -> "empty file";
                case "notes.png" -> "unknown image format";
                case "gone.png" -> "cannot read (FileNotFoundException";
                case "truncated.png" -> "PNG";
                case "garbage.jpg" -> "JPEG";
                default -> throw new AssertionError("unexpected row " + name);
            };
            assertTrue(error.startsWith(expected), name + ": " + error);
        }
    }
}
