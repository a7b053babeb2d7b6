package org.covidct.tensor.cuda;

import org.covidct.tensor.Device;
import org.covidct.tensor.Storage;

/** Device memory of one tensor (and its views): a block of the caching allocator. */
final class CudaStorage extends Storage {
    private final Device device;
    private final CachingAllocator allocator;
    private final CachingAllocator.Block block;
    private final long size;

    CudaStorage(Device device, CachingAllocator allocator, CachingAllocator.Block block, long size) {
        this.device = device;
        this.allocator = allocator;
        this.block = block;
        this.size = size;
    }

    /** The device address of element 0. */
    long address() {
        return block.address();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Device device() {
        return device;
    }

    /** Back to the allocator's cache; safe while queued kernels still read it (one stream). */
    @Override
    protected void free() {
        allocator.free(block);
    }
}
