// Batch-norm backward in eval mode, where the statistics are constants (cuDNN's backward assumes
// batch statistics). CPU reference: CpuBatchNorm.backward with batchStatistics = false.
#include "common.cuh"

// dx = dy * gamma[c] * inv_std[c], computed in double as the CPU does.
extern "C" __global__ void batch_norm_frozen_backward(const float* __restrict__ x, const float* __restrict__ dy,
                                                      const float* __restrict__ gamma, const float* __restrict__ mean,
                                                      const float* __restrict__ inv_std, float* dx, int n, int c,
                                                      long long hw) {
    FOR_EACH(i, (long long)n * c * hw) {
        int ch = (int)((i / hw) % c);
        double k = (double)gamma[ch] * inv_std[ch];
        dx[i] = (float)(k * dy[i]);
    }
}

// One block per channel: dgamma = sum dy * (x - mean) * inv_std, dbeta = sum dy.
extern "C" __global__ void batch_norm_frozen_param_grads(const float* __restrict__ x, const float* __restrict__ dy,
                                                         const float* __restrict__ mean,
                                                         const float* __restrict__ inv_std, float* dgamma,
                                                         float* dbeta, int n, int c, long long hw) {
    int ch = blockIdx.x;
    double m = mean[ch], inv = inv_std[ch];
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (long long i = threadIdx.x; i < (long long)n * hw; i += blockDim.x) {
        long long at = (i / hw * c + ch) * hw + i % hw;
        double d = dy[at];
        sum_dy += d;
        sum_dy_xhat += d * (x[at] - m) * inv;
    }
    double total_dy = block_sum(sum_dy);
    __syncthreads(); // block_sum's shared buffer is reused
    double total_dy_xhat = block_sum(sum_dy_xhat);
    if (threadIdx.x == 0) {
        dgamma[ch] = (float)total_dy_xhat;
        dbeta[ch] = (float)total_dy;
    }
}
