package org.covidct.bench;

import java.time.Duration;
import java.util.Random;
import org.covidct.tensor.CpuKernels;
import org.covidct.tensor.Tensor;

/** Shared set-up for the benchmarks. */
final class Bench {
    /** JVM options every benchmark fork needs: the CPU kernels use the Vector API. */
    static final String VECTOR_MODULE = "--add-modules=jdk.incubator.vector";

    private Bench() {
    }

    /**
     * Has the CPU's compiled vector kernels take over from their scalar twins ({@link CpuKernels}),
     * for a benchmark's set-up: the figures time steady state.
     */
    static void awaitVectorKernels() {
        try {
            if (!CpuKernels.awaitVectorKernels(Duration.ofMinutes(1))) {
                throw new IllegalStateException("the CPU's vector kernels were not compiled within a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the CPU's vector kernels were compiled", e);
        }
    }

    static Tensor randomTensor(Random rng, int... dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return Tensor.of(v, dims);
    }

    /** Flops of one pass (forward, backward-data or backward-weight) of a 3x3, pad-1 convolution. */
    static double convFlops(int batch, int c, int k, int hw) {
        return 2.0 * batch * k * hw * hw * c * 9;
    }
}
