// Reductions, deterministic (fixed grid, tree sums, no atomics), accumulated in double as
// CpuReductions does.
#include "common.cuh"

// Launched with exactly 256 blocks of REDUCE_THREADS: partials[block] = that block's share of x.
extern "C" __global__ void sum_partials(const float* __restrict__ x, float* partials, long long n) {
    double s = 0.0;
    FOR_EACH(i, n) s += x[i];
    double total = block_sum(s);
    if (threadIdx.x == 0) partials[blockIdx.x] = (float)total;
}

// One block of REDUCE_THREADS: out[0] = the sum of count partial sums.
extern "C" __global__ void sum_final(const float* __restrict__ partials, float* out, int count) {
    double s = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) s += partials[i];
    double total = block_sum(s);
    if (threadIdx.x == 0) out[0] = (float)total;
}

// One block per channel: out[ch] = sum of x[n, ch, :] over n (bias gradients). CPU: CpuReductions.sumPerChannel.
extern "C" __global__ void sum_per_channel(const float* __restrict__ x, float* out, int n, int c, long long hw) {
    int ch = blockIdx.x;
    double s = 0.0;
    for (long long i = threadIdx.x; i < (long long)n * hw; i += blockDim.x) {
        long long b = i / hw, k = i % hw;
        s += x[(b * c + ch) * hw + k];
    }
    double total = block_sum(s);
    if (threadIdx.x == 0) out[ch] = (float)total;
}

// One thread per row: the first index of the row's maximum; a NaN wins at once. CPU: CpuReductions.argmaxRows.
extern "C" __global__ void argmax_rows(const float* __restrict__ x, int* out, int rows, int cols) {
    FOR_EACH(r, rows) {
        const float* row = x + r * (long long)cols;
        int best = 0;
        float max = row[0];
        for (int j = 1; j < cols && max == max; j++) {
            float v = row[j];
            if (v > max || v != v) {
                max = v;
                best = j;
            }
        }
        out[r] = best;
    }
}
