package org.covidct.tensor.cpu;

import org.covidct.tensor.GeluApproximation;

/**
 * Clamp (ReLU6), sigmoid, tanh, GELU, exp and log, and their gradients, elementwise over whole arrays. C2 does not
 * vectorise calls to Math.exp or Math.tanh, so the functions that need them run on the Vector API
 * where chosen ({@link SimdActivations}: the same formulas in the same order, whose exp, tanh and log
 * may differ from Math's by an ulp); the gradients that are plain arithmetic are loops that C2
 * vectorises itself.
 */
final class CpuActivations {
    /** sqrt(1/2), which scales x into erf's argument for the normal CDF. */
    static final float SQRT_HALF = 0.70710678f;
    /** 1/sqrt(2 pi), the normal density's factor. */
    static final float INV_SQRT_2PI = 0.39894228f;
    /** sqrt(2/pi) and 0.044715, the constants of GELU's tanh approximation. */
    static final float TANH_BETA = 0.7978845608f, TANH_KAPPA = 0.044715f;
    /**
     * Abramowitz and Stegun 7.1.26: erf(a) = 1 - t (A1 + t (A2 + ...)) exp(-a^2), t = 1 / (1 + P a),
     * for a = |x| (absolute error at most 1.5e-7), the approximation of PyTorch's vectorised CPU erf.
     */
    static final float ERF_P = 0.3275911f, ERF_A1 = 0.254829592f, ERF_A2 = -0.284496736f, ERF_A3 = 1.421413741f,
            ERF_A4 = -1.453152027f, ERF_A5 = 1.061405429f;

    private CpuActivations() {
    }

    /** out = min(max(x, min), max) over whole arrays: NaN stays NaN, as in torch.clamp. */
    static void clamp(float[] x, float min, float max, float[] out, boolean vectorApi) {
        Parallel.forRange(out.length, CpuBackend.ELEMENTWISE_GRAIN,
                (from, to) -> clamp(x, min, max, out, from, to, vectorApi));
    }

    /**
     * out[i] = min(max(x[i], min), max) for i in [from, to), on the calling thread: the vector
     * kernel once it is compiled, else the loop with the same bits.
     */
    static void clamp(float[] x, float min, float max, float[] out, int from, int to, boolean vectorApi) {
        if (vectorApi && VectorWarmUp.compiled()) {
            SimdElementwise.clamp(x, min, max, out, from, to);
            return;
        }
        for (int i = from; i < to; i++) {
            out[i] = Math.min(Math.max(x[i], min), max);
        }
    }

    static void sigmoid(float[] x, float[] out, boolean vectorApi) {
        Parallel.forRange(out.length, CpuBackend.ELEMENTWISE_GRAIN, (from, to) -> {
            if (vectorApi) {
                SimdActivations.sigmoid(x, out, from, to);
                return;
            }
            for (int i = from; i < to; i++) {
                out[i] = sigmoid(x[i]);
            }
        });
    }

    /** 1 / (1 + exp(-x)): exp overflows to infinity for very negative x, and the result is 0, as it should be. */
    static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }

    static void sigmoidBackward(float[] y, float[] dy, float[] dx) {
        Parallel.forRange(dx.length, CpuBackend.ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                dx[i] = dy[i] * (1f - y[i]) * y[i];
            }
        });
    }

    static void tanh(float[] x, float[] out, boolean vectorApi) {
        Parallel.forRange(out.length, CpuBackend.ELEMENTWISE_GRAIN, (from, to) -> {
            if (vectorApi) {
                SimdActivations.tanh(x, out, from, to);
                return;
            }
            for (int i = from; i < to; i++) {
                out[i] = (float) Math.tanh(x[i]);
            }
        });
    }

    static void tanhBackward(float[] y, float[] dy, float[] dx) {
        Parallel.forRange(dx.length, CpuBackend.ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                dx[i] = dy[i] * (1f - y[i] * y[i]);
            }
        });
    }

    static void gelu(float[] x, GeluApproximation approximation, float[] out, boolean vectorApi) {
        boolean exact = approximation == GeluApproximation.NONE;
        Parallel.forRange(out.length, CpuBackend.ELEMENTWISE_GRAIN, (from, to) -> {
            if (vectorApi) {
                SimdActivations.gelu(x, exact, out, from, to);
                return;
            }
            for (int i = from; i < to; i++) {
                out[i] = exact ? geluExact(x[i]) : geluTanh(x[i]);
            }
        });
    }

    static void geluBackward(float[] x, float[] dy, GeluApproximation approximation, float[] dx, boolean vectorApi) {
        boolean exact = approximation == GeluApproximation.NONE;
        Parallel.forRange(dx.length, CpuBackend.ELEMENTWISE_GRAIN, (from, to) -> {
            if (vectorApi) {
                SimdActivations.geluBackward(x, dy, exact, dx, from, to);
                return;
            }
            for (int i = from; i < to; i++) {
                dx[i] = dy[i] * (exact ? geluExactDerivative(x[i]) : geluTanhDerivative(x[i]));
            }
        });
    }

    /** x * Phi(x) = x * 0.5 * (1 + erf(x / sqrt 2)). */
    static float geluExact(float x) {
        return x * 0.5f * (1f + erf(x * SQRT_HALF));
    }

    /** Phi(x) + x * phi(x). */
    static float geluExactDerivative(float x) {
        float cdf = 0.5f * (1f + erf(x * SQRT_HALF));
        float pdf = (float) Math.exp(-0.5f * x * x) * INV_SQRT_2PI;
        return cdf + x * pdf;
    }

    /** 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))). */
    static float geluTanh(float x) {
        float inner = TANH_BETA * (x + TANH_KAPPA * (x * x * x));
        return 0.5f * x * (1f + (float) Math.tanh(inner));
    }

    /** The product rule on 0.5 * x times (1 + tanh(inner)), as PyTorch's gelu_backward writes it. */
    static float geluTanhDerivative(float x) {
        float square = x * x;
        float inner = TANH_BETA * (x + TANH_KAPPA * (square * x));
        float tanhInner = (float) Math.tanh(inner);
        float left = 0.5f * x;
        float right = 1f + tanhInner;
        float innerDerivative = TANH_BETA * (1f + 3f * TANH_KAPPA * square);
        return 0.5f * right + left * (1f - tanhInner * tanhInner) * innerDerivative;
    }

    /** erf by {@link #ERF_P} and friends, in float. */
    static float erf(float x) {
        float a = Math.abs(x);
        float t = 1f / (1f + ERF_P * a);
        float poly = ((((ERF_A5 * t + ERF_A4) * t + ERF_A3) * t + ERF_A2) * t + ERF_A1) * t;
        float e = 1f - poly * (float) Math.exp(-(a * a));
        return x < 0f ? -e : e;
    }

    static void exp(float[] x, float[] out, boolean vectorApi) {
        Parallel.forRange(out.length, CpuBackend.ELEMENTWISE_GRAIN, (from, to) -> {
            if (vectorApi) {
                SimdActivations.exp(x, out, from, to);
                return;
            }
            for (int i = from; i < to; i++) {
                out[i] = (float) Math.exp(x[i]);
            }
        });
    }

    static void log(float[] x, float[] out, boolean vectorApi) {
        Parallel.forRange(out.length, CpuBackend.ELEMENTWISE_GRAIN, (from, to) -> {
            if (vectorApi) {
                SimdActivations.log(x, out, from, to);
                return;
            }
            for (int i = from; i < to; i++) {
                out[i] = (float) Math.log(x[i]);
            }
        });
    }

    static void logBackward(float[] x, float[] dy, float[] dx) {
        Parallel.forRange(dx.length, CpuBackend.ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                dx[i] = dy[i] / x[i];
            }
        });
    }
}
