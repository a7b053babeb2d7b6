package org.covidct.tensor;

import java.time.Duration;
import org.covidct.tensor.cpu.VectorWarmUp;

/**
 * The CPU backend's kernels in a fresh JVM. Where the JVM has the Vector API, the GEMM, depthwise
 * and Winograd kernels start as scalar twins that compute the same bits, because the vector
 * kernels are many times slower until the JIT has compiled them; once the twins have done some
 * work, a background thread has the vector kernels compiled and they take over. Results never
 * depend on which ran. A benchmark that times steady state waits for the vector kernels first.
 */
public final class CpuKernels {
    private CpuKernels() {
    }

    /**
     * Has the vector kernels compiled now, if that has not begun, and waits at most {@code timeout}
     * until they run; returns whether they do (true at once without the Vector API, where the
     * scalar kernels are the only ones, and false only on a timeout).
     */
    public static boolean awaitVectorKernels(Duration timeout) throws InterruptedException {
        return VectorWarmUp.awaitCompiled(timeout);
    }
}
