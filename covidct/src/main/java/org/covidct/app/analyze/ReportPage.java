package org.covidct.app.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.covidct.app.gradcam.GradCamImages;
import org.covidct.app.metrics.ClassNames;
import org.covidct.app.model.ClassifierModels;
import org.covidct.app.report.HtmlReport;
import org.covidct.app.report.Png;
import org.covidct.app.train.RunDirectory;

/**
 * The layout of a run's report.html: configuration, metrics, plots, calibration, operating points
 * and the Grad-CAM galleries.
 */
final class ReportPage {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunDirectory run;
    private final JsonNode config;
    private final ClassNames names;
    private final String layer;
    private final long seed;

    /** The page of {@code run}, whose model's classes are {@code names}. */
    ReportPage(RunDirectory run, JsonNode config, ClassNames names, String layer, long seed) {
        this.run = run;
        this.config = config;
        this.names = names;
        this.layer = layer;
        this.seed = seed;
    }

    /** A gallery tile's caption: file name, true class and score. */
    static String caption(TestScores.Row r, ClassNames names) {
        return String.format(Locale.ROOT, "%s | %s | score %.3f", r.path().getFileName(),
                names.of(r.prediction().target()), r.prediction().score());
    }

    String html(List<TestScores.Row> rows, Map<GalleryKind, List<TestScores.Row>> picked,
                Map<GalleryKind, List<GradCamImages.Explained>> galleries) throws IOException {
        HtmlReport page = new HtmlReport(names.list().equals(ClassifierModels.CLASS_NAMES) ? "COVID-CT run report"
                : names.positive() + " / " + names.negative() + " run report");
        page.paragraph(String.format(Locale.ROOT, "Run %s: %s at %dx%d, %d test images.",
                run.root().toAbsolutePath().normalize().getFileName(), config.path("arch").asText(),
                config.path("image_size").asInt(), config.path("image_size").asInt(), rows.size()));

        page.heading("Configuration");
        Map<String, String> settings = new LinkedHashMap<>();
        config.fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue().isValueNode()
                ? e.getValue().asText() : e.getValue().toString()));
        page.keyValues(settings);

        JsonNode metrics = testMetrics();
        MetricsSections sections = metrics == null ? null : new MetricsSections(metrics, run.plots(), names);
        page.heading("Metrics of the best checkpoint");
        if (sections == null) {
            page.note("No metrics: " + run.testMetrics().getFileName() + " is missing.");
        } else {
            sections.metricsTable(page);
        }

        page.heading("ROC curve (test)");
        plot(page, "ROC curve", run.plots().resolve("roc_curve.png"), "was not written: the test set holds one class only");
        page.heading("Confusion matrix (test)");
        plot(page, "Confusion matrix", run.plots().resolve("confusion_matrix.png"), "is missing");
        if (sections != null) {
            page.heading("Calibration (test)");
            sections.calibration(page);
            page.heading("Operating points (test)");
            sections.operatingPoints(page);
        }
        page.heading("Training curves");
        plot(page, "Losses", run.plots().resolve("losses.png"), "is missing");
        plot(page, "Accuracies", run.plots().resolve("accuracies.png"), "is missing");
        page.heading("Scores of misclassified test images");
        plot(page, "Histogram of misclassified scores", run.plots().resolve("misclassified_scores.png"), "is missing");

        page.heading("Grad-CAM");
        page.paragraph(String.format(Locale.ROOT, "Layer %s; each map explains the predicted class. Up to %s images "
                + "per gallery, drawn at random with seed %d.", layer, maxShown(picked), seed));
        for (GalleryKind kind : GalleryKind.values()) {
            List<TestScores.Row> shown = picked.get(kind);
            page.subheading(String.format(Locale.ROOT, "%s (%s): %d of %d", kind.title(), kind.rule(names), shown.size(),
                    kind.members(rows).size()));
            if (shown.isEmpty()) {
                page.note("No test image falls in this gallery.");
                continue;
            }
            List<HtmlReport.Tile> tiles = new ArrayList<>();
            List<GradCamImages.Explained> images = galleries.get(kind);
            for (int i = 0; i < shown.size(); i++) {
                tiles.add(new HtmlReport.Tile(caption(shown.get(i), names), Png.encode(Png.image(images.get(i).overlay()))));
            }
            page.gallery(tiles);
        }
        return page.html();
    }

    private static String maxShown(Map<GalleryKind, List<TestScores.Row>> picked) {
        return Integer.toString(picked.values().stream().mapToInt(List::size).max().orElse(0));
    }

    /** The whole test_metrics.json, or null where the run has none. */
    private JsonNode testMetrics() throws IOException {
        return Files.isRegularFile(run.testMetrics()) ? JSON.readTree(run.testMetrics().toFile()) : null;
    }

    private static void plot(HtmlReport page, String caption, Path png, String whyMissing) throws IOException {
        if (Files.isRegularFile(png)) {
            page.figure(caption, Files.readAllBytes(png));
        } else {
            page.note(caption + ": not available (" + png.getFileName() + " " + whyMissing + ").");
        }
    }
}
