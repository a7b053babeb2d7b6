package org.covidct.app.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.covidct.app.metrics.Prediction;
import org.covidct.app.train.ScoresCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestScoresTest {
    @TempDir
    Path dir;

    @Test
    void readsBackWhatScoresCsvWrites() throws IOException {
        List<Path> paths = List.of(Path.of("a/plain.png"), Path.of("b/with, comma.png"), Path.of("c/\"quoted\".jpg"));
        List<Prediction> predictions = List.of(new Prediction(1, 1, 0.95), new Prediction(0, 1, 0.61234567),
                new Prediction(1, 0, 0.125));
        Path file = dir.resolve("scores.csv");
        ScoresCsv.write(file, paths, predictions);
        List<TestScores.Row> rows = TestScores.read(file);
        assertEquals(3, rows.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(paths.get(i), rows.get(i).path());
            assertEquals(predictions.get(i), rows.get(i).prediction());
        }
    }

    @Test
    void acceptsCrlfAndNoFinalLineBreak() throws IOException {
        Path file = Files.writeString(dir.resolve("s.csv"), ScoresCsv.HEADER + "\r\n\"x,y.png\",0,0.25000000,0");
        List<TestScores.Row> rows = TestScores.read(file);
        assertEquals(1, rows.size());
        assertEquals(Path.of("x,y.png"), rows.get(0).path());
    }

    @Test
    void badFilesAreNamed() throws IOException {
        Path noHeader = Files.writeString(dir.resolve("h.csv"), "a,b\n");
        var e = assertThrows(IOException.class, () -> TestScores.read(noHeader));
        assertTrue(e.getMessage().contains("h.csv"), e.getMessage());
        Path shortRow = Files.writeString(dir.resolve("r.csv"), ScoresCsv.HEADER + "\nx.png,1,0.5\n");
        e = assertThrows(IOException.class, () -> TestScores.read(shortRow));
        assertTrue(e.getMessage().contains("record 2"), e.getMessage());
        Path badLabel = Files.writeString(dir.resolve("l.csv"), ScoresCsv.HEADER + "\nx.png,3,0.5,1\n");
        assertThrows(IOException.class, () -> TestScores.read(badLabel));
    }
}
