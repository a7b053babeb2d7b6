package org.covidct.tensor.cpu;

import org.covidct.tensor.Device;
import org.covidct.tensor.Storage;

/** Heap storage: one float array. Freeing drops the reference so the array can be collected early. */
final class CpuStorage extends Storage {
    private float[] data;
    private final int size;

    CpuStorage(float[] data) {
        this.data = data;
        this.size = data.length;
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
        data = null;
    }
}
