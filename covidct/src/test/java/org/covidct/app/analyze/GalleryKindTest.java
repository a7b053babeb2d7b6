package org.covidct.app.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.covidct.app.metrics.Prediction;
import org.junit.jupiter.api.Test;

class GalleryKindTest {
    private static TestScores.Row row(int i, int target, double score) {
        return new TestScores.Row(Path.of("img" + i + ".png"), Prediction.fromScore(score, target));
    }

    @Test
    void theTutorialsRules() {
        List<TestScores.Row> rows = List.of(row(0, 1, 0.95), row(1, 1, 0.9), row(2, 0, 0.7), row(3, 0, 0.2),
                row(4, 1, 0.3), row(5, 1, 0.91));
        assertEquals(List.of(rows.get(0), rows.get(5)), GalleryKind.TRUE_POSITIVES.members(rows),
                "a true positive needs a score above 0.9");
        assertEquals(List.of(rows.get(2)), GalleryKind.FALSE_POSITIVES.members(rows));
        assertEquals(List.of(rows.get(3)), GalleryKind.TRUE_NEGATIVES.members(rows));
        assertEquals(List.of(rows.get(4)), GalleryKind.FALSE_NEGATIVES.members(rows));
    }

    @Test
    void samplesAreSeededDistinctAndAtMostTheCount() {
        List<TestScores.Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(row(i, 0, 0.1));
        }
        List<TestScores.Row> a = GalleryKind.TRUE_NEGATIVES.sample(rows, 10, 3);
        assertEquals(10, a.size());
        assertEquals(10, new HashSet<>(a).size());
        assertEquals(a, GalleryKind.TRUE_NEGATIVES.sample(rows, 10, 3));
        assertNotEquals(a, GalleryKind.TRUE_NEGATIVES.sample(rows, 10, 4));
        assertEquals(3, GalleryKind.TRUE_NEGATIVES.sample(rows.subList(0, 3), 10, 3).size());
        assertTrue(GalleryKind.FALSE_NEGATIVES.sample(rows, 10, 3).isEmpty());
    }
}
