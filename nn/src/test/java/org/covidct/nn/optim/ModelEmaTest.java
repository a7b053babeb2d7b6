package org.covidct.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.covidct.nn.Generator;
import org.covidct.nn.Linear;
import org.covidct.nn.Sequential;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ModelEmaTest {
    private static Map<String, float[]> values(Map<String, Tensor> state) {
        Map<String, float[]> out = new LinkedHashMap<>();
        state.forEach((name, t) -> out.put(name, t.toArray()));
        return out;
    }

    private static void assertSameValues(Map<String, float[]> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, v) -> assertArrayEquals(v, actual.get(name).toArray(), name));
    }

    @Test
    void swapIntoPutsTheAverageInTheModelAndClosingPutsTheModelBack() {
        try (Sequential model = ModelEmaGoldenTest.model(); ModelEma ema = new ModelEma(model, 0.5f)) {
            ema.update(model);
            model.stateDict().values().forEach(t -> Ops.fillInPlace(t, 3f));
            ema.update(model);
            Map<String, float[]> own = values(model.stateDict());
            Map<String, float[]> averaged = values(ema.state().averaged());
            try (ModelEma.Swap swap = ema.swapInto(model)) {
                assertSameValues(averaged, model.stateDict());
            }
            assertSameValues(own, model.stateDict());
        }
    }

    @Test
    void badInputIsRefusedInOneLine() {
        try (Sequential model = ModelEmaGoldenTest.model();
             Sequential other = new Sequential(new Linear(3, 2, true, new Generator(1)))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelEma(model, 1.5f));
            assertEquals("ModelEma: decay 1.5 must be in [0, 1]", e.getMessage());
            try (ModelEma ema = new ModelEma(model, 0.9f)) {
                e = assertThrows(IllegalArgumentException.class, () -> ema.update(other));
                assertEquals("ModelEma.update: the state does not match the average: [0.weight is [2, 3], the average's "
                        + "[2, 1, 3, 3], missing 1.weight, missing 1.bias, missing 1.running_mean, missing 1.running_var, "
                        + "missing 1.num_batches_tracked, missing 4.weight, missing 4.bias]", e.getMessage());
            }
        }
    }
}
