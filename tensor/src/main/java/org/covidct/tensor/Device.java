package org.covidct.tensor;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.covidct.tensor.cpu.CpuBackend;
import org.covidct.tensor.spi.DeviceBackendProvider;

/** Where a tensor's storage lives. Each device has exactly one backend that runs ops on it. */
public final class Device {
    /** Device families. */
    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, 0);

    /** Said when the CUDA backend's artifact is missing, as it is for a CPU-only user. */
    static final String CUDA_NOT_ON_CLASS_PATH =
            "CUDA backend not on the class path (add the dependency org.covidct:tensor-cuda)";

    private static final Map<Integer, Device> CUDA_DEVICES = new ConcurrentHashMap<>();

    private final Kind kind;
    private final int index;

    private Device(Kind kind, int index) {
        this.kind = kind;
        this.index = index;
    }

    /**
     * NVIDIA GPU number {@code index}. Naming one is always allowed; its {@link #backend()} fails
     * with {@link #cudaUnavailableReason()} where CUDA cannot run.
     */
    public static Device cuda(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("CUDA device index must be >= 0, got " + index);
        }
        return CUDA_DEVICES.computeIfAbsent(index, i -> new Device(Kind.CUDA, i));
    }

    /**
     * Empty when CUDA devices are usable in this JVM; otherwise one line naming what is missing
     * (the NVIDIA driver, cuBLAS or cuDNN) and the version needed. Probed once, without crashing.
     */
    public static Optional<String> cudaUnavailableReason() {
        return CudaProvider.INSTANCE.map(DeviceBackendProvider::unavailableReason)
                .orElse(Optional.of(CUDA_NOT_ON_CLASS_PATH));
    }

    public Kind kind() {
        return kind;
    }

    public int index() {
        return index;
    }

    /**
     * The backend that owns this device's memory and runs its kernels; for CUDA it is created on
     * first use, and an IllegalStateException says why when CUDA is unavailable.
     */
    public Backend backend() {
        return switch (kind) {
            case CPU -> CpuBackend.instance();
            case CUDA -> CudaProvider.INSTANCE
                    .orElseThrow(() -> new IllegalStateException(CUDA_NOT_ON_CLASS_PATH))
                    .backend(index);
        };
    }

    /** The CUDA backend's provider, looked up once, on first use of a CUDA device. */
    private static final class CudaProvider {
        static final Optional<DeviceBackendProvider> INSTANCE =
                ServiceLoader.load(DeviceBackendProvider.class, Device.class.getClassLoader()).stream()
                        .map(ServiceLoader.Provider::get)
                        .filter(p -> p.kind() == Kind.CUDA)
                        .findFirst();
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
