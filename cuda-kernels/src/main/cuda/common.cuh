// Shared by every kernel family. Kernels are extern "C" so the Java side finds them by plain name.
#pragma once

// Grid-stride loop with 64-bit indices: the launcher may choose any grid (it caps it at 65535 blocks).
#define FOR_EACH(i, n) \
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)

// Threads per block of the reduction kernels (the launcher uses the same number).
#define REDUCE_THREADS 256

// Tree sum of one double per thread over a block of REDUCE_THREADS threads; thread 0 gets the total.
__device__ inline double block_sum(double v) {
    __shared__ double partial[REDUCE_THREADS];
    partial[threadIdx.x] = v;
    __syncthreads();
    for (int stride = REDUCE_THREADS / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            partial[threadIdx.x] += partial[threadIdx.x + stride];
        }
        __syncthreads();
    }
    return partial[0];
}
