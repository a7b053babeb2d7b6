package org.covidct.tensor.cpu;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recycles the large arrays of closed CPU tensors by exact length, as the CUDA backend's caching
 * allocator recycles device blocks. A training step allocates the same activation and gradient
 * sizes every time; handing them back instead of leaving them to the garbage collector keeps the
 * heap near the step's live set (G1 otherwise grows it to several times that between collections).
 * Small arrays are left to the young generation, which frees them cheaply. The pool is bounded, so
 * a change of shapes cannot make it hoard memory.
 */
final class CpuArrayPool {
    /** Arrays below this many floats (256 KiB) are not pooled. */
    static final int MIN_POOLED = 1 << 16;

    private final Map<Integer, ConcurrentLinkedDeque<float[]>> free = new ConcurrentHashMap<>();
    private final AtomicLong pooledFloats = new AtomicLong();
    private final long limitFloats;

    CpuArrayPool(long limitBytes) {
        this.limitFloats = limitBytes / Float.BYTES;
    }

    /** A zero-filled array of {@code length} floats, recycled when one is free. */
    float[] take(int length) {
        float[] a = recycled(length);
        if (a == null) {
            return new float[length];
        }
        Arrays.fill(a, 0f);
        return a;
    }

    /** An array of {@code length} floats whose contents are unspecified: a recycled one as it was left. */
    float[] takeUninitialized(int length) {
        float[] a = recycled(length);
        return a != null ? a : new float[length];
    }

    private float[] recycled(int length) {
        if (length < MIN_POOLED) {
            return null;
        }
        ConcurrentLinkedDeque<float[]> q = free.get(length);
        float[] a = q == null ? null : q.pollFirst();
        if (a != null) {
            pooledFloats.addAndGet(-length);
        }
        return a;
    }

    /** Takes back an array nobody references any more; dropped when small or when the pool is full. */
    void give(float[] a) {
        if (a.length < MIN_POOLED || pooledFloats.addAndGet(a.length) > limitFloats) {
            if (a.length >= MIN_POOLED) {
                pooledFloats.addAndGet(-a.length);
            }
            return;
        }
        free.computeIfAbsent(a.length, n -> new ConcurrentLinkedDeque<>()).addFirst(a);
    }

    /** Floats held for reuse. */
    long pooledFloats() {
        return pooledFloats.get();
    }
}
