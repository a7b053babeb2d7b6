package org.covidct.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** A Sequential fused for inference frees each activation once the next layer has made its own. */
class SequentialInferenceMemoryTest {
    /** Records the tensors it is given and returns a new one, x + 1. */
    private static final class Recorder extends Module {
        final List<Tensor> inputs = new ArrayList<>();

        @Override
        public Variable forward(Variable x) {
            inputs.add(x.data());
            float[] v = x.data().toArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += 1;
            }
            return Variable.constant(Tensor.of(v, x.data().dims()));
        }
    }

    /** Hands back its input, as Dropout does in eval mode. */
    private static final class Identity extends Module {
        @Override
        public Variable forward(Variable x) {
            return x;
        }
    }

    private static Tensor input() {
        return Tensor.of(new float[] {1, 2, 3}, 3);
    }

    @Test
    void intermediatesAreFreedOnceConsumedAndNothingElse() {
        Recorder a = new Recorder(), b = new Recorder(), c = new Recorder();
        Sequential model = Sequential.fuseForInference(new Sequential(a, new Sequential(b), new Identity(), c,
                new Identity()));
        Tensor x = input();
        Variable y;
        try (GradMode.Guard g = GradMode.noGrad()) {
            y = model.forward(Variable.constant(x));
        }
        assertArrayEquals(new float[] {4, 5, 6}, y.data().toArray(), 0f);
        assertFalse(x.isClosed(), "the model's input belongs to the caller");
        assertTrue(b.inputs.get(0).isClosed(), "a's output, consumed by b");
        assertTrue(c.inputs.get(0).isClosed(), "b's output, passed through the identity and consumed by c");
        assertFalse(y.data().isClosed(), "c's output, passed through the identity: the caller's");
    }

    @Test
    void anActivationAHookSawIsKeptEvenPastAnIdentity() {
        Recorder a = new Recorder(), b = new Recorder();
        List<Tensor> seen = new ArrayList<>();
        a.registerForwardHook((m, in, out) -> seen.add(out.data()));
        Sequential model = Sequential.fuseForInference(new Sequential(a, new Identity(), b, new Recorder()));
        try (GradMode.Guard g = GradMode.noGrad()) {
            model.forward(Variable.constant(input()));
        }
        assertFalse(seen.get(0).isClosed(), "a's output, which a's hook saw");
        assertTrue(b.inputs.get(0) == seen.get(0));
    }

    @Test
    void withGradientsOrUnfusedNothingIsFreedAndWatchedOutputsAreKept() {
        for (int variant = 0; variant < 3; variant++) {
            Recorder a = new Recorder(), b = new Recorder(), c = new Recorder();
            Sequential inner = new Sequential(b);
            Sequential model = new Sequential(a, inner, c);
            if (variant != 1) {
                Sequential.fuseForInference(model);
            }
            List<Tensor> seen = new ArrayList<>();
            if (variant == 2) {
                b.registerForwardHook((m, in, out) -> seen.add(out.data()));
            }
            try (GradMode.Guard g = variant == 0 ? null : GradMode.noGrad()) {
                model.forward(Variable.constant(input()));
            }
            if (variant != 2) {
                assertFalse(b.inputs.get(0).isClosed(), "variant " + variant + ": a's output");
            }
            assertFalse(c.inputs.get(0).isClosed(), "variant " + variant + ": b's output");
        }
    }
}
