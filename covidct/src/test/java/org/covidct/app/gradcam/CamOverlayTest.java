package org.covidct.app.gradcam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.covidct.nn.data.image.RgbImage;
import org.covidct.tensor.testing.GoldenFile;
import org.junit.jupiter.api.Test;

/**
 * The JET colours and the overlay agree with OpenCV and the reference's show_cam_on_image
 * (scripts/gradcam/make_overlay_fixture.py): exactly, but for OpenCV's one float32 rounding slip.
 */
class CamOverlayTest {
    private static final GoldenFile GOLD = GoldenFile.load("/gradcam/overlay.gold");

    @Test
    void jetMatchesOpenCv() {
        float[] jet = GOLD.floats("jet");
        int differing = 0;
        for (int v = 0; v < 256; v++) {
            int rgb = JetColorMap.rgb(v);
            for (int c = 0; c < 3; c++) {
                int ours = rgb >> (16 - 8 * c) & 0xFF;
                int cv = (int) jet[3 * v + c];
                assertTrue(Math.abs(ours - cv) <= 1, "level " + v + " channel " + c + ": OpenCV " + cv + ", ours " + ours);
                differing += ours != cv ? 1 : 0;
            }
        }
        assertTrue(differing <= 1, differing + " channel values differ from OpenCV's (one is expected: blue of 159)");
    }

    @Test
    void overlayMatchesShowCamOnImage() {
        int[] dims = GOLD.dims("image");
        int h = dims[0], w = dims[1];
        float[] px = GOLD.floats("image");
        byte[] bytes = new byte[px.length];
        for (int i = 0; i < px.length; i++) {
            bytes[i] = (byte) (int) px[i];
        }
        RgbImage out = CamOverlay.overlay(new RgbImage(w, h, bytes), GOLD.floats("mask"));
        float[] expected = GOLD.floats("overlay");
        int exact = 0;
        for (int i = 0; i < expected.length; i++) {
            int ours = out.pixels()[i] & 0xFF;
            assertTrue(Math.abs(ours - (int) expected[i]) <= 1, "value " + i + ": reference " + expected[i] + ", ours " + ours);
            exact += ours == (int) expected[i] ? 1 : 0;
        }
        assertEquals(expected.length, exact, "every value equal (the mask avoids JET level 159)");
    }
}
