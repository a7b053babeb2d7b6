package org.covidct.bench;

import org.covidct.tensor.Device;

/**
 * Prints whether this JVM can use CUDA, and if not, why: the first line of a GPU run's log, so
 * that skipped GPU tests can be told apart from a machine that was never able to run them.
 */
public final class CudaStatus {
    private CudaStatus() {
    }

    public static void main(String[] args) {
        System.out.println(Device.cudaUnavailableReason().orElse("CUDA available"));
    }
}
