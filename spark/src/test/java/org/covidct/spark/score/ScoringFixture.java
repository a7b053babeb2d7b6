package org.covidct.spark.score;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.covidct.app.TinyCovidCt;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.data.image.Normalize;
import org.covidct.nn.io.SafeTensors;
import org.covidct.tensor.Tensor;

/** Small images and a small classifier to score them with. */
final class ScoringFixture {
    static final int IMAGE_SIZE = 32;

    private ScoringFixture() {
    }

    /** 20 generated CT-like images (PNG and JPEG, names with spaces, commas and %), under {@code root}. */
    static List<Path> images(Path root) throws IOException {
        TinyCovidCt.create(root, Map.of("test", 10), 48, 3);
        try (Stream<Path> files = Files.walk(root.resolve("Images-processed"))) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /**
     * An untrained mobilenet_v2 checkpoint for 32-pixel inputs that records its description as
     * ours do. Its head is drawn with a large spread: a freshly initialised one gives logits so
     * close to 0 that every probability prints as 0.50000000, which would hide a difference.
     */
    static Path weights(Path dir, long seed) throws IOException {
        Path file = dir.resolve("mobilenet-" + seed + ".safetensors");
        try (Module model = ClassifierModels.build(ClassifierModels.MOBILENET_V2, "none", new Generator(seed))) {
            Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
            Tensor head = state.get("classifier.1.weight");
            float[] w = new float[head.toArray().length];
            Random rng = new Random(seed);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (rng.nextGaussian() * 1e9);
            }
            try (Tensor spread = Tensor.of(w, head.dims())) {
                state.put("classifier.1.weight", spread);
                SafeTensors.write(file, state, ClassifierModels.describe(ClassifierModels.MOBILENET_V2, IMAGE_SIZE,
                        Normalize.TUTORIAL).toMetadata());
            }
        }
        return file;
    }
}
