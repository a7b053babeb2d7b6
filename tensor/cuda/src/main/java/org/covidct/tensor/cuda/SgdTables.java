package org.covidct.tensor.cuda;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The device-side tables that sgd_momentum_multi reads: for T tensors, T parameter addresses, T
 * gradient addresses, T momentum-buffer addresses (0 for none) and T + 1 offsets of each tensor in
 * the concatenation of all of them, in one block. A training loop passes the same tensors step
 * after step, so each distinct table is uploaded once and kept; the least recently used go when
 * more than {@value #CAPACITY} are kept (their blocks return to the allocator in stream order).
 */
final class SgdTables {
    static final int CAPACITY = 16;

    /** A table's host content; equal content means an equal device table. */
    private record Key(long[] content) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(k.content, content);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(content);
        }
    }

    private final CachingAllocator allocator;
    private final HostStaging staging;
    private final Map<Key, CachingAllocator.Block> tables = new LinkedHashMap<>(CAPACITY, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, CachingAllocator.Block> eldest) {
            if (size() > CAPACITY) {
                allocator.free(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    SgdTables(CachingAllocator allocator, HostStaging staging) {
        this.allocator = allocator;
        this.staging = staging;
    }

    /**
     * The device address of the table {@code params ++ grads ++ buffers ++ offsets}; the parts
     * start at 0, 8T, 16T and 24T bytes.
     */
    synchronized long table(long[] content) {
        Key key = new Key(content);
        CachingAllocator.Block block = tables.get(key);
        if (block == null) {
            block = allocator.allocate((long) content.length * Long.BYTES);
            staging.upload(content, block.address());
            tables.put(key, block);
        }
        return block.address();
    }
}
