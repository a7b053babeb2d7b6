package org.covidct.nn;

import org.covidct.tensor.cpu.CounterRng;
import org.covidct.tensor.cpu.Parallel;

/**
 * Host-side initial values for parameters, following torch.nn.init. Values are drawn as blocks of
 * the generator's counter-based stream, filled in parallel: a full-size VGG has 140 M of them.
 */
public final class Init {
    private static final int GRAIN = 1 << 16;

    private Init() {
    }

    /** U(-bound, bound): one stream position per value. */
    public static float[] uniform(int n, float bound, Generator gen) {
        long seed = gen.seed();
        long first = gen.reserve(n);
        float[] v = new float[n];
        Parallel.forRange(n, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                v[i] = -bound + 2 * bound * CounterRng.uniform(seed, first + i);
            }
        });
        return v;
    }

    /** N(mean, std^2) by Box-Muller: two stream positions per value. */
    public static float[] normal(int n, double mean, double std, Generator gen) {
        long seed = gen.seed();
        long first = gen.reserve(2L * n);
        float[] v = new float[n];
        Parallel.forRange(n, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                double u1 = 1.0 - CounterRng.uniform(seed, first + 2L * i); // in (0, 1], so the log is finite
                double u2 = CounterRng.uniform(seed, first + 2L * i + 1);
                v[i] = (float) (mean + std * Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2));
            }
        });
        return v;
    }

    /**
     * The default of nn.Conv2d and nn.Linear: kaiming_uniform_(a=sqrt(5)), which works out to
     * U(-1/sqrt(fanIn), 1/sqrt(fanIn)); their biases use the same bound.
     */
    public static float[] defaultUniform(int n, int fanIn, Generator gen) {
        return uniform(n, (float) (1.0 / Math.sqrt(fanIn)), gen);
    }

    /** kaiming_normal_(mode="fan_out", nonlinearity="relu"): N(0, 2/fanOut), torchvision VGG's conv init. */
    public static float[] kaimingNormalFanOut(int n, int fanOut, Generator gen) {
        return normal(n, 0, Math.sqrt(2.0 / fanOut), gen);
    }

    public static float[] constant(int n, float value) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return v;
    }
}
