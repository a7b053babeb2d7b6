package org.covidct.bench;

import org.covidct.tensor.Device;

/**
 * Prints whether this JVM can use CUDA, and if not, why, and exits 1 then: the first step of a GPU
 * run, so that a machine that cannot run the GPU tests fails the run rather than skip them.
 */
public final class CudaStatus {
    private CudaStatus() {
    }

    public static void main(String[] args) {
        var reason = Device.cudaUnavailableReason();
        System.out.println(reason.orElse("CUDA available"));
        if (reason.isPresent()) {
            System.exit(1);
        }
    }
}
