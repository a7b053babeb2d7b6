package org.covidct.app.train;

import java.util.Arrays;
import org.covidct.tensor.Tensor;

/** Mirror images of a batch, for test-time flipping. */
final class MirrorImages {
    private MirrorImages() {
    }

    /**
     * The batch {@code [N, C, H, W]} with every row reversed left to right, on the batch's device.
     * The copy goes through the host: it runs once per evaluated batch, beside two forward passes.
     */
    static Tensor leftToRight(Tensor images) {
        int[] dims = images.dims();
        if (dims.length != 4) {
            throw new IllegalArgumentException("mirror images: expected a batch [N, C, H, W], got "
                    + Arrays.toString(dims));
        }
        int width = dims[3];
        float[] pixels = images.toArray();
        for (int row = 0; row < pixels.length; row += width) {
            for (int left = row, right = row + width - 1; left < right; left++, right--) {
                float t = pixels[left];
                pixels[left] = pixels[right];
                pixels[right] = t;
            }
        }
        return Tensor.of(images.device(), pixels, dims);
    }
}
