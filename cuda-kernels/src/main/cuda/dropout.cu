// Dropout masks from a counter-based generator: element i depends only on (seed, i), so the mask
// equals the CPU's bit for bit. CPU reference: CpuBackend.dropoutMask and CounterRng.
#include "common.cuh"

// SplitMix64's finaliser.
__device__ inline unsigned long long mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// mask[i] = 0 with probability p, else 1 / (1 - p).
extern "C" __global__ void dropout_mask(unsigned long long seed, float p, float* mask, long long n) {
    float keep = 1.0f / (1.0f - p);
    unsigned long long mixed_seed = mix64(seed);
    FOR_EACH(i, n) {
        unsigned long long bits = mix64(mixed_seed + (unsigned long long)(i + 1) * 0x9E3779B97F4A7C15ULL);
        float u = (float)(bits >> 40) * 0x1.0p-24f;
        mask[i] = u < p ? 0.0f : keep;
    }
}
