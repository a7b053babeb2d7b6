package org.covidct.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.optim.Sgd;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/** Module.to onto the device a model already lives on changes nothing and copies nothing. */
class ModuleToTest {
    @Test
    void movingToTheCurrentDeviceKeepsEveryObjectAndValue() {
        try (SmallVgg model = new SmallVgg(new Generator(7)); TensorScope scope = TensorScope.open()) {
            Variable input = Variable.constant(Tensor.full(Device.CPU, 0.5f, 2, 3, 16, 16));
            Functional.crossEntropy(model.forward(input), new int[] {0, 1}).backward();
            List<Parameter> params = model.parameters();
            Map<String, Tensor> state = model.stateDict();
            Map<String, float[]> values = new LinkedHashMap<>();
            state.forEach((name, t) -> values.put(name, t.toArray()));
            List<Tensor> grads = params.stream().map(Parameter::grad).toList();

            assertSame(model, model.to(Device.CPU));

            List<Parameter> after = model.parameters();
            assertEquals(params.size(), after.size());
            for (int i = 0; i < params.size(); i++) {
                assertSame(params.get(i), after.get(i), "parameter " + i + " is the same object");
                assertSame(grads.get(i), after.get(i).grad(), "gradient " + i + " is not copied");
            }
            model.stateDict().forEach((name, t) -> {
                assertSame(state.get(name), t, name + " is not copied");
                assertArrayEquals(values.get(name), t.toArray(), name);
            });
        }
    }

    @Test
    void anOptimiserBuiltBeforeTheMoveStillUpdatesTheModel() {
        try (SmallVgg model = new SmallVgg(new Generator(7)); Sgd sgd = new Sgd(model.parameters(), 0.1f, 0.9f, 0f);
             TensorScope scope = TensorScope.open()) {
            model.to(Device.CPU);
            Parameter weight = model.namedParameters().get("classifier.6.weight");
            float[] before = weight.data().toArray();
            Variable input = Variable.constant(Tensor.full(Device.CPU, 0.5f, 2, 3, 16, 16));
            Functional.crossEntropy(model.forward(input), new int[] {0, 1}).backward();
            float[] grad = weight.grad().toArray();
            sgd.step();
            float[] after = weight.data().toArray();
            for (int i = 0; i < before.length; i++) {
                assertEquals(before[i] - 0.1f * grad[i], after[i], 1e-7f, "element " + i);
            }
        }
    }
}
