// Softmax cross-entropy over the rows of [rows, cols] logits, in double as CpuLoss does.
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
