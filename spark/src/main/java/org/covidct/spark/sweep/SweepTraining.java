package org.covidct.spark.sweep;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.covidct.app.model.ClassifierModels;
import org.covidct.app.train.ResumeOptions;
import org.covidct.app.train.RunDirectory;
import org.covidct.app.train.TrainConfig;
import org.covidct.app.train.Trainer;
import org.covidct.app.train.TrainingRecipe;
import org.covidct.nn.data.split.SplitFractions;
import org.covidct.tensor.Device;

/** Where a sweep meets the training API: one grid point's settings, and its run. */
final class SweepTraining {
    private SweepTraining() {
    }

    /**
     * The settings of the run at {@code point}: the sweep's, with the grid's keys set; its run
     * directory is {@code runDir}. A value that is not a number where one is needed, or settings
     * that train would refuse, are an IllegalArgumentException naming them.
     */
    static TrainConfig config(SweepSettings base, SweepPoint point, Path runDir) {
        Map<String, String> grid = point.settings();
        String arch = grid.getOrDefault("arch", base.arch());
        if (!ClassifierModels.architectures().contains(arch)) {
            throw new IllegalArgumentException("--grid arch=" + arch + ": not one of " + ClassifierModels.architectures());
        }
        String weights = grid.getOrDefault("weights", base.weights());
        TrainingRecipe recipe;
        try {
            recipe = TrainingRecipe.preset(grid.getOrDefault("recipe", TrainingRecipe.TUTORIAL.name()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--grid " + e.getMessage(), e);
        }
        float lr = grid.containsKey("lr") ? number(grid, "lr")
                : base.lr() != null ? base.lr() : recipe.defaultLearningRate(arch);
        float momentum = grid.containsKey("momentum") ? number(grid, "momentum") : base.momentum();
        return new TrainConfig(arch, weights, Path.of(base.data()), runDir,
                grid.containsKey("epochs") ? whole(grid, "epochs") : base.epochs(),
                grid.containsKey("batch-size") ? whole(grid, "batch-size") : base.batchSize(),
                grid.containsKey("accumulate") ? whole(grid, "accumulate") : base.accumulate(),
                lr, momentum,
                grid.containsKey("image-size") ? whole(grid, "image-size") : base.imageSize(),
                grid.containsKey(SweepGrid.SEED) ? seed(grid) : base.seed(),
                base.workers(),
                grid.containsKey("patience") ? whole(grid, "patience") : base.patience(), null,
                SplitFractions.COVID_CT, recipe);
    }

    /**
     * Trains {@code config} on {@code device}, logging to {@code log}; returns the run directory. A
     * run directory that a killed attempt of the same task left is resumed from its last checkpoint.
     */
    static Path run(TrainConfig config, Device device, PrintStream log) throws IOException {
        Trainer.ModelFactory fineTuning = (c, gen) -> ClassifierModels.buildForFineTuning(c.arch(), c.weights(), gen,
                log::println);
        RunDirectory dir = new RunDirectory(config.out());
        if (!Files.isRegularFile(dir.config())) {
            return new Trainer(config, fineTuning, log).onDevice(device).train().runDir();
        }
        log.println("resuming " + config.out() + ", which an earlier attempt of this task left");
        // As train --resume: a fresh mobilenet_v2 takes the variant of the checkpoint it resumes from.
        Path last = dir.lastCheckpoint();
        Trainer.ModelFactory resumed = (c, gen) -> Files.isRegularFile(last)
                ? ClassifierModels.build(c.arch(), c.weights(), gen, last) : fineTuning.create(c, gen);
        return Trainer.resume(config.out(), ResumeOptions.AS_STARTED, resumed, device, log).runDir();
    }

    /** train's default learning rate: 0.01 for the VGGs, 0.001 for mobilenet_v2 (see train --help). */
    private static float number(Map<String, String> grid, String key) {
        try {
            return Float.parseFloat(grid.get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--grid " + key + "=" + grid.get(key) + ": not a number", e);
        }
    }

    private static int whole(Map<String, String> grid, String key) {
        try {
            return Integer.parseInt(grid.get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--grid " + key + "=" + grid.get(key) + ": not a whole number", e);
        }
    }

    private static long seed(Map<String, String> grid) {
        try {
            return Long.parseLong(grid.get(SweepGrid.SEED));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--grid seed=" + grid.get(SweepGrid.SEED) + ": not a whole number", e);
        }
    }
}
