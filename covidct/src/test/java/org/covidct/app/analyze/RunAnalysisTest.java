package org.covidct.app.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.covidct.app.gradcam.GradCamImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** analyze on a finished narrow run: galleries by the tutorial's rules, and one self-contained report. */
class RunAnalysisTest {
    @TempDir
    static Path dir;
    static Path run;
    static RunAnalysis.Result result;
    static RunAnalysis.Result capped;

    @BeforeAll
    static void analyse() throws IOException {
        run = NarrowRun.create(dir);
        result = new RunAnalysis(NarrowRun.MODELS, new PrintStream(new ByteArrayOutputStream())).run(run, null, 10, null);
        Path copy = dir.resolve("copy");
        try (var files = Files.walk(run)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(run.relativize(f).toString()));
            }
        }
        capped = new RunAnalysis(NarrowRun.MODELS, new PrintStream(new ByteArrayOutputStream()))
                .run(copy, "features.6", 4, 1L);
    }

    @Test
    void galleriesFollowTheTestScores() throws IOException {
        List<TestScores.Row> rows = TestScores.read(run.resolve("test_scores.csv"));
        assertEquals("features.11", result.layer(), "features[-1] of the narrow VGG: its last max-pool");
        int shown = 0;
        for (GalleryKind kind : GalleryKind.values()) {
            List<GradCamImages.Explained> g = result.galleries().get(kind);
            assertEquals(Math.min(10, kind.members(rows).size()), g.size(), kind.title());
            for (GradCamImages.Explained e : g) {
                TestScores.Row row = rows.stream().filter(r -> r.path().equals(e.path())).findFirst().orElseThrow();
                assertTrue(kind.members(rows).contains(row), e.path() + " is not one of the " + kind.title());
                int predicted = e.logits()[1] > e.logits()[0] ? 1 : 0;
                assertEquals(predicted, e.explainedClass(), "the map explains the model's predicted class");
                assertEquals(32 * 32, e.map().length);
            }
            shown += g.size();
            BufferedImage png = ImageIO.read(run.resolve("analysis/gradcam_" + kind.fileStem() + ".png").toFile());
            assertTrue(png.getWidth() > 0, kind.title());
        }
        assertEquals(24, shown, "6 images in each gallery");
        assertFalse(Files.exists(run.resolve("analysis/misclassified_scores.png")), "the histogram's home is plots/");
    }

    @Test
    void aNamedLayerAndACapAreHonoured() {
        assertEquals("features.6", capped.layer());
        capped.galleries().values().forEach(g -> assertEquals(4, g.size()));
        assertEquals(List.of(), capped.galleries().values().stream().flatMap(List::stream)
                .filter(e -> e.map().length != 32 * 32).toList());
    }

    @Test
    void theReportIsOneFileWithEveryImageEmbedded() throws IOException {
        String html = Files.readString(result.report());
        assertEquals(run.resolve("report.html"), result.report());
        for (String section : List.of("Configuration", "Metrics of the best checkpoint", "ROC curve", "Confusion matrix",
                "Training curves", "Scores of misclassified test images", "Grad-CAM", "True positives",
                "False positives", "True negatives", "False negatives")) {
            assertTrue(html.contains(section), "report lacks " + section);
        }
        Matcher src = Pattern.compile("\\b(?:src|href)\\s*=\\s*\"([^\"]*)\"").matcher(html);
        int images = 0;
        while (src.find()) {
            assertTrue(src.group(1).startsWith("data:image/png;base64,"), "external reference " + src.group(1));
            images++;
        }
        int galleries = result.galleries().values().stream().mapToInt(List::size).sum();
        assertEquals(4 + galleries + (Files.exists(run.resolve("plots/roc_curve.png")) ? 1 : 0)
                        + (Files.exists(run.resolve("plots/reliability_diagram.png")) ? 1 : 0), images,
                "the confusion matrix, two training curves, the histogram, the ROC curve, the reliability diagram "
                        + "(where test_metrics.json records calibration) and every gallery image");
        assertFalse(html.contains("<script"), "the report needs no script");
    }

    @Test
    void anUnfinishedRunIsNamed() {
        var e = assertThrows(IOException.class, () -> new RunAnalysis(NarrowRun.MODELS, System.out)
                .run(dir.resolve("data"), null, 10, null));
        assertTrue(e.getMessage().contains("not a finished run"), e.getMessage());
    }
}
