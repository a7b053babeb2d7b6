package org.covidct.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ForwardHookTest {
    private static Sequential net() {
        Generator gen = new Generator(3);
        return new Sequential(new Linear(4, 3, true, gen), new ReLU(), new Sequential(new Linear(3, 2, true, gen)));
    }

    @Test
    void aHookSeesTheOutputOfAChildRunByItsContainer() {
        try (Sequential model = net()) {
            List<Variable> seen = new ArrayList<>();
            List<Module> modules = new ArrayList<>();
            Module relu = model.get(1);
            try (Module.HookHandle h = relu.registerForwardHook((m, in, out) -> {
                modules.add(m);
                seen.add(out);
            })) {
                Variable y = model.call(Variable.constant(Tensor.of(new float[] {1, -2, 3, -4}, 1, 4)));
                assertEquals(1, seen.size());
                assertSame(relu, modules.get(0));
                assertEquals(List.of(1, 3), List.of(seen.get(0).shape().dim(0), seen.get(0).shape().dim(1)));
                assertEquals(2, y.shape().dim(1));
            }
            model.call(Variable.constant(Tensor.of(new float[] {1, 2, 3, 4}, 1, 4)));
            assertEquals(1, seen.size(), "a closed handle removes its hook");
        }
    }

    @Test
    void hooksFireInNestedContainersAndOncePerRegistration() {
        try (Sequential model = net()) {
            int[] calls = {0};
            Module.ForwardHook count = (m, in, out) -> calls[0]++;
            Module inner = ((Sequential) model.get(2)).get(0);
            Module.HookHandle first = inner.registerForwardHook(count);
            Module.HookHandle second = inner.registerForwardHook(count);
            model.call(Variable.constant(Tensor.of(new float[] {1, 2, 3, 4}, 1, 4)));
            assertEquals(2, calls[0]);
            first.close();
            first.close();
            model.call(Variable.constant(Tensor.of(new float[] {1, 2, 3, 4}, 1, 4)));
            assertEquals(3, calls[0], "closing one handle twice removes only its own registration");
            second.close();
        }
    }

    @Test
    void callingForwardDirectlyBypassesHooks() {
        try (Sequential model = net()) {
            int[] calls = {0};
            try (Module.HookHandle h = model.registerForwardHook((m, in, out) -> calls[0]++)) {
                model.forward(Variable.constant(Tensor.of(new float[] {1, 2, 3, 4}, 1, 4)));
                assertEquals(0, calls[0]);
                model.call(Variable.constant(Tensor.of(new float[] {1, 2, 3, 4}, 1, 4)));
                assertEquals(1, calls[0]);
            }
        }
    }
}
