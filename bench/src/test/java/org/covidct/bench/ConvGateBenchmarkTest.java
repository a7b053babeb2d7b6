package org.covidct.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ConvGateBenchmarkTest {
    @Test
    void theDirectLoopSumsEachPaddedWindow() {
        // A 2x2 image under a 3x3 filter of ones, pad 1: every window holds the whole image.
        float[] y = new float[4];
        ConvGateBenchmark.directConv(new float[] {1, 2, 3, 4}, new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 1, 1, 1, 2, y);
        assertArrayEquals(new float[] {10, 10, 10, 10}, y);
        // A filter with only its centre set copies the image; only its top-left, shifts it down-right.
        float[] centre = new float[9], corner = new float[9];
        centre[4] = 2;
        corner[0] = 1;
        ConvGateBenchmark.directConv(new float[] {1, 2, 3, 4}, centre, 1, 1, 1, 2, y);
        assertArrayEquals(new float[] {2, 4, 6, 8}, y);
        ConvGateBenchmark.directConv(new float[] {1, 2, 3, 4}, corner, 1, 1, 1, 2, y);
        assertArrayEquals(new float[] {0, 0, 0, 1}, y);
    }

    @Test
    void theDirectLoopIsOurConvolution() {
        Random rng = new Random(11);
        int n = 2, c = 3, k = 4, hw = 5;
        try (Tensor x = Bench.randomTensor(rng, n, c, hw, hw);
             Tensor w = Bench.randomTensor(rng, k, c, 3, 3);
             Tensor ours = Ops.conv2d(x, w, null, Conv2dSpec.of(1, 1))) {
            float[] direct = new float[n * k * hw * hw];
            ConvGateBenchmark.directConv(x.toArray(), w.toArray(), n, c, k, hw, direct);
            assertArrayEquals(ours.toArray(), direct, 1e-4f);
        }
    }

    @Test
    void aShapeIsCKHw() {
        assertArrayEquals(new int[] {64, 128, 28}, ConvGateBenchmark.parseShape("64-128-28"));
        assertEquals("shape: expected C-K-HW, got 64-64",
                assertThrows(IllegalArgumentException.class, () -> ConvGateBenchmark.parseShape("64-64")).getMessage());
        for (String bad : new String[] {"64-64-x", "0-64-28", "64--28", "64-64-28-1", "1234567-1-1"}) {
            assertEquals("shape: expected C-K-HW, got " + bad,
                    assertThrows(IllegalArgumentException.class, () -> ConvGateBenchmark.parseShape(bad)).getMessage());
        }
    }
}
