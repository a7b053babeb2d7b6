// Losses in double, as the CPU computes them: softmax cross-entropy over the rows of [rows, cols]
// logits (CpuLoss), and the means over every element of binary cross-entropy with logits and of
// the squared error (CpuElementwiseLoss).
#include "common.cuh"

// One thread per row: probs = softmax(row), shifted by the row's maximum so exp cannot overflow.
extern "C" __global__ void softmax_rows(const float* __restrict__ logits, float* probs, int rows, int cols) {
    FOR_EACH(r, rows) {
        const float* row = logits + r * (long long)cols;
        float max = -INFINITY;
        for (int j = 0; j < cols; j++) max = fmaxf(max, row[j]);
        double s = 0.0;
        for (int j = 0; j < cols; j++) s += exp((double)(row[j] - max));
        for (int j = 0; j < cols; j++) probs[r * (long long)cols + j] = (float)(exp((double)(row[j] - max)) / s);
    }
}

// One thread: loss[0] = mean over rows of logsumexp(row) - row[target], as CpuLoss.crossEntropy.
extern "C" __global__ void cross_entropy(const float* __restrict__ logits, const int* __restrict__ targets, float* loss,
                                         int rows, int cols) {
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
        const float* row = logits + r * (long long)cols;
        float max = -INFINITY;
        for (int j = 0; j < cols; j++) max = fmaxf(max, row[j]);
        double s = 0.0;
        for (int j = 0; j < cols; j++) s += exp((double)(row[j] - max));
        total += max + log(s) - row[targets[r]];
    }
    loss[0] = (float)(total / rows);
}

// dlogits = (probs - onehot(targets)) * grad_scale.
extern "C" __global__ void cross_entropy_backward(const float* __restrict__ probs, const int* __restrict__ targets,
                                                  float grad_scale, float* dlogits, int rows, int cols) {
    FOR_EACH(i, (long long)rows * cols) {
        int r = (int)(i / cols), j = (int)(i % cols);
        float onehot = j == targets[r] ? 1.0f : 0.0f;
        dlogits[i] = (probs[i] - onehot) * grad_scale;
    }
}

// Launched with a fixed grid of REDUCE_THREADS-thread blocks: partials[block] = that block's share of
// the sum of max(x, 0) - x t + log(1 + exp(-|x|)), which never overflows.
extern "C" __global__ void binary_cross_entropy_with_logits_partials(const float* __restrict__ x,
                                                                     const float* __restrict__ t, double* partials,
                                                                     long long n) {
    double s = 0.0;
    FOR_EACH(i, n) {
        double v = x[i];
        s += fmax(v, 0.0) - v * t[i] + log1p(exp(-fabs(v)));
    }
    double total = block_sum(s);
    if (threadIdx.x == 0) partials[blockIdx.x] = total;
}

// As above for (x - t)^2.
extern "C" __global__ void mse_loss_partials(const float* __restrict__ x, const float* __restrict__ t,
                                             double* partials, long long n) {
    double s = 0.0;
    FOR_EACH(i, n) {
        double d = (double)x[i] - t[i];
        s += d * d;
    }
    double total = block_sum(s);
    if (threadIdx.x == 0) partials[blockIdx.x] = total;
}

// One block of REDUCE_THREADS: out[0] = the sum of count partial sums, divided by n.
extern "C" __global__ void mean_of_partials(const double* __restrict__ partials, float* out, int count, long long n) {
    double s = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) s += partials[i];
    double total = block_sum(s);
    if (threadIdx.x == 0) out[0] = (float)(total / n);
}

// dx = (sigmoid(x) - t) * grad_scale, in double.
extern "C" __global__ void binary_cross_entropy_with_logits_backward(const float* __restrict__ x,
                                                                     const float* __restrict__ t, float grad_scale,
                                                                     float* dx, long long n) {
    FOR_EACH(i, n) {
        double sigmoid = 1.0 / (1.0 + exp(-(double)x[i]));
        dx[i] = (float)((sigmoid - t[i]) * grad_scale);
    }
}

// dx = (x - t) * (2 grad_scale), in float.
extern "C" __global__ void mse_loss_backward(const float* __restrict__ x, const float* __restrict__ t,
                                             float grad_scale, float* dx, long long n) {
    float scale = 2.0f * grad_scale;
    FOR_EACH(i, n) dx[i] = (x[i] - t[i]) * scale;
}
