package org.covidct.tensor;

/**
 * The memory behind one or more tensors (a tensor and its reshaped views share one storage).
 * Reference counted so that the last tensor to close it frees it, deterministically: this is what
 * lets a GPU backend return device memory to its allocator at a known point.
 */
public abstract class Storage {
    private int references = 1;

    /** A storage with one reference, its creator's; backends subclass it. */
    protected Storage() {
    }

    /** Number of float32 elements. */
    public abstract long size();

    public abstract Device device();

    /** Gives the memory back; called exactly once, when the last reference closes. */
    protected abstract void free();

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
