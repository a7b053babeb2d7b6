package org.covidct.nn.data;

import java.nio.file.Path;
import java.util.List;
import org.covidct.tensor.Tensor;

/**
 * One mini-batch: {@code images} is a CPU float32 tensor {@code [B, 3, S, S]}, and {@code labels}
 * and {@code paths} hold the label and file of each of its {@code B} images, in the same order.
 * Closing the batch closes the image tensor.
 */
public record Batch(Tensor images, int[] labels, List<Path> paths) implements AutoCloseable {
    public int size() {
        return labels.length;
    }

    @Override
    public void close() {
        images.close();
    }
}
