package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.covidct.app.TinyCovidCt;
import org.covidct.app.metrics.ClassNames;
import org.covidct.app.metrics.Prediction;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.data.Batch;
import org.covidct.nn.data.DataLoader;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.image.Transforms;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Test-time flipping: each image's logits averaged with its mirror image's. */
class TestTimeFlipTest {
    @TempDir
    Path dir;

    @Test
    void mirrorImagesReverseEveryRowOfEveryChannel() {
        // [N=1, C=2, H=2, W=3]
        try (Tensor images = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 1, 2, 2, 3);
             Tensor mirrored = MirrorImages.leftToRight(images)) {
            assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}, mirrored.toArray());
            assertArrayEquals(new int[] {1, 2, 2, 3}, mirrored.dims());
        }
        try (Tensor flat = Tensor.of(new float[] {1, 2}, 2)) {
            assertEquals("mirror images: expected a batch [N, C, H, W], got [2]",
                    assertThrows(IllegalArgumentException.class, () -> MirrorImages.leftToRight(flat)).getMessage());
        }
    }

    @Test
    void theScoreIsThatOfTheMeanOfAnImagesAndItsMirrorImagesLogits() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 0, "val", 0, "test", 3), 40, 5);
        List<Sample> samples = new ArrayList<>();
        try (Stream<Path> files = Files.walk(data.resolve("Images-processed"))) {
            files.filter(Files::isRegularFile).sorted()
                    .forEach(f -> samples.add(new Sample(f, f.toString().contains("NonCOVID") ? 0 : 1)));
        }
        TrainConfig config = NarrowVgg.config(data, dir.resolve("run"), 1, 0.01f);
        try (Module model = NarrowVgg.FACTORY.create(config, new Generator(3));
             DataLoader loader = DataLoader.builder(samples, Transforms.eval(32)).batchSize(4).workers(1).build()) {
            Evaluation flipped = Evaluation.run(model, loader, null, ClassNames.COVID_CT, true);
            Evaluation plain = Evaluation.run(model, loader, null, ClassNames.COVID_CT, false);
            List<Prediction> expected = new ArrayList<>();
            try (DataLoader.Epoch epoch = loader.epoch(0); GradMode.Guard noGrad = GradMode.noGrad()) {
                while (epoch.hasNext()) {
                    try (Batch batch = epoch.next()) {
                        float[] own = model.forward(Variable.constant(batch.images())).data().toArray();
                        float[] mirror;
                        try (Tensor m = mirrored(batch.images())) {
                            mirror = model.forward(Variable.constant(m)).data().toArray();
                        }
                        for (int i = 0; i < batch.size(); i++) {
                            expected.add(Prediction.fromLogits((own[2 * i] + mirror[2 * i]) * 0.5f,
                                    (own[2 * i + 1] + mirror[2 * i + 1]) * 0.5f, batch.labels()[i]));
                        }
                    }
                }
            }
            assertEquals(samples.size(), expected.size());
            assertEquals(expected, flipped.predictions());
            assertEquals(false, expected.equals(plain.predictions()), "flipping should change the scores");
        }
    }

    /** The mirror images by index arithmetic on [N, C, H, W]. */
    private static Tensor mirrored(Tensor images) {
        int[] d = images.dims();
        float[] in = images.toArray();
        float[] out = new float[in.length];
        for (int n = 0; n < d[0]; n++) {
            for (int c = 0; c < d[1]; c++) {
                for (int y = 0; y < d[2]; y++) {
                    for (int x = 0; x < d[3]; x++) {
                        int row = ((n * d[1] + c) * d[2] + y) * d[3];
                        out[row + x] = in[row + d[3] - 1 - x];
                    }
                }
            }
        }
        return Tensor.of(out, d);
    }
}
