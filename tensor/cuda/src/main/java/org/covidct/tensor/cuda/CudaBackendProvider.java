package org.covidct.tensor.cuda;

import java.util.Optional;
import org.covidct.tensor.Backend;
import org.covidct.tensor.Device;
import org.covidct.tensor.spi.DeviceBackendProvider;

/** Plugs the CUDA backend into {@link Device#cuda(int)} when this artifact is on the path. */
public final class CudaBackendProvider implements DeviceBackendProvider {
    @Override
    public Device.Kind kind() {
        return Device.Kind.CUDA;
    }

    @Override
    public Optional<String> unavailableReason() {
        return CudaBackend.unavailableReason();
    }

    @Override
    public Backend backend(int index) {
        return CudaBackend.forDevice(index);
    }
}
