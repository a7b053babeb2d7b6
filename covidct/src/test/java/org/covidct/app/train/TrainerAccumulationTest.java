package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.covidct.app.TinyCovidCt;
import org.covidct.app.data.CovidCtDataset;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.data.Batch;
import org.covidct.nn.data.DataLoader;
import org.covidct.nn.data.image.Transforms;
import org.covidct.nn.io.Checkpoint;
import org.covidct.nn.optim.Sgd;
import org.covidct.nn.optim.TrainingStep;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An epoch of the trainer is the library's training step applied by the README's rule: a step after
 * every {@code accumulate} batches and after the epoch's last, each batch's loss scaled by 1/(batches
 * in its group). Five batches with accumulate 2 make groups of 2, 2 and 1.
 */
class TrainerAccumulationTest {
    @TempDir
    Path dir;

    @Test
    void anEpochStepsByGroupsOfBatches() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 10, "val", 2, "test", 2), 40, 9);
        TrainConfig config = NarrowVgg.config(data, dir.resolve("run"), 1, 0.05f);
        new Trainer(config, NarrowVgg.FACTORY, new PrintStream(new ByteArrayOutputStream())).train();

        Generator gen = new Generator(config.seed());
        try (Module model = NarrowVgg.FACTORY.create(config, gen);
             Sgd sgd = new Sgd(model.parameters(), config.lr(), config.momentum(), 0f);
             DataLoader train = DataLoader.builder(new CovidCtDataset(data).split("train"),
                             Transforms.train(config.imageSize())).batchSize(config.batchSize()).shuffle(true)
                     .seed(config.seed()).workers(config.workers()).skipUnreadable(true).build();
             DataLoader.Epoch epoch = train.epoch(0);
             Checkpoint trained = Checkpoint.load(dir.resolve("run/checkpoints/last.safetensors"))) {
            assertEquals(5, train.numBatches());
            TrainingStep step = new TrainingStep(model, sgd);
            model.train();
            for (int groupSize : new int[] {2, 2, 1}) {
                for (int i = 0; i < groupSize; i++) {
                    try (Batch batch = epoch.next(); TensorScope scope = TensorScope.open()) {
                        step.accumulate(batch.images(), batch.labels(), groupSize);
                    }
                }
                step.step();
            }
            for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
                assertArrayEquals(e.getValue().toArray(), trained.model().get(e.getKey()).toArray(), e.getKey());
            }
        }
    }
}
