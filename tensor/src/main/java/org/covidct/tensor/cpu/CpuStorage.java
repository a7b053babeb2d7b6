package org.covidct.tensor.cpu;

import org.covidct.tensor.Device;
import org.covidct.tensor.Storage;

/**
 * Heap storage: one float array. Freeing drops the reference, and hands an array that came from
 * the pool back to it; other arrays (uploads, which may alias nothing else either) are left to
 * the garbage collector.
 */
final class CpuStorage extends Storage {
    private float[] data;
    private final int size;
    private final CpuArrayPool pool;

    CpuStorage(float[] data) {
        this(data, null);
    }

    CpuStorage(float[] data, CpuArrayPool pool) {
        this.data = data;
        this.size = data.length;
        this.pool = pool;
    }

    float[] data() {
        float[] d = data;
        if (d == null) {
            throw new IllegalStateException("CPU storage of " + size + " floats was already freed");
        }
        return d;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    protected void free() {
        float[] d = data;
        data = null;
        if (pool != null && d != null) {
            pool.give(d);
        }
    }
}
