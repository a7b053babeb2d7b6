package org.covidct.nn;

import org.covidct.tensor.Device;
import org.covidct.tensor.cuda.CudaBackend;

/**
 * Turns a CUDA device's TF32 tensor-core use (convolutions and matmuls) on or off for one test and
 * puts the previous settings back on close; on other devices it does nothing.
 */
final class Tf32Setting implements AutoCloseable {
    private final CudaBackend backend;
    private final boolean conv;
    private final boolean matmul;

    private Tf32Setting(CudaBackend backend) {
        this.backend = backend;
        this.conv = backend != null && backend.isTf32();
        this.matmul = backend != null && backend.isMatmulTf32();
    }

    static Tf32Setting set(Device device, boolean on) {
        if (device.kind() != Device.Kind.CUDA) {
            return new Tf32Setting(null);
        }
        CudaBackend backend = (CudaBackend) device.backend();
        Tf32Setting previous = new Tf32Setting(backend);
        backend.setTf32(on);
        backend.setMatmulTf32(on);
        return previous;
    }

    @Override
    public void close() {
        if (backend != null) {
            backend.setTf32(conv);
            backend.setMatmulTf32(matmul);
        }
    }
}
