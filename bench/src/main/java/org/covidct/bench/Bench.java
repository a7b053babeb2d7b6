package org.covidct.bench;

import java.util.Random;
import org.covidct.tensor.Tensor;

/** Shared set-up for the benchmarks. */
final class Bench {
    private Bench() {
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
}
