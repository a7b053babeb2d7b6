package org.covidct.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.covidct.nn.BatchNorm2d;
import org.covidct.nn.Conv2d;
import org.covidct.nn.Flatten;
import org.covidct.nn.Generator;
import org.covidct.nn.Linear;
import org.covidct.nn.ReLU;
import org.covidct.nn.Sequential;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.testing.GoldenFile;
import org.junit.jupiter.api.Test;

/**
 * ModelEma against torch.optim.swa_utils.AveragedModel with the exponential averaging function
 * (buffers copied after each update), over five updates of a Conv-BN-ReLU-Flatten-Linear model:
 * every averaged tensor equals torch's to the bit, since the arithmetic is the same two rounded
 * products and a rounded sum.
 */
class ModelEmaGoldenTest {
    static Sequential model() {
        Generator gen = new Generator(1);
        return new Sequential(new Conv2d(1, 2, 3, 1, 1, true, gen), new BatchNorm2d(2), new ReLU(), new Flatten(),
                new Linear(2 * 4 * 4, 3, true, gen));
    }

    private static Map<String, Tensor> state(GoldenFile gold, String prefix, Sequential model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.stateDict().keySet().forEach(name -> out.put(name, gold.tensor(prefix + name)));
        return out;
    }

    @Test
    void followsAveragedModelWithAnExponentialAverage() {
        GoldenFile gold = GoldenFile.load("/golden/optim/ema.gold");
        try (Sequential model = model()) {
            model.loadStateDict(state(gold, "state0.", model), true);
            try (ModelEma ema = new ModelEma(model, gold.scalar("decay"))) {
                for (int k = 1; k <= (int) gold.scalar("updates"); k++) {
                    model.loadStateDict(state(gold, "state" + k + ".", model), true);
                    ema.update(model);
                    assertEquals(k, ema.updates());
                    for (Map.Entry<String, Tensor> e : ema.state().averaged().entrySet()) {
                        assertArrayEquals(gold.floats("ema" + k + "." + e.getKey()), e.getValue().toArray(),
                                "update " + k + ": " + e.getKey());
                    }
                }
            }
        }
    }
}
