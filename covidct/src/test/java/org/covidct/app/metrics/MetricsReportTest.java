package org.covidct.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsReportTest {
    private static final double TOL = 1e-12;

    @Test
    void printsTheTutorialsTablesDigitForDigit() throws IOException {
        for (String name : SklearnFixtureTest.caseNames()) {
            JsonNode c = SklearnFixtureTest.load(name);
            if (!c.has("tutorial_test_printout")) {
                continue;
            }
            MetricsReport r = MetricsReport.compute(SklearnFixtureTest.predictions(c), c.get("loss").asDouble());
            String table = r.formatTable();
            String expectedHead = c.get("tutorial_test_printout").asText();
            assertEquals(expectedHead, table.substring(0, expectedHead.length()), name);
            assertTrue(table.endsWith(c.get("classification_report_text").asText()), name);
            assertTrue(table.contains(c.get("confusion_matrix_str").asText()), name);
            assertEquals(c.get("tutorial_epoch_printout").asText(), r.formatEpochTable(3, 25), name);
        }
    }

    @Test
    void jsonCarriesEveryMetricWithSklearnsNames() throws IOException {
        JsonNode c = SklearnFixtureTest.load("random_203");
        MetricsReport r = MetricsReport.compute(SklearnFixtureTest.predictions(c), c.get("loss").asDouble());
        JsonNode j = new ObjectMapper().readTree(r.toJson());

        assertEquals(203, j.get("num_samples").asInt());
        assertEquals(c.get("accuracy").asDouble(), j.get("accuracy").asDouble(), TOL);
        assertEquals(c.get("recall_per_class").get(1).asDouble(), j.get("sensitivity").asDouble(), TOL);
        assertEquals(c.get("recall_per_class").get(0).asDouble(), j.get("specificity").asDouble(), TOL);
        assertEquals(c.get("roc_auc_score").asDouble(), j.get("roc_auc").asDouble(), TOL);
        assertFalse(j.has("roc_auc_undefined_reason"));
        assertEquals(c.get("confusion_matrix"), j.get("confusion_matrix"));
        assertEquals(c.get("loss").asDouble(), j.get("loss").asDouble(), 0.0);
        // Same keys, same numbers (a double that prints the same parses to the same bits).
        assertEquals(c.get("classification_report").toString(), j.get("classification_report").toString());
        for (String k : List.of("fpr", "tpr", "thresholds")) {
            assertEquals(c.get("roc_curve").get(k), j.get("roc_curve").get(k), k);
        }
    }

    @Test
    void oneClassSetSaysAucIsUndefinedInsteadOfNaN() throws IOException {
        JsonNode c = SklearnFixtureTest.load("one_class_positive");
        MetricsReport r = MetricsReport.compute(SklearnFixtureTest.predictions(c), 0.1);
        assertEquals(new RocAuc.Undefined("AUC undefined: only one class present"), r.rocAuc());

        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertTrue(j.get("roc_auc").isNull());
        assertEquals("AUC undefined: only one class present", j.get("roc_auc_undefined_reason").asText());
        assertTrue(j.get("roc_curve").isNull());
        assertFalse(r.toJson().contains("NaN"));
        assertTrue(r.formatTable().contains("Area Under ROC \t AUC undefined: only one class present\n"));
        assertEquals(c.get("accuracy").asDouble(), j.get("accuracy").asDouble(), TOL);
    }

    @Test
    void everythingInOneClassReportsAMicroAverageLikeSklearn() throws IOException {
        JsonNode c = SklearnFixtureTest.load("one_class_everywhere");
        MetricsReport r = MetricsReport.compute(SklearnFixtureTest.predictions(c), 0.0);
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertFalse(j.get("classification_report").has("accuracy"));
        assertEquals(1.0, j.get("classification_report").get("micro avg").get("f1-score").asDouble(), 0.0);
        assertEquals(1.0, j.get("accuracy").asDouble(), 0.0);
    }

    @Test
    void rejectsWhatSklearnRejects() {
        assertThrows(IllegalArgumentException.class, () -> MetricsReport.compute(List.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> new Prediction(2, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Prediction(0, 0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Prediction.fromLogits(Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, 0));
        assertThrows(IllegalArgumentException.class,
                () -> RocCurve.of(new int[] {0, 0}, new double[] {0.1, 0.2}, true));
    }

    @Test
    void argmaxTiesGoToNonCovidAndTheScoreIsTheCovidSoftmax() {
        Prediction tie = Prediction.fromLogits(0.7f, 0.7f, 1);
        assertEquals(Prediction.NON_COVID, tie.predicted());
        assertEquals(0.5, tie.score(), 0.0);
        assertEquals(1.0, Prediction.fromLogits(-1000f, 1000f, 1).score(), 0.0);
        assertEquals(0.0, Prediction.fromLogits(1000f, -1000f, 0).score(), 0.0);
        assertEquals(1 / (1 + Math.exp(-1.5)), Prediction.fromLogits(0.5f, 2f, 1).score(), 1e-16);
        assertEquals(Prediction.COVID, Prediction.fromLogits(0f, Float.MIN_VALUE, 1).predicted());
    }

    @Test
    void pythonFormatMatchesPythonOnEveryRecordedValue() throws IOException {
        JsonNode rows = SklearnFixtureTest.load("python_format");
        assertTrue(rows.size() > 600);
        for (JsonNode row : rows) {
            double v = row.get("value").asDouble();
            assertEquals(row.get("repr").asText(), PythonFormat.repr(v), "repr");
            assertEquals(row.get("f2").asText(), PythonFormat.fixed(v, 2), "%.2f of " + row.get("repr").asText());
            assertEquals(row.get("f3").asText(), PythonFormat.fixed(v, 3), "%.3f of " + row.get("repr").asText());
        }
    }
}
