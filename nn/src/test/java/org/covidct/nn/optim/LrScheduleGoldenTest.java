package org.covidct.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.covidct.nn.Parameter;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.testing.GoldenFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The schedules give torch.optim.lr_scheduler's learning rates after 0, 1, 2, ... steps, exactly:
 * the scheduler's double equals torch's to the last bit (the fixture holds it as three float
 * parts), so a different order of operations, or the closed form where torch recurses, fails; and
 * the optimiser's float learning rate is that double rounded. A scheduler resumed at any step
 * continues with the same values.
 */
class LrScheduleGoldenTest {
    private static LrSchedule schedule(String name, float[] p) {
        return switch (name) {
            case "linear", "linear_decay" -> new LinearLr(p[0], p[1], (int) p[2]);
            case "cosine", "cosine_long" -> new CosineAnnealingLr((int) p[0], p[1]);
            case "warmup_cosine", "warmup_cosine_zero_min" -> new SequentialLr(
                    List.of(new LinearLr(p[0], 1.0, (int) p[1]), new CosineAnnealingLr((int) p[2], p[3])),
                    List.of((int) p[1]));
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "linear_decay", "cosine", "cosine_long", "warmup_cosine",
        "warmup_cosine_zero_min"})
    void followsTorchSchedulers(String name) {
        GoldenFile gold = GoldenFile.load("/golden/optim/schedules.gold");
        float[] expected = gold.floats(name + ".lr");
        float[] mid = gold.floats(name + ".lr_mid");
        float[] lo = gold.floats(name + ".lr_lo");
        LrSchedule schedule = schedule(name, gold.floats(name + ".params"));
        float base = gold.scalar(name + ".base_lr");
        try (Sgd sgd = new Sgd(List.of(new Parameter(Tensor.zeros(Device.CPU, 1))), base, 0f, 0f)) {
            LrScheduler scheduler = new LrScheduler(sgd, schedule);
            double[] run = new double[expected.length];
            for (int k = 0; k < expected.length; k++) {
                if (k > 0) {
                    scheduler.step();
                }
                run[k] = scheduler.learningRate();
                assertEquals((double) expected[k] + (double) mid[k] + (double) lo[k], run[k],
                        name + " torch's double after " + k + " steps");
                assertEquals(k, scheduler.steps());
                assertEquals(expected[k], sgd.learningRate(), name + " learning rate after " + k + " steps");
            }
            for (int k = 0; k < expected.length; k++) {
                LrScheduler resumed = new LrScheduler(sgd, schedule, base, k);
                assertEquals(expected[k], sgd.learningRate(), name + " resumed at " + k);
                for (int j = k; j < expected.length; j++) {
                    if (j > k) {
                        resumed.step();
                    }
                    assertEquals(run[j], resumed.learningRate(), name + " resumed at " + k + ", step " + j);
                }
            }
        }
    }
}
