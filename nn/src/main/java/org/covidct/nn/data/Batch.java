package org.covidct.nn.data;

import java.nio.file.Path;
import java.util.List;
import org.covidct.tensor.Tensor;

/**
 * One mini-batch from a {@link DataLoader}: {@code images} is a float32 tensor {@code [B, 3, S, S]}
 * on the loader's device, and {@code labels} and {@code paths} hold the label and file of each of its
 * {@code B} images, in the same order. Closing the batch closes the image tensor.
 *
 * @param images the transformed images, {@code [B, 3, S, S]}
 * @param labels the label of each image
 * @param paths the file of each image
 */
public record Batch(Tensor images, int[] labels, List<Path> paths) implements AutoCloseable {
    /** The number of images {@code B}. */
    public int size() {
        return labels.length;
    }

    /** Closes the image tensor. */
    @Override
    public void close() {
        images.close();
    }
}
