package org.covidct.spark.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.covidct.app.cli.DeviceOption;
import org.covidct.app.train.TrainConfig;
import org.covidct.app.train.TrainingRecipe;
import org.junit.jupiter.api.Test;

/** A grid point's training settings: the sweep's, with the point's keys set. */
class SweepTrainingTest {
    private static final SweepSettings BASE = new SweepSettings("mobilenet_v2", "none", "/data", "/out", 3, 4, 2, null,
            0.9f, 32, 0, 1, 5, DeviceOption.Choice.cpu);

    private static TrainConfig config(String... grid) {
        SweepPoint point = SweepGrid.parse(List.of(grid)).points().get(0);
        return SweepTraining.config(BASE, point, Path.of("/out/run"));
    }

    @Test
    void aRecipeInTheGridSetsTheRecipeAndItsLearningRate() {
        TrainConfig transfer = config("recipe=transfer");
        assertEquals(TrainingRecipe.TRANSFER, transfer.recipe());
        assertEquals(1e-4f, transfer.lr());
        TrainConfig tutorial = config("seed=1");
        assertEquals(TrainingRecipe.TUTORIAL, tutorial.recipe());
        assertEquals(0.001f, tutorial.lr(), "the tutorial's rate for mobilenet_v2");
        assertEquals(0.01f, config("recipe=transfer", "lr=0.01").lr());
    }
}
