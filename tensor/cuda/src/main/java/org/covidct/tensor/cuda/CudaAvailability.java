package org.covidct.tensor.cuda;

import java.util.Optional;

/**
 * Whether this JVM can use the CUDA backend, found once: the driver first (libcuda.so.1, its CUDA
 * version, a device), then cuBLAS, then cuDNN. Each probe loads a JCuda native library and turns
 * a failure into one line, so a machine without them gets a reason, never a crash.
 */
final class CudaAvailability {
    private CudaAvailability() {
    }

    private static final class Holder {
        static final Optional<String> REASON = probe();
    }

    /** Empty when CUDA is usable, otherwise the first thing missing. */
    static Optional<String> unavailableReason() {
        return Holder.REASON;
    }

    private static Optional<String> probe() {
        Optional<String> reason = Driver.unavailableReason();
        if (reason.isEmpty()) {
            reason = Cublas.unavailableReason();
        }
        if (reason.isEmpty()) {
            reason = Cudnn.unavailableReason();
        }
        return reason;
    }
}
