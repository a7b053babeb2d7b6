// One launch updates every parameter with torch.optim.SGD's rule. CPU reference: CpuBackend.sgdStep.
#include "common.cuh"

// The parameters form one virtual vector: tensor t holds elements [offsets[t], offsets[t + 1]).
// params, grads and bufs hold device addresses (bufs[t] == 0: no momentum buffer).
extern "C" __global__ void sgd_momentum_multi(const unsigned long long* __restrict__ params,
                                              const unsigned long long* __restrict__ grads,
                                              const unsigned long long* __restrict__ bufs,
                                              const long long* __restrict__ offsets, int tensors, float lr,
                                              float momentum, float weight_decay, int first_step) {
    FOR_EACH(i, offsets[tensors]) {
        int lo = 0, hi = tensors - 1; // the last t with offsets[t] <= i
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (offsets[mid] <= i) lo = mid; else hi = mid - 1;
        }
        long long k = i - offsets[lo];
        float* p = (float*)params[lo];
        const float* g = (const float*)grads[lo];
        float* buf = (float*)bufs[lo];
        float d = g[k] + weight_decay * p[k];
        if (buf != nullptr && momentum != 0.0f) {
            d = first_step ? d : momentum * buf[k] + d;
            buf[k] = d;
        }
        p[k] -= lr * d;
    }
}
