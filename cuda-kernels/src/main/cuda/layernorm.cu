// Layer normalisation of x viewed as [rows, size], in double as CpuLayerNorm does: one block of
// REDUCE_THREADS per row for the statistics and the input gradient, one thread per column for the
// parameter gradients, every sum in a fixed order.
#include "common.cuh"

// y = (x - mean) * inv_std * weight + bias per row; mean[row] and inv_std[row] = 1/sqrt(var + eps),
// var the biased variance, from two passes over the row.
extern "C" __global__ void layer_norm(const float* __restrict__ x, const float* __restrict__ weight,
                                      const float* __restrict__ bias, float eps, float* y, float* mean,
                                      float* inv_std, int size) {
    const float* in = x + (long long)blockIdx.x * size;
    float* out = y + (long long)blockIdx.x * size;
    double s = 0.0;
    for (int j = threadIdx.x; j < size; j += blockDim.x) s += in[j];
    double m = block_sum(s) / size;
    __syncthreads(); // block_sum's shared buffer is reused
    double ss = 0.0;
    for (int j = threadIdx.x; j < size; j += blockDim.x) ss += (in[j] - m) * (in[j] - m);
    double inv = 1.0 / sqrt(block_sum(ss) / size + eps);
    for (int j = threadIdx.x; j < size; j += blockDim.x) out[j] = (float)((in[j] - m) * inv * weight[j] + bias[j]);
    if (threadIdx.x == 0) {
        mean[blockIdx.x] = (float)m;
        inv_std[blockIdx.x] = (float)inv;
    }
}

// One block per row: with g = dy * weight and xhat = (x - mean) * inv_std,
// dx = inv_std * (g - mean(g) - xhat * mean(g * xhat)).
extern "C" __global__ void layer_norm_backward_data(const float* __restrict__ x, const float* __restrict__ dy,
                                                    const float* __restrict__ weight, const float* __restrict__ mean,
                                                    const float* __restrict__ inv_std, float* dx, int size) {
    long long off = (long long)blockIdx.x * size;
    double m = mean[blockIdx.x], inv = inv_std[blockIdx.x];
    double sum_g = 0.0, sum_g_xhat = 0.0;
    for (int j = threadIdx.x; j < size; j += blockDim.x) {
        double g = (double)dy[off + j] * weight[j];
        sum_g += g;
        sum_g_xhat += g * ((x[off + j] - m) * inv);
    }
    double mean_g = block_sum(sum_g) / size;
    __syncthreads(); // block_sum's shared buffer is reused
    double mean_g_xhat = block_sum(sum_g_xhat) / size;
    for (int j = threadIdx.x; j < size; j += blockDim.x) {
        double g = (double)dy[off + j] * weight[j];
        dx[off + j] = (float)(inv * (g - mean_g - (x[off + j] - m) * inv * mean_g_xhat));
    }
}

// One thread per column j: dweight[j] = sum over rows of dy * xhat, dbias[j] = sum over rows of dy.
extern "C" __global__ void layer_norm_backward_params(const float* __restrict__ x, const float* __restrict__ dy,
                                                      const float* __restrict__ mean,
                                                      const float* __restrict__ inv_std, float* dweight,
                                                      float* dbias, int rows, int size) {
    FOR_EACH(j, size) {
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int r = 0; r < rows; r++) {
            long long at = (long long)r * size + j;
            double d = dy[at];
            sum_dy += d;
            sum_dy_xhat += d * ((x[at] - (double)mean[r]) * inv_std[r]);
        }
        dweight[j] = (float)sum_dy_xhat;
        dbias[j] = (float)sum_dy;
    }
}
