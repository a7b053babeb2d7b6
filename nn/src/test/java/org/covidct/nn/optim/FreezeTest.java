package org.covidct.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.covidct.nn.CrossEntropyLoss;
import org.covidct.nn.Generator;
import org.covidct.nn.Linear;
import org.covidct.nn.Parameter;
import org.covidct.nn.ReLU;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/**
 * Freezing a module (torch's requires_grad_(False)): its parameters get no gradient, so SGD and
 * AdamW leave them and their state alone, while the rest of the network trains exactly as it
 * would unfrozen; unfreezing lets gradients reach them again.
 */
class FreezeTest {
    private static final float[] X = new float[] {0.5f, -1f, 2f, 0.25f, 1.5f, -0.75f, 0f, 1f};
    private static final int[] LABELS = {1, 0};

    private static Sequential model() {
        Generator gen = new Generator(11);
        return new Sequential(new Linear(4, 5, true, gen), new ReLU(), new Linear(5, 2, true, gen));
    }

    private static void backward(Sequential m) {
        try (TensorScope scope = TensorScope.open()) {
            Variable logits = m.forward(Variable.constant(Tensor.of(X, 2, 4)));
            new CrossEntropyLoss().forward(logits, LABELS).backward();
        }
    }

    @Test
    void aFrozenModuleGetsNoGradientAndTheRestTrainsAsBefore() {
        try (Sequential frozen = model(); Sequential whole = model()) {
            assertTrue(frozen.children().get("0").setRequiresGrad(false) != null);
            backward(frozen);
            backward(whole);
            Map<String, Parameter> f = frozen.namedParameters();
            Map<String, Parameter> w = whole.namedParameters();
            assertFalse(f.get("0.weight").requiresGrad());
            assertNull(f.get("0.weight").grad());
            assertNull(f.get("0.bias").grad());
            for (String name : List.of("2.weight", "2.bias")) {
                assertArrayEquals(w.get(name).grad().toArray(), f.get(name).grad().toArray(), name);
            }

            frozen.zeroGrad();
            frozen.setRequiresGrad(true);
            backward(frozen);
            for (String name : w.keySet()) {
                assertArrayEquals(w.get(name).grad().toArray(), f.get(name).grad().toArray(), "unfrozen " + name);
            }
        }
    }

    @Test
    void optimisersSkipFrozenParametersAndTheirState() {
        try (Sequential m = model(); AdamW adamw = new AdamW(m.parameters(), 0.1f, 0.9f, 0.999f, 1e-8f, 0.1f);
             Sequential n = model(); Sgd sgd = new Sgd(n.parameters(), 0.1f, 0.9f, 0.1f)) {
            Parameter adamFrozen = m.namedParameters().get("0.weight");
            Parameter sgdFrozen = n.namedParameters().get("0.weight");
            float[] before = adamFrozen.data().toArray();
            m.children().get("0").setRequiresGrad(false);
            n.children().get("0").setRequiresGrad(false);
            for (int i = 0; i < 2; i++) {
                backward(m);
                adamw.step();
                adamw.zeroGrad();
                backward(n);
                sgd.step();
                sgd.zeroGrad();
            }
            assertArrayEquals(before, adamFrozen.data().toArray(), "no weight decay either");
            assertArrayEquals(before, sgdFrozen.data().toArray());
            assertEquals(0, adamw.steps(adamFrozen));
            assertNull(adamw.expAvg(adamFrozen));
            assertNull(sgd.momentumBuffer(sgdFrozen));
            assertEquals(2, adamw.steps(m.namedParameters().get("2.weight")));

            m.setRequiresGrad(true);
            backward(m);
            adamw.step();
            assertEquals(1, adamw.steps(adamFrozen), "its bias correction starts at its own first step");
            assertNotNull(adamw.expAvg(adamFrozen));
            assertFalse(Arrays.equals(before, adamFrozen.data().toArray()));
        }
    }

    @Test
    void freezingEverythingLeavesNothingToDifferentiate() {
        try (Sequential m = model()) {
            m.setRequiresGrad(false);
            try (TensorScope scope = TensorScope.open()) {
                Variable logits = m.forward(Variable.constant(Tensor.of(X, 2, 4)));
                Variable loss = new CrossEntropyLoss().forward(logits, LABELS);
                assertFalse(loss.requiresGrad(), "no graph was recorded");
            }
        }
    }
}
