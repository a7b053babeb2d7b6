// Activations and elementwise functions with their gradients. CPU reference: CpuActivations (the
// same float formulas in the same order; CUDA's expf, tanhf, erff and logf stand in for Math's and
// for the CPU's polynomial erf, within a few ulp).
#include "common.cuh"

// 1 / (1 + exp(-x)); for very negative x, exp overflows to infinity and the result is 0.
extern "C" __global__ void sigmoid(const float* __restrict__ x, float* out, long long n) {
    FOR_EACH(i, n) out[i] = 1.0f / (1.0f + expf(-x[i]));
}

// dx = dy * (1 - y) * y, from the sigmoid's output y.
extern "C" __global__ void sigmoid_backward(const float* __restrict__ y, const float* __restrict__ dy, float* dx,
                                            long long n) {
    FOR_EACH(i, n) dx[i] = dy[i] * (1.0f - y[i]) * y[i];
}

extern "C" __global__ void tanh_forward(const float* __restrict__ x, float* out, long long n) {
    FOR_EACH(i, n) out[i] = tanhf(x[i]);
}

// dx = dy * (1 - y * y), from the tanh's output y.
extern "C" __global__ void tanh_backward(const float* __restrict__ y, const float* __restrict__ dy, float* dx,
                                         long long n) {
    FOR_EACH(i, n) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

// GELU's constants: sqrt(1/2), 1/sqrt(2 pi), and the tanh form's sqrt(2/pi) and 0.044715.
#define GELU_SQRT_HALF 0.70710678f
#define GELU_INV_SQRT_2PI 0.39894228f
#define GELU_TANH_BETA 0.7978845608f
#define GELU_TANH_KAPPA 0.044715f

// x * Phi(x) = x * 0.5 * (1 + erf(x / sqrt 2)), PyTorch's default (approximate='none').
extern "C" __global__ void gelu_exact(const float* __restrict__ x, float* out, long long n) {
    FOR_EACH(i, n) {
        float v = x[i];
        out[i] = v * 0.5f * (1.0f + erff(v * GELU_SQRT_HALF));
    }
}

// dx = dy * (Phi(x) + x * phi(x)).
extern "C" __global__ void gelu_exact_backward(const float* __restrict__ x, const float* __restrict__ dy, float* dx,
                                               long long n) {
    FOR_EACH(i, n) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + erff(v * GELU_SQRT_HALF));
        float pdf = expf(-0.5f * v * v) * GELU_INV_SQRT_2PI;
        dx[i] = dy[i] * (cdf + v * pdf);
    }
}

// 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))) (approximate='tanh').
extern "C" __global__ void gelu_tanh(const float* __restrict__ x, float* out, long long n) {
    FOR_EACH(i, n) {
        float v = x[i];
        float inner = GELU_TANH_BETA * (v + GELU_TANH_KAPPA * (v * v * v));
        out[i] = 0.5f * v * (1.0f + tanhf(inner));
    }
}

// The product rule on 0.5 * x times (1 + tanh(inner)), as PyTorch's gelu_backward writes it.
extern "C" __global__ void gelu_tanh_backward(const float* __restrict__ x, const float* __restrict__ dy, float* dx,
                                              long long n) {
    FOR_EACH(i, n) {
        float v = x[i];
        float square = v * v;
        float inner = GELU_TANH_BETA * (v + GELU_TANH_KAPPA * (square * v));
        float tanh_inner = tanhf(inner);
        float left = 0.5f * v;
        float right = 1.0f + tanh_inner;
        float inner_derivative = GELU_TANH_BETA * (1.0f + 3.0f * GELU_TANH_KAPPA * square);
        dx[i] = dy[i] * (0.5f * right + left * (1.0f - tanh_inner * tanh_inner) * inner_derivative);
    }
}

// exp(x); its gradient dy * exp(x) is the elementwise mul.
extern "C" __global__ void exp_forward(const float* __restrict__ x, float* out, long long n) {
    FOR_EACH(i, n) out[i] = expf(x[i]);
}

// log(x): NaN below 0, -infinity at 0.
extern "C" __global__ void log_forward(const float* __restrict__ x, float* out, long long n) {
    FOR_EACH(i, n) out[i] = logf(x[i]);
}

// dx = dy / x.
extern "C" __global__ void log_backward(const float* __restrict__ x, const float* __restrict__ dy, float* dx,
                                        long long n) {
    FOR_EACH(i, n) dx[i] = dy[i] / x[i];
}
