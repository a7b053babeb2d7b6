package org.covidct.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.gradcam.GradCam;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.testing.GoldenFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Grad-CAM maps of the VGG-shaped test network agree with the reference recipe run in PyTorch
 * (scripts/gradcam/make_gradcam_fixture.py) to 1e-4, for the default layer and named ones.
 */
class GradCamGoldenTest {
    private static final GoldenFile GOLD = GoldenFile.load("/golden/gradcam_small.gold");
    private static final double TOLERANCE = 1e-4;

    private static SmallVgg model() {
        SmallVgg model = new SmallVgg(new Generator(1));
        Map<String, Tensor> state = new HashMap<>();
        for (String name : GOLD.names()) {
            if (name.startsWith("state.")) {
                state.put(name.substring("state.".length()), GOLD.tensor(name));
            }
        }
        Module.StateDictReport report = model.loadStateDict(state, false);
        assertTrue(report.unexpected().isEmpty() && report.mismatched().isEmpty(), report.toString());
        return model;
    }

    @ParameterizedTest(name = "{0}: layer {1}")
    @CsvSource({"default, , features.7", "default, features.-1, features.7", "conv, features.4, features.4",
        "relu, features.6, features.6"})
    void mapsMatchPyTorch(String fixture, String layer, String canonical) {
        try (SmallVgg model = model(); Tensor input = GOLD.tensor("input")) {
            int[] classes = fixture.equals("default") ? null : GOLD.ints(fixture + ".classes");
            GradCam cam = new GradCam(model, layer);
            assertEquals(canonical, cam.layerName());
            GradCam.Result r = cam.compute(input, classes);
            assertArrayEquals(GOLD.ints(fixture + ".classes"), r.classes());
            assertEquals(32, r.height());
            assertEquals(24, r.width());
            float[] expected = GOLD.floats(fixture + ".map");
            int plane = 32 * 24;
            for (int i = 0; i < r.maps().length; i++) {
                for (int p = 0; p < plane; p++) {
                    float e = expected[i * plane + p];
                    float a = r.maps()[i][p];
                    assertTrue(Math.abs(a - e) <= TOLERANCE, fixture + " image " + i + " pixel " + p + ": torch "
                            + e + ", ours " + a);
                }
            }
            if (fixture.equals("default")) {
                assertArrayEquals(GOLD.floats("logits"), flatten(r.logits()), 1e-5f);
            }
        }
    }

    @Test
    void leavesTheModelInEvalModeWithoutParameterGradients() {
        try (SmallVgg model = model(); Tensor input = GOLD.tensor("input")) {
            model.train();
            new GradCam(model, null).compute(input, null);
            assertFalse(model.isTraining());
            model.parameters().forEach(p -> assertNull(p.grad()));
        }
    }

    @Test
    void badLayersAndModesAreNamed() {
        try (SmallVgg model = model(); Tensor input = GOLD.tensor("input")) {
            var missing = assertThrows(IllegalArgumentException.class, () -> new GradCam(model, "features.99"));
            assertTrue(missing.getMessage().contains("features.99"), missing.getMessage());
            // SmallVgg runs avgpool through forward(), not call(): no hook can see it, and it says so.
            var unhooked = assertThrows(IllegalArgumentException.class,
                    () -> new GradCam(model, "avgpool").compute(input, null));
            assertTrue(unhooked.getMessage().contains("avgpool"), unhooked.getMessage());
            var flat = assertThrows(IllegalArgumentException.class,
                    () -> new GradCam(model, "classifier.0").compute(input, null));
            assertTrue(flat.getMessage().contains("[N, C, H, W]"), flat.getMessage());
            var badClass = assertThrows(IllegalArgumentException.class,
                    () -> new GradCam(model, null).compute(input, new int[] {0, 2, 1}));
            assertTrue(badClass.getMessage().contains("2"), badClass.getMessage());
            try (GradMode.Guard g = GradMode.noGrad()) {
                assertThrows(IllegalStateException.class, () -> new GradCam(model, null).compute(input, null));
            }
        }
    }

    private static float[] flatten(float[][] rows) {
        float[] out = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
        }
        return out;
    }
}
