package org.covidct.app;

import static org.covidct.app.CliRun.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gradcam and analyze through the command line, and train running analyze unless told not to. */
class GradCamCliTest {
    @TempDir
    Path dir;

    @Test
    void trainAnalyzesAndGradcamWritesTheOverlayAndTheMap() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("COVID-CT"), Map.of("train", 4, "val", 2, "test", 3), 40, 2);
        Path run = dir.resolve("run");
        CliRun train = cli("train", "--device", "cpu", "--data", data.toString(), "--arch", "vgg11_bn",
                "--weights", "none", "--image-size", "32", "--epochs", "1", "--batch-size", "4", "--out", run.toString(),
                "--workers", "2");
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.isRegularFile(run.resolve("report.html")), "train ends with analyze");
        for (String kind : List.of("true_positives", "false_positives", "true_negatives", "false_negatives")) {
            assertTrue(Files.isRegularFile(run.resolve("analysis/gradcam_" + kind + ".png")), kind);
        }
        assertTrue(Files.isRegularFile(run.resolve("plots/misclassified_scores.png")));
        assertFalse(Files.exists(run.resolve("analysis/misclassified_scores.png")), "each plot has one home: plots/");

        String weights = run.resolve("checkpoints/best.safetensors").toString();
        Path image = Files.list(data.resolve("Images-processed/CT_COVID")).sorted().findFirst().orElseThrow();
        Path png = dir.resolve("cam.png"), csv = dir.resolve("cam.csv");
        // The checkpoint records vgg11_bn at 32 pixels: no --arch or --image-size needed.
        CliRun cam = cli("gradcam", "--device", "cpu", "--weights", weights, "--image", image.toString(),
                "--layer", "features.-1", "--class", "covid", "--out", png.toString(), "--map-out", csv.toString());
        assertEquals(0, cam.code(), cam.err());
        assertTrue(cam.out().matches("(?s).*class COVID, layer features\\.28, P\\(COVID\\) 0\\.\\d{4}.*"), cam.out());
        BufferedImage overlay = ImageIO.read(png.toFile());
        assertEquals(32, overlay.getWidth());
        assertEquals(32, overlay.getHeight());
        List<String> rows = Files.readAllLines(csv);
        assertEquals(32, rows.size(), "one line per pixel row");
        for (String row : rows) {
            String[] values = row.split(",");
            assertEquals(32, values.length, row);
            for (String v : values) {
                float f = Float.parseFloat(v);
                assertTrue(f >= 0f && f < 1f, "normalised value " + v);
            }
        }

        CliRun badLayer = cli("gradcam", "--device", "cpu", "--weights", weights, "--image", image.toString(),
                "--layer", "features.99", "--out", dir.resolve("bad.png").toString());
        assertEquals(1, badLayer.code());
        assertTrue(badLayer.err().startsWith("error: ") && badLayer.err().contains("features.99"), badLayer.err());
        assertEquals(1, badLayer.err().strip().lines().count(), badLayer.err());
        assertFalse(Files.exists(dir.resolve("bad.png")));

        Files.delete(run.resolve("report.html"));
        CliRun analyze = cli("analyze", "--run", run.toString(), "--per-gallery", "2", "--seed", "3");
        assertEquals(0, analyze.code(), analyze.err());
        assertTrue(Files.readString(run.resolve("report.html")).contains("data:image/png;base64,"));

        Files.delete(run.resolve("report.html"));
        CliRun resumed = cli("train", "--device", "cpu", "--resume", run.toString(), "--no-analyze");
        assertEquals(0, resumed.code(), resumed.err());
        assertFalse(Files.exists(run.resolve("report.html")), "--no-analyze skips the analysis");

        CliRun notARun = cli("analyze", "--run", data.toString());
        assertEquals(1, notARun.code());
        assertTrue(notARun.err().contains("not a finished run"), notARun.err());
    }
}
