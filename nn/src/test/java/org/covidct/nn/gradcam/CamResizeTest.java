package org.covidct.nn.gradcam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class CamResizeTest {
    @Test
    void sameSizeIsTheIdentity() {
        float[] src = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(src, CamResize.bilinear(src, 2, 3, 2, 3));
    }

    @Test
    void doublingSamplesAtHalfPixelCentresAndClampsAtTheEdges() {
        // Output x samples the source at (x + 0.5) / 2 - 0.5: -0.25 (clamped to 0), 0.25, 0.75, 1.25 (past the last pixel).
        float[] row = CamResize.bilinear(new float[] {0, 4}, 1, 2, 1, 4);
        assertArrayEquals(new float[] {0, 1, 3, 4}, row, 1e-6f);
        float[] col = CamResize.bilinear(new float[] {0, 4}, 2, 1, 4, 1);
        assertArrayEquals(new float[] {0, 1, 3, 4}, col, 1e-6f);
    }

    @Test
    void shrinkingInterpolatesWithoutAntiAliasing() {
        // 4 -> 2: samples at 0.5 and 2.5.
        assertArrayEquals(new float[] {1, 5}, CamResize.bilinear(new float[] {0, 2, 4, 6}, 1, 4, 1, 2), 1e-6f);
    }
}
