package org.covidct.tensor.cuda;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps freed device blocks and hands them out again, as PyTorch's caching allocator does, so a
 * training loop stops calling cuMemAlloc (which is slow and synchronises the device) after its
 * first step. Sizes are rounded up: to {@value #SMALL_ROUNDING} bytes up to {@value #SMALL_LIMIT}
 * bytes (the small pool, reused only by requests of the same rounded size), and to
 * {@value #LARGE_ROUNDING} bytes above (the large pool, where the smallest free block that fits is
 * reused if it is at most twice the request, which bounds the waste). Blocks are never split.
 *
 * <p>Frees are stream-ordered: the backend queues all its work on one stream, so a block freed
 * while kernels that read it are still queued can be handed to a later kernel straight away; that
 * kernel runs after them. Only a real {@link DeviceMemory#free} must wait for the stream, and the
 * device memory implementation does that.
 */
final class CachingAllocator {
    static final long SMALL_LIMIT = 1 << 20;
    static final long SMALL_ROUNDING = 512;
    static final long LARGE_ROUNDING = 2 << 20;
    /** A large free block serves a request at most this many times smaller. */
    static final long LARGE_REUSE_RATIO = 2;

    /** Raw device memory: what the allocator caches. */
    interface DeviceMemory {
        /** A new block of {@code bytes} bytes, or 0 when the device is out of memory. */
        long allocate(long bytes);

        void free(long address);
    }

    /** A block handed out: its device address and its rounded size. */
    record Block(long address, long bytes) {
        static final Block EMPTY = new Block(0, 0);
    }

    private final DeviceMemory memory;
    /** Free blocks by rounded size; several blocks of one size queue under one key. */
    private final TreeMap<Long, ArrayDeque<Long>> free = new TreeMap<>();
    private long rawAllocations;
    private long bytesInUse;
    private long bytesCached;

    CachingAllocator(DeviceMemory memory) {
        this.memory = memory;
    }

    /** The size a request of {@code bytes} is rounded up to. */
    static long roundedSize(long bytes) {
        long unit = bytes <= SMALL_LIMIT ? SMALL_ROUNDING : LARGE_ROUNDING;
        return Math.ceilDiv(bytes, unit) * unit;
    }

    /** A block of at least {@code bytes}; throws when the device is out of memory. */
    synchronized Block allocate(long bytes) {
        long cached = bytesCached;
        Block b = tryAllocate(bytes);
        if (b == null) {
            throw new IllegalStateException("CUDA out of memory: cannot allocate " + bytes + " bytes (rounded to "
                    + roundedSize(bytes) + "); " + bytesInUse + " bytes in use, " + cached
                    + " bytes cached (released before the retry)");
        }
        return b;
    }

    /**
     * A block of at least {@code bytes}, or null when the device is out of memory even after every
     * cached block was released.
     */
    synchronized Block tryAllocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation of " + bytes + " bytes");
        }
        if (bytes == 0) {
            return Block.EMPTY;
        }
        long size = roundedSize(bytes);
        Block reused = takeCached(size);
        if (reused != null) {
            bytesCached -= reused.bytes();
            bytesInUse += reused.bytes();
            return reused;
        }
        long address = memory.allocate(size);
        if (address == 0) {
            releaseCached();
            address = memory.allocate(size);
            if (address == 0) {
                return null;
            }
        }
        rawAllocations++;
        bytesInUse += size;
        return new Block(address, size);
    }

    private Block takeCached(long size) {
        Map.Entry<Long, ArrayDeque<Long>> fit = size <= SMALL_LIMIT
                ? exact(size)
                : free.ceilingEntry(size);
        if (fit == null || fit.getKey() > size * LARGE_REUSE_RATIO) {
            return null;
        }
        ArrayDeque<Long> blocks = fit.getValue();
        long address = blocks.pop();
        if (blocks.isEmpty()) {
            free.remove(fit.getKey());
        }
        return new Block(address, fit.getKey());
    }

    private Map.Entry<Long, ArrayDeque<Long>> exact(long size) {
        ArrayDeque<Long> blocks = free.get(size);
        return blocks == null ? null : Map.entry(size, blocks);
    }

    /** Returns {@code block} to the cache; see the class comment on stream order. */
    synchronized void free(Block block) {
        if (block.bytes() == 0) {
            return;
        }
        free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).push(block.address());
        bytesInUse -= block.bytes();
        bytesCached += block.bytes();
    }

    /** Gives every cached block back to the device. */
    synchronized void releaseCached() {
        for (ArrayDeque<Long> blocks : free.values()) {
            for (long address : blocks) {
                memory.free(address);
            }
        }
        free.clear();
        bytesCached = 0;
    }

    /** How many times device memory was really allocated. */
    synchronized long rawAllocations() {
        return rawAllocations;
    }

    /** Rounded bytes of the blocks handed out and not yet freed. */
    synchronized long bytesInUse() {
        return bytesInUse;
    }

    /** Rounded bytes of the free blocks kept for reuse. */
    synchronized long bytesCached() {
        return bytesCached;
    }
}
