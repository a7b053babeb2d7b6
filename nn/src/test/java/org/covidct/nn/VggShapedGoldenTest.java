package org.covidct.nn;

import static org.covidct.tensor.testing.TensorAssert.GOLDEN_RTOL;
import static org.covidct.tensor.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.covidct.tensor.testing.GoldenFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A VGG-shaped network with PyTorch's weights gives PyTorch's logits, loss, input gradient and
 * every parameter gradient, and updates the running statistics as PyTorch does, in both modes.
 */
class VggShapedGoldenTest {
    private static final GoldenFile GOLD = GoldenFile.load("/golden/vgg_small.gold");
    private static final List<String> BIASES_BEFORE_BATCH_NORM = List.of("features.0.bias", "features.4.bias");

    private static void assertNoiseOnly(String what, float[] values) {
        for (float v : values) {
            assertTrue(Math.abs(v) < 1e-6f, what + " should be 0 up to rounding, found " + v);
        }
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"train", "eval"})
    void matchesPyTorch(String mode) {
        try (SmallVgg model = new SmallVgg(new Generator(1)); TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> state = new HashMap<>();
            for (String name : GOLD.names()) {
                if (name.startsWith("state.")) {
                    state.put(name.substring("state.".length()), GOLD.tensor(name));
                }
            }
            Module.StateDictReport report = model.loadStateDict(state, false);
            assertEquals(List.of("features.1.num_batches_tracked", "features.5.num_batches_tracked"),
                    report.missing(), "the fixture leaves out only the int64 batch counters");
            assertEquals(List.of(), report.unexpected());
            assertEquals(List.of(), report.mismatched());
            model.train(mode.equals("train"));

            Variable input = Variable.withGrad(GOLD.tensor("input"));
            Variable logits = model.forward(input);
            Variable loss = new CrossEntropyLoss().forward(logits, GOLD.ints("targets"));
            loss.backward();

            assertClose(mode + " logits", GOLD.floats(mode + ".logits"), logits.data().toArray(), GOLDEN_RTOL);
            assertClose(mode + " loss", GOLD.floats(mode + ".loss"), loss.data().toArray(), GOLDEN_RTOL);
            assertClose(mode + " input gradient", GOLD.floats(mode + ".grad.input"), input.grad().toArray(),
                    GOLDEN_RTOL);
            model.namedParameters().forEach((name, p) -> {
                if (mode.equals("train") && BIASES_BEFORE_BATCH_NORM.contains(name)) {
                    // Batch statistics cancel any per-channel shift, so the true gradient is exactly 0;
                    // both sides hold only rounding noise, which a relative error cannot compare.
                    assertNoiseOnly(mode + " gradient of " + name, GOLD.floats(mode + ".grad." + name));
                    assertNoiseOnly(mode + " gradient of " + name, p.grad().toArray());
                } else {
                    assertClose(mode + " gradient of " + name, GOLD.floats(mode + ".grad." + name),
                            p.grad().toArray(), GOLDEN_RTOL);
                }
            });
            int checkedBuffers = 0;
            for (Map.Entry<String, Tensor> b : model.namedBuffers().entrySet()) {
                if (!b.getKey().endsWith("num_batches_tracked")) {
                    assertClose(mode + " " + b.getKey() + " after forward",
                            GOLD.floats(mode + ".state_after." + b.getKey()), b.getValue().toArray(), GOLDEN_RTOL);
                    checkedBuffers++;
                }
            }
            assertEquals(4, checkedBuffers);
            assertEquals(mode.equals("train") ? 1 : 0,
                    ((BatchNorm2d) model.features.get(1)).numBatchesTracked());
            input.zeroGrad();
        }
    }
}
