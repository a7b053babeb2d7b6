package org.covidct.app.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the crafted cases of scripts/metrics/make_metrics_fixtures.py (scikit-learn 1.2.1, numpy,
 * torch) and compares: counts exactly, doubles to 1e-12, printed text character for character.
 */
class SklearnFixtureTest {
    private static final double TOL = 1e-12;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonNode load(String name) throws IOException {
        try (InputStream in = SklearnFixtureTest.class.getResourceAsStream("/metrics/" + name + ".json")) {
            assertNotNull(in, "missing fixture " + name);
            return MAPPER.readTree(in);
        }
    }

    static List<String> caseNames() throws IOException {
        List<String> names = new ArrayList<>();
        load("index").get("cases").forEach(n -> names.add(n.asText()));
        return names;
    }

    static List<Prediction> predictions(JsonNode c) {
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < c.get("y_true").size(); i++) {
            out.add(new Prediction(c.get("y_true").get(i).asInt(), c.get("y_pred").get(i).asInt(),
                    c.get("y_score").get(i).asDouble()));
        }
        return out;
    }

    @Test
    void fixturesCoverTheCraftedCases() throws IOException {
        assertEquals(15, caseNames().size());
        assertEquals("1.2.1", load("index").get("sklearn").asText());
    }

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesSklearn() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : caseNames()) {
            JsonNode c = load(name);
            tests.add(DynamicTest.dynamicTest(name, () -> check(c)));
        }
        return tests.stream();
    }

    private static void check(JsonNode c) {
        List<Prediction> preds = predictions(c);
        MetricsReport r = MetricsReport.compute(preds, 0.25);

        assertEquals(c.get("accuracy").asDouble(), r.accuracy(), TOL, "accuracy");
        assertEquals(c.get("recall_per_class").get(0).asDouble(), r.specificity(), TOL, "specificity");
        assertEquals(c.get("recall_per_class").get(1).asDouble(), r.sensitivity(), TOL, "sensitivity");

        long[][] cm = r.confusionMatrix().toArray();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                assertEquals(c.get("confusion_matrix").get(i).get(j).asLong(), cm[i][j], "confusion matrix " + i + "," + j);
            }
        }
        assertEquals(c.get("confusion_matrix_str").asText(), r.confusionMatrix().format());

        compareReport(c.get("classification_report"), r.classificationReport().toMap());
        assertEquals(c.get("classification_report_text").asText(), r.classificationReport().formatText());
        // The tutorial's own call (no labels) raises exactly where sklearn shows "micro avg".
        assertEquals(c.get("tutorial_classification_report_error").isNull(), r.classificationReport().microIsAccuracy());

        int[] targets = preds.stream().mapToInt(Prediction::target).toArray();
        double[] scores = preds.stream().mapToDouble(Prediction::score).toArray();
        if (c.get("roc_auc_error").isNull()) {
            RocAuc.Defined d = assertInstanceOf(RocAuc.Defined.class, r.rocAuc());
            assertEquals(c.get("roc_auc_score").asDouble(), d.auc(), TOL, "roc_auc_score");
            compareCurve(c.get("roc_curve"), d.roc());
            compareCurve(c.get("roc_curve_all_points"), RocCurve.of(targets, scores, false));
            assertTrue(c.get("roc_curve").get("warnings").isEmpty());
        } else {
            assertTrue(c.get("roc_auc_error").asText().startsWith("Only one class present in y_true"));
            RocAuc.Undefined u = assertInstanceOf(RocAuc.Undefined.class, r.rocAuc());
            assertEquals("AUC undefined: only one class present", u.reason());
            assertTrue(r.rocAuc().value().isEmpty());
            assertTrue(r.rocAuc().curve().isEmpty());
            // sklearn's curve holds NaN rates here; it also warns.
            assertFalse(c.get("roc_curve").get("warnings").isEmpty());
        }

        if (c.has("logits")) {
            for (int i = 0; i < c.get("logits").size(); i++) {
                JsonNode l = c.get("logits").get(i);
                Prediction p = Prediction.fromLogits((float) l.get(0).asDouble(), (float) l.get(1).asDouble(),
                        targets[i]);
                assertEquals(c.get("torch_argmax").get(i).asInt(), p.predicted(), "argmax of row " + i);
                assertEquals(c.get("y_pred").get(i).asInt(), p.predicted());
                // torch's softmax is float32 (a few ulps off); ours is double.
                double torchScore = c.get("torch_softmax_score").get(i).asDouble();
                assertEquals(torchScore, p.score(), 1e-6 * torchScore + Float.MIN_VALUE, "score of row " + i);
            }
        }
    }

    private static void compareReport(JsonNode expected, Map<String, Object> actual) {
        List<String> expectedKeys = new ArrayList<>();
        expected.fieldNames().forEachRemaining(expectedKeys::add);
        assertEquals(expectedKeys, new ArrayList<>(actual.keySet()), "report keys");
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Object a = actual.get(e.getKey());
            if (e.getValue().isNumber()) {
                assertEquals(e.getValue().asDouble(), (Double) a, TOL, e.getKey());
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> row = (Map<String, Object>) a;
            assertEquals(List.of("precision", "recall", "f1-score", "support"), new ArrayList<>(row.keySet()));
            for (String k : List.of("precision", "recall", "f1-score")) {
                assertEquals(e.getValue().get(k).asDouble(), (Double) row.get(k), TOL, e.getKey() + " " + k);
            }
            assertEquals(e.getValue().get("support").asLong(), (Long) row.get("support"), e.getKey() + " support");
        }
    }

    private static void compareCurve(JsonNode expected, RocCurve actual) {
        assertArrayEquals(doubles(expected.get("fpr")), actual.fpr(), TOL, "fpr");
        assertArrayEquals(doubles(expected.get("tpr")), actual.tpr(), TOL, "tpr");
        assertArrayEquals(doubles(expected.get("thresholds")), actual.thresholds(), TOL, "thresholds");
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }
}
