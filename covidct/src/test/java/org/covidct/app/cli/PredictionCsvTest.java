package org.covidct.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.covidct.nn.Module;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.data.DataLoader;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.image.Transforms;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict's output runs the model a batch at a time and hands each batch's lines on before the next. */
class PredictionCsvTest {
    @TempDir
    Path dir;

    /** Says COVID for even rows of each batch, and notes the batch size and what was printed before it ran. */
    private static final class Recorder extends Module {
        final List<Integer> batchSizes = new ArrayList<>();
        final List<String> printedBefore = new ArrayList<>();
        final StringWriter printed;

        Recorder(StringWriter printed) {
            this.printed = printed;
        }

        @Override
        public Variable forward(Variable x) {
            int n = x.data().dim(0);
            batchSizes.add(n);
            printedBefore.add(printed.toString());
            float[] logits = new float[2 * n];
            for (int i = 0; i < n; i++) {
                logits[2 * i + 1] = i % 2 == 0 ? 2f : -2f;
            }
            return Variable.constant(Tensor.of(logits, n, 2));
        }
    }

    @Test
    void batchesStreamOutWithClassNames() throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Path image = dir.resolve("scan" + i + ".png");
            ImageIO.write(new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
            samples.add(new Sample(image, 0));
        }
        StringWriter printed = new StringWriter();
        // Buffered: lines reach the StringWriter only when flushed.
        PrintWriter out = new PrintWriter(new BufferedWriter(printed, 1 << 16));
        Recorder model = new Recorder(printed);
        try (DataLoader loader = DataLoader.builder(samples, Transforms.eval(8)).batchSize(3).workers(2).build()) {
            PredictionCsv.write(model, loader, List.of("Healthy", "Ill"), out);
        }
        assertEquals(List.of(3, 3, 1), model.batchSizes);
        assertEquals(List.of(1, 4, 7), model.printedBefore.stream().map(s -> (int) s.lines().count()).toList(),
                "each batch's lines were flushed before the next batch ran");
        List<String> lines = printed.toString().lines().toList();
        assertEquals(8, lines.size());
        assertEquals("path,covid_probability,prediction", lines.get(0));
        assertEquals(dir.resolve("scan0.png") + ",0.88079708,Ill", lines.get(1));
        assertEquals(dir.resolve("scan1.png") + ",0.11920292,Healthy", lines.get(2));
        assertEquals(dir.resolve("scan6.png") + ",0.88079708,Ill", lines.get(7));
    }
}
