package org.covidct.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every plot is a readable PNG of the expected size with more than a blank canvas in it. */
class PlotsTest {
    @TempDir
    Path dir;

    private static BufferedImage read(Path p) throws IOException {
        BufferedImage img = ImageIO.read(p.toFile());
        assertTrue(img != null, p + " is not a PNG");
        return img;
    }

    /** Number of distinct colours: a blank or single-colour image has 1. */
    private static long colours(BufferedImage img) {
        return java.util.stream.IntStream.range(0, img.getWidth() * img.getHeight())
                .map(i -> img.getRGB(i % img.getWidth(), i / img.getWidth())).distinct().count();
    }

    @Test
    void chartsAreDrawn() throws IOException {
        Plots.rocCurve(new double[] {0, 0.1, 0.4, 1}, new double[] {0, 0.6, 0.9, 1}, "0.873", dir.resolve("roc.png"));
        Plots.curves("Losses", "Loss", List.of("Train loss", "Validation_loss"),
                List.of(new double[] {0.7, 0.5, 0.4}, new double[] {0.69, 0.6, 0.55}), dir.resolve("loss.png"));
        Plots.misclassifiedHistogram(new double[] {0.55, 0.7, 0.95}, new double[] {0.1, 0.45},
                "COVID", dir.resolve("hist.png"));
        for (String name : List.of("roc.png", "loss.png", "hist.png")) {
            BufferedImage img = read(dir.resolve(name));
            assertEquals(640, img.getWidth());
            assertTrue(colours(img) > 20, name + " looks blank");
        }
        try (var files = Files.list(dir)) {
            assertEquals(3, files.count(), "no temporary files are left behind");
        }
    }

    @Test
    void reliabilityDiagramDrawsEachSeriesAndRefusesRaggedOnes() throws IOException {
        Path out = dir.resolve("reliability.png");
        Plots.reliabilityDiagram(List.of("test scores", "scaled"), List.of(new double[] {0.05, 0.45, 0.93},
                new double[] {0.2, 0.5, 0.8}), List.of(new double[] {0.1, 0.3, 0.97}, new double[] {0.18, 0.52, 0.79}), "COVID", out);
        BufferedImage img = read(out);
        assertEquals(640, img.getWidth());
        assertTrue(colours(img) > 20, "the diagram looks blank");
        var e = assertThrows(IllegalArgumentException.class,
                () -> Plots.reliabilityDiagram(List.of("raw"), List.of(new double[] {0.1, 0.2}),
                        List.of(new double[] {0.1}), "COVID", dir.resolve("ragged.png")));
        assertEquals("reliability diagram raw: 2 confidences but 1 frequencies", e.getMessage());
    }

    /** The curves count epochs from 1, as the training log does. */
    @Test
    void curvesCountEpochsFromOne() {
        var data = Plots.epochSeries(List.of("Train loss"), List.of(new double[] {0.7, 0.5, 0.4}));
        assertEquals(1.0, data.getSeries(0).getX(0).doubleValue());
        assertEquals(3.0, data.getSeries(0).getX(2).doubleValue());
        assertEquals(0.4, data.getSeries(0).getY(2).doubleValue());
    }

    @Test
    void confusionMatrixShadesTheLargestCountDarkest() throws IOException {
        Path out = dir.resolve("cm.png");
        Plots.confusionMatrix(new long[][] {{90, 15}, {20, 78}}, List.of("NonCOVID", "COVID"), out);
        BufferedImage img = read(out);
        int big = img.getRGB(150 + 10, 70 + 10), small = img.getRGB(150 + 140 + 10, 70 + 10);
        assertTrue((big & 0xff0000) < (small & 0xff0000), "90 should be darker than 15");
    }

    @Test
    void montageHasOneRowPerClass() throws IOException {
        BufferedImage red = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
        red.setRGB(5, 5, 0xff0000);
        Path out = dir.resolve("montage.png");
        Plots.montage(List.of("NonCOVID", "COVID"), List.of(List.of(red, red, red), List.of(red)), 64, out);
        BufferedImage img = read(out);
        assertEquals(2 * 68 + 4, img.getHeight());
        assertEquals(130 + 3 * 68, img.getWidth());
    }
}
