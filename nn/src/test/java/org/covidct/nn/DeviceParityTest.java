package org.covidct.nn;

import static org.covidct.tensor.testing.TensorAssert.GOLDEN_RTOL;
import static org.covidct.tensor.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.io.SafeTensors;
import org.covidct.nn.optim.Sgd;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.covidct.tensor.testing.AllDevices;
import org.covidct.tensor.testing.GoldenFile;
import org.junit.jupiter.api.io.TempDir;

/**
 * The VGG-shaped network of the golden fixture (convolution, batch norm, ReLU, max-pool, adaptive
 * average pool, linear), moved to each device, gives PyTorch's logits, loss, input gradient and
 * parameter gradients there, and the CPU's; an SGD step and a state-dict file round trip work there
 * too. On the CPU the comparison with the CPU is trivial; the one with PyTorch is not. CUDA runs
 * in strict FP32, since TF32 tensor cores would miss these tolerances by design.
 */
class DeviceParityTest {
    private static final GoldenFile GOLD = GoldenFile.load("/golden/vgg_small.gold");
    /** Batch statistics cancel any per-channel shift before a batch norm: their true gradient is 0. */
    private static final List<String> BIASES_BEFORE_BATCH_NORM = List.of("features.0.bias", "features.4.bias");

    @TempDir
    Path dir;

    /** What one training-mode forward and backward pass gives, read back to the host. */
    private record Pass(float[] logits, float[] loss, float[] inputGrad, Map<String, float[]> grads,
                        Map<String, float[]> stepped) {
    }

    /** The tolerance against PyTorch and the CPU: a GPU sums in other orders, through every layer. */
    private static double tolerance(Device device) {
        return device.equals(Device.CPU) ? GOLDEN_RTOL : 1e-4;
    }

    @AllDevices
    void forwardBackwardAndStepMatchPyTorchAndTheCpu(Device device) {
        Pass cpu = pass(Device.CPU);
        Pass here;
        try (Tf32Setting strict = Tf32Setting.set(device, false)) {
            here = pass(device);
        }
        double rtol = tolerance(device);
        assertClose("logits", GOLD.floats("train.logits"), here.logits(), rtol);
        assertClose("loss", GOLD.floats("train.loss"), here.loss(), rtol);
        assertClose("input gradient", GOLD.floats("train.grad.input"), here.inputGrad(), rtol);
        assertClose("logits against the CPU", cpu.logits(), here.logits(), rtol);
        assertClose("input gradient against the CPU", cpu.inputGrad(), here.inputGrad(), rtol);
        assertEquals(cpu.grads().keySet(), here.grads().keySet());
        here.grads().forEach((name, g) -> {
            if (BIASES_BEFORE_BATCH_NORM.contains(name)) {
                for (float v : g) {
                    assertTrue(Math.abs(v) < 1e-5f, "gradient of " + name + " should be 0 up to rounding, found " + v);
                }
            } else {
                assertClose("gradient of " + name, GOLD.floats("train.grad." + name), g, rtol);
                assertClose("gradient of " + name + " against the CPU", cpu.grads().get(name), g, rtol);
            }
        });
        here.stepped().forEach((name, p) ->
                assertClose(name + " after an SGD step, against the CPU", cpu.stepped().get(name), p, rtol));
    }

    @AllDevices
    void aMovedModelKeepsItsParametersAndRoundTripsItsStateDict(Device device) throws IOException {
        Path file = dir.resolve("state.safetensors");
        Map<String, float[]> saved = new LinkedHashMap<>();
        try (SmallVgg model = new SmallVgg(new Generator(4))) {
            List<Parameter> before = model.parameters();
            assertSame(model, model.to(device));
            List<Parameter> after = model.parameters();
            for (int i = 0; i < before.size(); i++) {
                assertSame(before.get(i), after.get(i), "parameter " + i + " is the same object");
            }
            model.stateDict().forEach((name, t) -> {
                assertEquals(device, t.device(), name);
                saved.put(name, t.toArray());
            });
            SafeTensors.write(file, model.stateDict(), Map.of());
        }
        Map<String, Tensor> read = SafeTensors.read(file);
        try (SmallVgg restored = new SmallVgg(new Generator(5)); TensorScope scope = TensorScope.open()) {
            restored.to(device).loadStateDict(read, true); // a CPU state dict into a model on the device
            restored.stateDict().forEach((name, t) -> assertArrayEquals(saved.get(name), t.toArray(), name));
        } finally {
            read.values().forEach(Tensor::close);
        }
    }

    /** Loads the fixture's state into the model on {@code device}, then runs a pass and one SGD step. */
    private static Pass pass(Device device) {
        try (SmallVgg model = new SmallVgg(new Generator(1)); TensorScope scope = TensorScope.open()) {
            model.to(device).train();
            Map<String, Tensor> state = new HashMap<>();
            for (String name : GOLD.names()) {
                if (name.startsWith("state.")) {
                    state.put(name.substring("state.".length()), GOLD.tensor(name));
                }
            }
            model.loadStateDict(state, false); // leaves out only the int64 batch counters
            Variable input = Variable.withGrad(GOLD.tensor("input").to(device));
            Variable logits = model.forward(input);
            Variable loss = new CrossEntropyLoss().forward(logits, GOLD.ints("targets"));
            loss.backward();
            Map<String, float[]> grads = new LinkedHashMap<>();
            model.namedParameters().forEach((name, p) -> grads.put(name, p.grad().toArray()));
            Map<String, float[]> stepped = new LinkedHashMap<>();
            try (Sgd sgd = new Sgd(model.parameters(), 0.1f, 0.9f, 1e-3f)) {
                sgd.step();
                model.namedParameters().forEach((name, p) -> stepped.put(name, p.data().toArray()));
            }
            float[] inputGrad = input.grad().toArray();
            input.zeroGrad();
            return new Pass(logits.data().toArray(), loss.data().toArray(), inputGrad, grads, stepped);
        }
    }
}
