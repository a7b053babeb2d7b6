package org.covidct.app.analyze;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.covidct.app.TinyCovidCt;
import org.covidct.app.metrics.Prediction;
import org.covidct.app.model.ClassifierModels;
import org.covidct.app.train.ScoresCsv;
import org.covidct.app.train.TrainConfig;
import org.covidct.app.train.Trainer;
import org.covidct.nn.Generator;
import org.covidct.nn.models.Vgg;

/** A finished run of a narrow VGG on a generated data set, trained in a few seconds. */
final class NarrowRun {
    private static final int[] CONFIG = {8, Vgg.M, 16, Vgg.M, 16, Vgg.M};

    static final RunAnalysis.ModelLoader MODELS = (arch, weights) -> {
        Vgg model = new Vgg(CONFIG, true, 32, ClassifierModels.CLASSES, new Generator(0));
        ClassifierModels.load(model, weights);
        return model;
    };

    private NarrowRun() {
    }

    /**
     * Trains into {@code dir}/run on data in {@code dir}/data; returns the run directory. Its test
     * scores are then rewritten to fill all four galleries (6 each), which a model this small does
     * not do by itself: analyze takes the scores as given.
     */
    static Path create(Path dir) throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 8, "val", 4, "test", 12), 40, 5);
        Trainer.ModelFactory factory = (config, gen) -> {
            Vgg model = new Vgg(CONFIG, true, 32, ClassifierModels.CLASSES, gen);
            if (!config.weights().equals("none")) {
                ClassifierModels.load(model, Path.of(config.weights()));
            }
            return model;
        };
        TrainConfig config = new TrainConfig("narrow", "none", data, dir.resolve("run"), 3, 4, 1, 0.02f, 0.9f, 32, 7,
                2, 5);
        new Trainer(config, factory, new PrintStream(new ByteArrayOutputStream())).train();
        Path scores = config.out().resolve("test_scores.csv");
        List<Path> paths = TestScores.read(scores).stream().map(TestScores.Row::path).toList();
        List<Prediction> mixed = new ArrayList<>();
        double[][] cycle = {{1, 0.95}, {0, 0.8}, {0, 0.1}, {1, 0.3}}; // TP, FP, TN, FN: target, score
        for (int i = 0; i < paths.size(); i++) {
            double[] c = cycle[i % cycle.length];
            mixed.add(Prediction.fromScore(c[1], (int) c[0]));
        }
        ScoresCsv.write(scores, paths, mixed);
        return config.out();
    }
}
