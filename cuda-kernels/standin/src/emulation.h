// Compiles the kernels' CUDA C for the host, so the stand-in driver runs the same source the PTX
// comes from. Built-in variables are per OS thread (a stream's worker runs one block at a time);
// __shared__ variables are static per worker, shared by the fibers of the block it runs.
#pragma once

#include <cmath>
#include <cstring>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __shared__ static thread_local

struct uint3 {
    unsigned int x, y, z;
};

struct dim3 {
    unsigned int x, y, z;
};

extern thread_local uint3 threadIdx;
extern thread_local uint3 blockIdx;
extern thread_local dim3 blockDim;
extern thread_local dim3 gridDim;

namespace standin {
// Waits until every thread of the block has arrived; see fibers.cpp.
void syncthreads();
}

inline void __syncthreads() {
    standin::syncthreads();
}

// CUDA's integer min and max overloads.
inline int min(int a, int b) {
    return a < b ? a : b;
}

inline int max(int a, int b) {
    return a > b ? a : b;
}

inline long long min(long long a, long long b) {
    return a < b ? a : b;
}

inline long long max(long long a, long long b) {
    return a > b ? a : b;
}

inline int __float_as_int(float f) {
    int i;
    std::memcpy(&i, &f, sizeof i);
    return i;
}

inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, sizeof f);
    return f;
}
