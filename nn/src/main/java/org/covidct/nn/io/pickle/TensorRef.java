package org.covidct.nn.io.pickle;

import java.util.Arrays;

/**
 * A tensor as torch._utils._rebuild_tensor* describes it: a storage, an element offset into it,
 * and sizes and strides in elements. Nothing is read from the storage here.
 */
public record TensorRef(StorageRef storage, long storageOffset, long[] size, long[] stride) {
    public TensorRef {
        size = size.clone();
        stride = stride.clone();
    }

    @Override
    public long[] size() {
        return size.clone();
    }

    @Override
    public long[] stride() {
        return stride.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorRef t && storage.equals(t.storage) && storageOffset == t.storageOffset
                && Arrays.equals(size, t.size) && Arrays.equals(stride, t.stride);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * storage.hashCode() + Long.hashCode(storageOffset)) + Arrays.hashCode(size);
    }

    @Override
    public String toString() {
        return storage.type() + " tensor of size " + Arrays.toString(size);
    }
}
