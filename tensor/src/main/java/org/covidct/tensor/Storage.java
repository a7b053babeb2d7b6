package org.covidct.tensor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory behind one or more tensors (a tensor and its reshaped views share one storage).
 * Reference counted so that the last tensor to close it frees it, deterministically: this is what
 * lets a GPU backend return device memory to its allocator at a known point.
 */
public abstract class Storage {
    private int references = 1;
    private final AtomicLong version = new AtomicLong();
    private volatile boolean frozen;
    private volatile Object derived;

    /** A storage with one reference, its creator's; backends subclass it. */
    protected Storage() {
    }

    /** Number of float32 elements. */
    public abstract long size();

    public abstract Device device();

    /** Gives the memory back; called exactly once, when the last reference closes. */
    protected abstract void free();

    /**
     * How many times {@link Ops} has written this memory in place (the tensors that share it share
     * the count): a value computed from the memory is stale once the count has moved.
     */
    public final long version() {
        return version.get();
    }

    /** Whether the memory is read-only (see {@link Tensor#freeze}). */
    public final boolean isFrozen() {
        return frozen;
    }

    /**
     * What a backend derived from this frozen memory and keeps with it (weights packed for its
     * kernels); null if nothing.
     */
    public final Object derived() {
        return derived;
    }

    /** Keeps {@code form}, derived from this memory, for later calls; the memory must be frozen. */
    public final void keepDerived(Object form) {
        if (!frozen) {
            throw new IllegalStateException("only frozen memory keeps derived forms");
        }
        derived = form;
    }

    final void freeze() {
        frozen = true;
    }

    final void markWritten() {
        version.incrementAndGet();
    }

    final synchronized void retain() {
        if (references <= 0) {
            throw new IllegalStateException("storage already freed");
        }
        references++;
    }

    final synchronized void release() {
        if (--references == 0) {
            free();
        }
    }
}
