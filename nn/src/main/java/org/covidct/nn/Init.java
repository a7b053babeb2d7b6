package org.covidct.nn;

/** Host-side initial values for parameters, following torch.nn.init. */
public final class Init {
    private Init() {
    }

    public static float[] uniform(int n, float bound, Generator gen) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = gen.uniform(-bound, bound);
        }
        return v;
    }

    public static float[] normal(int n, double mean, double std, Generator gen) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + std * gen.nextGaussian());
        }
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
