package org.covidct.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ModuleTest {
    @Test
    void stateDictUsesPyTorchNamesAndOrder() {
        try (SmallVgg model = new SmallVgg(new Generator(3))) {
            List<String> keys = List.copyOf(model.stateDict().keySet());
            assertEquals(List.of(
                    "features.0.weight", "features.0.bias",
                    "features.1.weight", "features.1.bias", "features.1.running_mean", "features.1.running_var",
                    "features.1.num_batches_tracked",
                    "features.4.weight", "features.4.bias",
                    "features.5.weight", "features.5.bias", "features.5.running_mean", "features.5.running_var",
                    "features.5.num_batches_tracked",
                    "classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias",
                    "classifier.6.weight", "classifier.6.bias"), keys);
            assertEquals(14, model.parameters().size());
        }
    }

    @Test
    void defaultInitialisationFollowsPyTorchBounds() {
        Generator gen = new Generator(11);
        try (Conv2d conv = new Conv2d(16, 32, 3, 1, 1, true, gen); Linear fc = new Linear(400, 10, true, gen)) {
            assertWithinBound(conv.weight().data().toArray(), 1 / Math.sqrt(16 * 9));
            assertWithinBound(conv.bias().data().toArray(), 1 / Math.sqrt(16 * 9));
            assertWithinBound(fc.weight().data().toArray(), 1 / Math.sqrt(400));
        }
    }

    private static void assertWithinBound(float[] values, double bound) {
        double maxAbs = 0;
        for (float v : values) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        assertTrue(maxAbs <= bound, "max |w| " + maxAbs + " exceeds " + bound);
        assertTrue(maxAbs > 0.8 * bound, "values do not span the uniform range: max |w| " + maxAbs);
    }

    @Test
    void sameSeedSameWeights() {
        try (SmallVgg a = new SmallVgg(new Generator(5)); SmallVgg b = new SmallVgg(new Generator(5));
             SmallVgg c = new SmallVgg(new Generator(6))) {
            float[] wa = a.stateDict().get("classifier.0.weight").toArray();
            assertArrayEquals(wa, b.stateDict().get("classifier.0.weight").toArray());
            assertFalse(java.util.Arrays.equals(wa, c.stateDict().get("classifier.0.weight").toArray()));
        }
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        try (SmallVgg model = new SmallVgg(new Generator(1))) {
            model.eval();
            assertFalse(model.features.get(1).isTraining());
            assertFalse(model.classifier.get(-1).isTraining());
            model.train();
            assertTrue(model.features.get(5).isTraining());
        }
    }

    @Test
    void strictLoadReportsEveryProblemAtOnceAndChangesNothing() {
        try (SmallVgg model = new SmallVgg(new Generator(1))) {
            Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
            float[] before = model.stateDict().get("features.0.weight").toArray();
            state.put("features.0.weight", Tensor.zeros(Device.CPU, 4, 3, 3, 3));
            state.remove("features.1.running_var");
            state.put("classifier.6.weight", Tensor.zeros(Device.CPU, 1000, 16));
            state.put("extra.weight", Tensor.zeros(Device.CPU, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.loadStateDict(state, true));
            String m = e.getMessage();
            assertTrue(m.contains("features.1.running_var") && m.contains("extra.weight")
                    && m.contains("classifier.6.weight (file [1000, 16], model [2, 16])"), m);
            assertArrayEquals(before, model.stateDict().get("features.0.weight").toArray());
        }
    }

    @Test
    void nonStrictLoadSkipsAReplacedClassifierLayer() {
        try (SmallVgg source = new SmallVgg(new Generator(1)); SmallVgg target = new SmallVgg(new Generator(2))) {
            Map<String, Tensor> state = new LinkedHashMap<>(source.stateDict());
            state.put("classifier.6.weight", Tensor.zeros(Device.CPU, 1000, 16));
            state.put("classifier.6.bias", Tensor.zeros(Device.CPU, 1000));
            float[] headBefore = target.stateDict().get("classifier.6.weight").toArray();
            Module.StateDictReport report = target.loadStateDict(state, false);
            assertEquals(2, report.mismatched().size());
            assertArrayEquals(source.stateDict().get("features.4.weight").toArray(),
                    target.stateDict().get("features.4.weight").toArray());
            assertArrayEquals(headBefore, target.stateDict().get("classifier.6.weight").toArray());
        }
    }

    @Test
    void sequentialReplacesTheLastClassifierLayer() {
        try (SmallVgg model = new SmallVgg(new Generator(1))) {
            model.classifier.set(6, new Linear(16, 5, true, new Generator(9)));
            assertArrayEquals(new int[] {5, 16}, model.stateDict().get("classifier.6.weight").dims());
            assertThrows(IndexOutOfBoundsException.class, () -> model.classifier.get(7));
        }
    }

    @Test
    void wrongInputShapesFailNamingTheOpAndShapes() {
        try (SmallVgg model = new SmallVgg(new Generator(1))) {
            var gray = Variable.constant(Tensor.zeros(Device.CPU, 2, 1, 12, 12));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(gray));
            assertTrue(e.getMessage().contains("conv2d") && e.getMessage().contains("[2, 1, 12, 12]")
                    && e.getMessage().contains("[4, 3, 3, 3]"), e.getMessage());
            var flat = Variable.constant(Tensor.zeros(Device.CPU, 2, 3));
            e = assertThrows(IllegalArgumentException.class, () -> model.classifier.forward(flat));
            assertTrue(e.getMessage().contains("linear") && e.getMessage().contains("[2, 3]")
                    && e.getMessage().contains("[16, 392]"), e.getMessage());
        }
    }
}
