package org.covidct.tensor.spi;

import java.util.Optional;
import org.covidct.tensor.Backend;
import org.covidct.tensor.Device;

/**
 * A backend shipped in its own artifact and found at run time through {@link java.util.ServiceLoader},
 * so that the core library carries none of its dependencies: the CUDA backend (artifact
 * {@code tensor-cuda}) is one. An implementation is registered as a service provider, in its
 * module descriptor and in {@code META-INF/services}.
 */
public interface DeviceBackendProvider {
    /** The device family whose backends this provides. */
    Device.Kind kind();

    /** Empty when the family's devices are usable in this JVM; otherwise one line saying why not. */
    Optional<String> unavailableReason();

    /**
     * The backend of device {@code index}, created on first use; an IllegalStateException says
     * why when the device cannot be used.
     */
    Backend backend(int index);
}
