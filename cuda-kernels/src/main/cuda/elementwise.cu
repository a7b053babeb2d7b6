// Elementwise kernels. CPU reference: CpuBackend (same float operations, in the same order).
// Fills and copies need no kernel: the backend uses the driver's memset and memcpy.
#include "common.cuh"

extern "C" __global__ void add(const float* __restrict__ a, const float* __restrict__ b, float* out, long long n) {
    FOR_EACH(i, n) out[i] = a[i] + b[i];
}

extern "C" __global__ void mul(const float* __restrict__ a, const float* __restrict__ b, float* out, long long n) {
    FOR_EACH(i, n) out[i] = a[i] * b[i];
}

extern "C" __global__ void scale(const float* __restrict__ a, float alpha, float* out, long long n) {
    FOR_EACH(i, n) out[i] = alpha * a[i];
}

// y += alpha * x: gradient accumulation.
extern "C" __global__ void axpy(float alpha, const float* __restrict__ x, float* y, long long n) {
    FOR_EACH(i, n) y[i] += alpha * x[i];
}

// max(x, 0) with Java's Math.max semantics: NaN stays NaN.
extern "C" __global__ void relu(const float* __restrict__ x, float* out, long long n) {
    FOR_EACH(i, n) {
        float v = x[i];
        out[i] = v > 0.0f || v != v ? v : 0.0f;
    }
}

// dx = dy where the ReLU's output is positive.
extern "C" __global__ void relu_backward(const float* __restrict__ y, const float* __restrict__ dy, float* dx,
                                         long long n) {
    FOR_EACH(i, n) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

// Java's Math.max and Math.min for non-NaN operands, signed zeros included: on equal values the
// bitwise AND (max) or OR (min) gives +0 (max) or -0 (min) for a pair of zeros, else the value.
__device__ inline float java_max(float a, float b) {
    return a > b ? a : b > a ? b : __int_as_float(__float_as_int(a) & __float_as_int(b));
}
__device__ inline float java_min(float a, float b) {
    return a < b ? a : b < a ? b : __int_as_float(__float_as_int(a) | __float_as_int(b));
}

// Math.min(Math.max(x, lo), hi) bit for bit (clamp(-0, 0, 6) is +0); NaN stays NaN, as in torch.clamp.
extern "C" __global__ void clamp(const float* __restrict__ x, float lo, float hi, float* out, long long n) {
    FOR_EACH(i, n) {
        float v = x[i];
        out[i] = v != v ? v : java_min(java_max(v, lo), hi);
    }
}

// dx = dy where lo < y < hi (y is the clamp's output).
extern "C" __global__ void clamp_backward(const float* __restrict__ y, const float* __restrict__ dy, float lo,
                                          float hi, float* dx, long long n) {
    FOR_EACH(i, n) dx[i] = y[i] > lo && y[i] < hi ? dy[i] : 0.0f;
}

// y[r, c] += bias[c]: the bias of a linear layer, after cuBLAS's product.
extern "C" __global__ void add_bias_rows(float* y, const float* __restrict__ bias, int rows, int cols) {
    FOR_EACH(i, (long long)rows * cols) y[i] += bias[i % cols];
}

// y[n, c, :] += bias[c]: the bias of a convolution, after cuDNN's.
extern "C" __global__ void add_bias_channels(float* y, const float* __restrict__ bias, int n, int c, long long hw) {
    FOR_EACH(i, (long long)n * c * hw) y[i] += bias[(i / hw) % c];
}
