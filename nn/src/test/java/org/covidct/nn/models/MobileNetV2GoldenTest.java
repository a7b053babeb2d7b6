package org.covidct.nn.models;

import static org.covidct.tensor.testing.TensorAssert.GOLDEN_RTOL;
import static org.covidct.tensor.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.CrossEntropyLoss;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.covidct.tensor.testing.GoldenFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A small torchvision MobileNetV2 (stem 8, four inverted residual blocks, two of them residual,
 * two with stride 2) with PyTorch's weights gives PyTorch's logits, loss, input gradient, every
 * parameter gradient and running statistics, in both modes ({@code make_mobilenet_fixture.py}).
 */
class MobileNetV2GoldenTest {
    private static final GoldenFile GOLD = GoldenFile.load("/golden/mobilenet_small.gold");
    static final int[][] SETTING = {{1, 8, 1, 1}, {6, 8, 2, 2}, {6, 16, 1, 2}};
    private static final float NOISE = 1e-6f;

    private static float maxAbs(float[] v) {
        float m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"train", "eval"})
    void matchesPyTorch(String mode) {
        try (MobileNetV2 model = new MobileNetV2(3, 8, SETTING, 0f, MobileNetV2.Variant.TORCHVISION, new Generator(1));
             TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> state = new HashMap<>();
            for (String name : GOLD.names()) {
                if (name.startsWith("state.")) {
                    state.put(name.substring("state.".length()), GOLD.tensor(name));
                }
            }
            Module.StateDictReport report = model.loadStateDict(state, false);
            assertEquals(List.of(), report.unexpected());
            assertEquals(List.of(), report.mismatched());
            assertEquals(List.of(), report.missing().stream().filter(k -> !k.endsWith("num_batches_tracked")).toList());
            model.train(mode.equals("train"));

            Variable input = Variable.withGrad(GOLD.tensor("input"));
            Variable logits = model.forward(input);
            Variable loss = new CrossEntropyLoss().forward(logits, GOLD.ints("targets"));
            loss.backward();

            assertClose(mode + " logits", GOLD.floats(mode + ".logits"), logits.data().toArray(), GOLDEN_RTOL);
            assertClose(mode + " loss", GOLD.floats(mode + ".loss"), loss.data().toArray(), GOLDEN_RTOL);
            assertClose(mode + " input gradient", GOLD.floats(mode + ".grad.input"), input.grad().toArray(), GOLDEN_RTOL);
            model.namedParameters().forEach((name, p) -> {
                float[] expected = GOLD.floats(mode + ".grad." + name);
                if (mode.equals("train") && maxAbs(expected) < NOISE) {
                    // A per-channel shift that a train-mode BatchNorm downstream cancels: the true gradient
                    // is exactly 0 and both sides hold rounding noise, which a relative error cannot compare.
                    assertTrue(maxAbs(p.grad().toArray()) < NOISE, mode + " gradient of " + name + " should be 0");
                } else {
                    assertClose(mode + " gradient of " + name, expected, p.grad().toArray(), GOLDEN_RTOL);
                }
            });
            model.namedBuffers().forEach((name, b) -> {
                if (!name.endsWith("num_batches_tracked")) {
                    assertClose(mode + " " + name + " after forward", GOLD.floats(mode + ".state_after." + name),
                            b.toArray(), GOLDEN_RTOL);
                }
            });
            input.zeroGrad();
        }
    }
}
