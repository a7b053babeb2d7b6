package org.covidct.tensor;

import org.covidct.tensor.cpu.CpuBackend;

/** Where a tensor's storage lives. Each device has exactly one backend that runs ops on it. */
public final class Device {
    /** Device families; CUDA joins when its backend does. */
    public enum Kind { CPU }

    public static final Device CPU = new Device(Kind.CPU, 0);

    private final Kind kind;
    private final int index;

    private Device(Kind kind, int index) {
        this.kind = kind;
        this.index = index;
    }

    public Kind kind() {
        return kind;
    }

    public int index() {
        return index;
    }

    /** The backend that owns this device's memory and runs its kernels. */
    public Backend backend() {
        return switch (kind) {
            case CPU -> CpuBackend.instance();
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && d.kind == kind && d.index == index;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + index;
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + (kind == Kind.CPU ? "" : ":" + index);
    }
}
