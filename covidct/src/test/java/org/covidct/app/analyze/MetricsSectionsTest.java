package org.covidct.app.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.covidct.app.metrics.ClassNames;
import org.covidct.app.metrics.ConfidenceInterval;
import org.covidct.app.metrics.MetricsReport;
import org.covidct.app.metrics.Prediction;
import org.covidct.app.metrics.PythonFormat;
import org.covidct.app.metrics.TestReport;
import org.covidct.app.metrics.TestReportOptions;
import org.covidct.app.metrics.ThresholdRule;
import org.covidct.app.report.HtmlReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html's metrics, calibration and operating-point sections, from new and from older test_metrics.json. */
class MetricsSectionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** n predictions, COVID with probability 1/2, scores loosely following the class. */
    static List<Prediction> predictions(int n, long seed) {
        Random r = new Random(seed);
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int target = r.nextInt(2);
            double margin = (target == 1 ? 1.0 : -1.0) + 1.5 * r.nextGaussian();
            out.add(Prediction.fromScore(1 / (1 + Math.exp(-margin)), target));
        }
        return out;
    }

    private static ObjectNode file(JsonNode val, JsonNode test) {
        ObjectNode m = JSON.createObjectNode();
        m.set("val", val);
        m.set("test", test);
        return m;
    }

    private String render(JsonNode metrics) throws IOException {
        return render(metrics, new ClassNames("NonCOVID", "COVID"));
    }

    private String render(JsonNode metrics, ClassNames names) throws IOException {
        HtmlReport page = new HtmlReport("t");
        MetricsSections s = new MetricsSections(JSON.readTree(JSON.writeValueAsString(metrics)), dir.resolve("plots"), names);
        s.metricsTable(page);
        s.calibration(page);
        s.operatingPoints(page);
        return page.html();
    }

    private static String ci(ConfidenceInterval ci) {
        ConfidenceInterval.Defined d = (ConfidenceInterval.Defined) ci;
        return PythonFormat.fixed(d.lower(), 3) + "-" + PythonFormat.fixed(d.upper(), 3);
    }

    @Test
    void intervalsCalibrationAndBothThresholdsAreShown() throws IOException {
        List<Prediction> val = predictions(118, 1);
        List<Prediction> test = predictions(203, 2);
        MetricsReport vm = MetricsReport.compute(val, 0.5), tm = MetricsReport.compute(test, 0.4);
        TestReport r = TestReport.compute(tm, test, val, new TestReportOptions(1000, 3,
                new ThresholdRule.TargetSensitivity(0.9), true));
        String html = render(file(vm.toJsonTree(), r.toJsonTree()));

        assertTrue(html.contains("<td>accuracy</td><td>" + PythonFormat.fixed(vm.accuracy(), 3) + "</td><td>"
                + PythonFormat.fixed(tm.accuracy(), 3) + " (95% CI " + ci(r.intervals().accuracy()) + ")</td>"), html);
        assertTrue(html.contains("<td>F1 (COVID)</td><td>" + PythonFormat.fixed(vm.classificationReport().positive().f1(), 3)
                + "</td><td>" + PythonFormat.fixed(tm.classificationReport().positive().f1(), 3) + " (95% CI "
                + ci(r.intervals().f1()) + ")</td>"), html);
        assertTrue(html.contains(tm.rocAuc().format(3) + " (95% CI " + ci(r.intervals().rocAuc()) + " bootstrap; "
                + ci(r.rocAucDeLong()) + " DeLong)"), html);
        assertTrue(html.contains("stratified percentile bootstrap, 1000 resamples, seed 3"), html);

        assertTrue(html.contains("Expected calibration error "
                + PythonFormat.fixed(r.calibration().expectedCalibrationError(), 3) + " and Brier score "
                + PythonFormat.fixed(r.calibration().brierScore(), 3)), html);
        assertTrue(html.contains("Temperature " + PythonFormat.fixed(r.temperature().orElseThrow().temperature(), 3)
                + " fitted on validation"), html);
        assertTrue(html.contains("<tr><td>[0.0, 0.1]</td>"), html);
        assertEquals(10, count(Pattern.compile("<tr><td>[\\[(]0\\.\\d, [01]\\.\\d\\]</td>"), html), "one row per bin");
        Path png = dir.resolve("plots").resolve(MetricsSections.RELIABILITY_PNG);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        assertTrue(html.contains("alt=\"Reliability diagram\""), "the diagram is embedded");

        assertTrue(html.contains("<tr><td>0.5</td><td>argmax of the logits (the tutorial&#39;s)</td><td>score &gt; 0.5</td><td>"
                + PythonFormat.fixed(tm.accuracy(), 3) + " (" + "95% CI " + ci(r.intervals().accuracy()) + ")</td>"), html);
        TestReport.ChosenPoint chosen = r.chosen().orElseThrow();
        assertTrue(html.contains("<tr><td>" + PythonFormat.fixed(chosen.point().threshold(), 4)
                + "</td><td>sensitivity &gt;= 0.9 on validation</td><td>score &gt;= threshold</td>"), html);
        assertTrue(html.contains("On validation, where the threshold was chosen: accuracy "), html);
    }

    @Test
    void anOlderRunWithoutTheNewKeysStillRenders() throws IOException {
        List<Prediction> val = predictions(40, 4);
        List<Prediction> test = predictions(60, 5);
        MetricsReport vm = MetricsReport.compute(val, 0.5), tm = MetricsReport.compute(test, 0.4);
        String html = render(file(vm.toJsonTree(), tm.toJsonTree()));
        assertTrue(html.contains("<td>accuracy</td><td>" + PythonFormat.fixed(vm.accuracy(), 3) + "</td><td>"
                + PythonFormat.fixed(tm.accuracy(), 3) + "</td>"), html);
        assertTrue(html.contains("<td>precision (COVID)</td><td>"
                + PythonFormat.fixed(vm.classificationReport().positive().precision(), 3) + "</td>"), html);
        assertFalse(html.contains("95% CI"), html);
        assertTrue(html.contains("Not recorded: this run&#39;s test_metrics.json has no calibration."), html);
        assertTrue(html.contains("Not recorded: this run&#39;s test_metrics.json has no operating points."), html);
        assertFalse(Files.exists(dir.resolve("plots").resolve(MetricsSections.RELIABILITY_PNG)));
    }

    /** An older run's precision and F1 come from its classification report's positive row, whatever its name. */
    @Test
    void anOlderRunOnOtherClassesShowsItsPositiveClass() throws IOException {
        ClassNames names = new ClassNames("normal", "pneumonia");
        List<Prediction> val = predictions(40, 6);
        List<Prediction> test = predictions(60, 7);
        MetricsReport vm = MetricsReport.compute(val, 0.5, names), tm = MetricsReport.compute(test, 0.4, names);
        String html = render(file(vm.toJsonTree(), tm.toJsonTree()), names);
        assertTrue(html.contains("<td>precision (pneumonia)</td><td>"
                + PythonFormat.fixed(vm.classificationReport().positive().precision(), 3) + "</td><td>"
                + PythonFormat.fixed(tm.classificationReport().positive().precision(), 3) + "</td>"), html);
        assertTrue(html.contains("<td>F1 (pneumonia)</td><td>"
                + PythonFormat.fixed(vm.classificationReport().positive().f1(), 3) + "</td>"), html);
    }

    /** A chosen threshold above every score reads as no threshold, as recorded and in an older run's file. */
    @Test
    void aThresholdAboveEveryScoreIsShownAsNone() throws IOException {
        ClassNames names = new ClassNames("normal", "pneumonia");
        List<Prediction> val = List.of(Prediction.fromScore(0.9, 0), Prediction.fromScore(0.7, 0),
                Prediction.fromScore(0.4, 1), Prediction.fromScore(0.2, 1));
        List<Prediction> test = predictions(60, 8);
        MetricsReport vm = MetricsReport.compute(val, 0.9, names), tm = MetricsReport.compute(test, 0.4, names);
        ObjectNode testEntry = TestReport.compute(tm, test, val, TestReportOptions.defaults(2)).toJsonTree();
        String meaning = "No threshold chosen: no threshold on the validation scores did better than predicting every "
                + "case normal (Youden&#39;s J at most 0), so no case is predicted pneumonia. The scores do not tell "
                + "the classes apart on validation.";
        String row = "<tr><td>none</td><td>Youden&#39;s J on validation</td><td>never</td>";

        String html = render(file(vm.toJsonTree(), testEntry), names);
        assertTrue(html.contains(row), html);
        assertTrue(html.contains(meaning), html);
        assertFalse(html.contains("1.9000"), html);

        ObjectNode chosen = (ObjectNode) testEntry.get("operating_points").get("chosen");
        chosen.remove(List.of("threshold_above_every_score", "threshold_note"));
        String older = render(file(vm.toJsonTree(), testEntry), names);
        assertTrue(older.contains(row) && older.contains(meaning), older);

        List<Prediction> ranked = List.of(Prediction.fromScore(0.9, 1), Prediction.fromScore(0.7, 0),
                Prediction.fromScore(0.4, 1), Prediction.fromScore(0.2, 0));
        String usual = render(file(vm.toJsonTree(), TestReport.compute(tm, test, ranked,
                TestReportOptions.defaults(2)).toJsonTree()), names);
        assertTrue(usual.contains("<tr><td>0.9000</td><td>Youden&#39;s J on validation</td><td>score &gt;= threshold</td>"),
                usual);
        assertFalse(usual.contains("No threshold chosen"), usual);
    }

    @Test
    void undefinedIntervalsAndAMissingThresholdSayWhy() throws IOException {
        List<Prediction> test = List.of(Prediction.fromScore(0.9, 1), Prediction.fromScore(0.3, 1),
                Prediction.fromScore(0.6, 1));
        MetricsReport tm = MetricsReport.compute(test, 0.4);
        TestReport r = TestReport.compute(tm, test, null, TestReportOptions.defaults(1));
        String html = render(file(tm.toJsonTree(), r.toJsonTree()));
        assertTrue(html.contains("0.000 (95% CI undefined: no CT_NonCOVID sample)"), html);
        assertTrue(html.contains("undefined: AUC undefined: only one class present"), html);
        assertTrue(html.contains("No temperature: no validation predictions."), html);
        assertTrue(html.contains("No threshold chosen on validation: no validation predictions."), html);
    }

    private static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
