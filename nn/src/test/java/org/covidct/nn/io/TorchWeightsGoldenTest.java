package org.covidct.nn.io;

import static org.covidct.nn.io.WeightFixtures.GOLD;
import static org.covidct.tensor.testing.TensorAssert.GOLDEN_RTOL;
import static org.covidct.tensor.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import org.covidct.nn.models.Vgg;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Narrow torchvision VGGs saved by torch.save in both formats (and as safetensors) load strictly
 * into {@link Vgg} and give PyTorch's eval-mode logits.
 */
class TorchWeightsGoldenTest {
    private static void assertLogits(String what, Vgg model, Map<String, Tensor> state, String goldKey) {
        Vgg.StateDictReport report = model.loadStateDict(state, true);
        assertTrue(report.isClean(), report.toString());
        float[] actual = WeightFixtures.logits(model);
        assertClose(what + " logits", GOLD.floats(goldKey), GOLD.dims(goldKey), Tensor.of(actual, GOLD.dims(goldKey)),
                GOLDEN_RTOL);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "vgg11bn_narrow.zip.pth, vgg11bn_narrow.logits",
        "vgg11bn_narrow.legacy.pth, vgg11bn_narrow.logits",
        "vgg13_narrow.zip.pth, vgg13_narrow.logits",
        "vgg13_narrow.legacy.pth, vgg13_narrow.logits",
        "vgg13_narrow_mixed_dtypes.zip.pth, vgg13_narrow_mixed.logits",
        "vgg13_narrow_mixed_dtypes.legacy.pth, vgg13_narrow_mixed.logits",
    })
    void torchSaveFilesGivePyTorchsLogits(String file, String goldKey) throws WeightFileException {
        try (TensorScope scope = TensorScope.open(); Vgg model = WeightFixtures.modelFor(file)) {
            assertLogits(file, model, TorchWeights.read(WeightFixtures.path(file)), goldKey);
        }
    }

    @Test
    void dataParallelPrefixIsStripped() throws WeightFileException {
        try (TensorScope scope = TensorScope.open(); Vgg model = WeightFixtures.vgg13Narrow(3)) {
            Map<String, Tensor> raw = TorchWeights.read(WeightFixtures.path("vgg13_narrow_module_prefix.zip.pth"));
            assertTrue(raw.keySet().stream().allMatch(k -> k.startsWith("module.")), raw.keySet().toString());
            assertLogits("module. prefix", model, TorchWeights.stripPrefix(raw, "module."), "vgg13_narrow.logits");
        }
    }

    @Test
    void oldStyleFileWithoutBatchCountersLoadsOnceTheyAreAdded() throws WeightFileException {
        try (TensorScope scope = TensorScope.open(); Vgg model = WeightFixtures.vgg11bnNarrow(5)) {
            Map<String, Tensor> raw = TorchWeights.read(WeightFixtures.path("vgg11bn_narrow_oldstyle.legacy.pth"));
            assertFalse(raw.keySet().stream().anyMatch(k -> k.endsWith("num_batches_tracked")));
            Map<String, Tensor> state = TorchWeights.addMissingBatchCounters(raw);
            assertEquals(model.stateDict().keySet().stream().toList(), state.keySet().stream().toList());
            assertLogits("old-style", model, state, "vgg11bn_narrow.logits");
            assertEquals(0f, state.get("features.1.num_batches_tracked").item());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vgg11bn_narrow", "vgg13_narrow"})
    void safetensorsFilesGivePyTorchsLogits(String name) throws IOException {
        try (TensorScope scope = TensorScope.open(); Vgg model = WeightFixtures.modelFor(name)) {
            Map<String, Tensor> state = SafeTensors.read(WeightFixtures.path(name + ".safetensors"));
            assertLogits(name + ".safetensors", model, state, name + ".logits");
            Map<String, Tensor> pth = TorchWeights.read(WeightFixtures.path(name + ".zip.pth"));
            for (Map.Entry<String, Tensor> e : pth.entrySet()) {
                assertArrayEquals(e.getValue().toArray(), state.get(e.getKey()).toArray(), e.getKey());
            }
        }
    }
}
