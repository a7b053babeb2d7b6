// Pooling and padding over [N, C, H, W] planes. CPU references: CpuPooling, CpuAvgPooling, CpuPadding.
// Backward passes gather (one thread per input element, summing in the CPU's order) rather than
// scatter with atomics, so they are deterministic and equal to the CPU's result.
#include "common.cuh"

// Index within the plane of the first maximum among window (i, j)'s cells inside the plane: padded
// cells never win (PyTorch pads with -infinity). A NaN wins, as in PyTorch.
__device__ inline int window_argmax(const float* plane, int h, int w, int i, int j, int kh, int kw, int sh, int sw,
                                    int ph, int pw) {
    int r0 = i * sh - ph, c0 = j * sw - pw;
    int r_lo = max(r0, 0), r_hi = min(r0 + kh, h), c_lo = max(c0, 0), c_hi = min(c0 + kw, w);
    int best = r_lo * w + c_lo;
    float max = plane[best];
    for (int r = r_lo; r < r_hi; r++) {
        for (int c = c_lo; c < c_hi; c++) {
            float v = plane[r * w + c];
            if (v > max || (v != v && max == max)) {
                max = v;
                best = r * w + c;
            }
        }
    }
    return best;
}

// One thread per output.
extern "C" __global__ void max_pool2d(const float* __restrict__ x, float* y, int n, int c, int h, int w, int p,
                                      int q, int kh, int kw, int sh, int sw, int ph, int pw) {
    FOR_EACH(o, (long long)n * c * p * q) {
        long long plane = o / ((long long)p * q);
        int ij = (int)(o % ((long long)p * q)), i = ij / q, j = ij % q;
        const float* in = x + plane * h * w;
        y[o] = in[window_argmax(in, h, w, i, j, kh, kw, sh, sw, ph, pw)];
    }
}

// The windows that cover input index r (0 <= r < size) of one axis, padded by pad: [*first, *last].
__device__ inline void covering_windows(int r, int kernel, int stride, int pad, int windows, int* first, int* last) {
    int rp = r + pad; // in padded coordinates, window i covers [i * stride, i * stride + kernel)
    *first = rp < kernel ? 0 : (rp - kernel) / stride + 1;
    *last = min(rp / stride, windows - 1);
}

// One thread per input element: the sum of dy over the windows whose first maximum it is,
// visited in the CPU's (i, j) order.
extern "C" __global__ void max_pool2d_backward(const float* __restrict__ x, const float* __restrict__ dy, float* dx,
                                               int n, int c, int h, int w, int p, int q, int kh, int kw, int sh,
                                               int sw, int ph, int pw) {
    FOR_EACH(e, (long long)n * c * h * w) {
        long long plane = e / ((long long)h * w);
        int rc = (int)(e % ((long long)h * w)), r = rc / w, col = rc % w;
        const float* in = x + plane * h * w;
        const float* g = dy + plane * p * q;
        int i0, i1, j0, j1;
        covering_windows(r, kh, sh, ph, p, &i0, &i1);
        covering_windows(col, kw, sw, pw, q, &j0, &j1);
        float s = 0.0f;
        for (int i = i0; i <= i1; i++) {
            for (int j = j0; j <= j1; j++) {
                if (window_argmax(in, h, w, i, j, kh, kw, sh, sw, ph, pw) == rc) s += g[i * q + j];
            }
        }
        dx[e] = s;
    }
}

// One thread per output: the sum of the window's cells inside the plane, row by row in float as
// CpuAvgPooling does, over all kh * kw cells (padded ones count as zeros: count_include_pad=True).
extern "C" __global__ void avg_pool2d(const float* __restrict__ x, float* y, int nc, int h, int w, int p, int q,
                                      int kh, int kw, int sh, int sw, int ph, int pw) {
    FOR_EACH(o, (long long)nc * p * q) {
        long long plane = o / ((long long)p * q);
        int ij = (int)(o % ((long long)p * q)), i = ij / q, j = ij % q;
        const float* in = x + plane * h * w;
        int r0 = i * sh - ph, c0 = j * sw - pw;
        int r_lo = max(r0, 0), r_hi = min(r0 + kh, h), c_lo = max(c0, 0), c_hi = min(c0 + kw, w);
        float s = 0.0f;
        for (int r = r_lo; r < r_hi; r++) {
            for (int cc = c_lo; cc < c_hi; cc++) s += in[r * w + cc];
        }
        y[o] = s / (float)(kh * kw);
    }
}

// One thread per input element: dy / (kh * kw) of every window that covers it, in the CPU's (i, j) order.
extern "C" __global__ void avg_pool2d_backward(const float* __restrict__ dy, float* dx, int nc, int h, int w, int p,
                                               int q, int kh, int kw, int sh, int sw, int ph, int pw) {
    FOR_EACH(e, (long long)nc * h * w) {
        long long plane = e / ((long long)h * w);
        int rc = (int)(e % ((long long)h * w)), r = rc / w, col = rc % w;
        const float* g = dy + plane * p * q;
        int i0, i1, j0, j1;
        covering_windows(r, kh, sh, ph, p, &i0, &i1);
        covering_windows(col, kw, sw, pw, q, &j0, &j1);
        float s = 0.0f;
        for (int i = i0; i <= i1; i++) {
            for (int j = j0; j <= j1; j++) s += g[i * q + j] / (float)(kh * kw);
        }
        dx[e] = s;
    }
}

// PyTorch's adaptive bins: bin i covers [floor(i*in/out), ceil((i+1)*in/out)).
__device__ inline int bin_start(int i, int in, int out) { return (int)((long long)i * in / out); }
__device__ inline int bin_end(int i, int in, int out) { return (int)(((long long)(i + 1) * in + out - 1) / out); }

// One thread per output: the mean of its bin, summed row by row in float as the CPU does.
extern "C" __global__ void adaptive_avg_pool2d(const float* __restrict__ x, float* y, int nc, int h, int w, int p,
                                               int q) {
    FOR_EACH(o, (long long)nc * p * q) {
        long long plane = o / ((long long)p * q);
        int ij = (int)(o % ((long long)p * q)), i = ij / q, j = ij % q;
        const float* in = x + plane * h * w;
        int r0 = bin_start(i, h, p), r1 = bin_end(i, h, p), c0 = bin_start(j, w, q), c1 = bin_end(j, w, q);
        float s = 0.0f;
        for (int r = r0; r < r1; r++) {
            for (int cc = c0; cc < c1; cc++) s += in[r * w + cc];
        }
        y[o] = s / ((r1 - r0) * (c1 - c0));
    }
}

// One thread per input element: the shares of every bin that covers it, in the CPU's (i, j) order.
extern "C" __global__ void adaptive_avg_pool2d_backward(const float* __restrict__ dy, float* dx, int nc, int h,
                                                        int w, int p, int q) {
    FOR_EACH(e, (long long)nc * h * w) {
        long long plane = e / ((long long)h * w);
        int rc = (int)(e % ((long long)h * w)), r = rc / w, col = rc % w;
        const float* g = dy + plane * p * q;
        float s = 0.0f;
        for (int i = 0; i < p; i++) {
            int r0 = bin_start(i, h, p), r1 = bin_end(i, h, p);
            if (r < r0 || r >= r1) continue;
            for (int j = 0; j < q; j++) {
                int c0 = bin_start(j, w, q), c1 = bin_end(j, w, q);
                if (col >= c0 && col < c1) s += g[i * q + j] / ((r1 - r0) * (c1 - c0));
            }
        }
        dx[e] = s;
    }
}

// One thread per output element: zeros with x at rows [top, top + h) and columns [left, left + w).
extern "C" __global__ void pad2d(const float* __restrict__ x, float* y, int nc, int h, int w, int h2, int w2, int top,
                                 int left) {
    FOR_EACH(o, (long long)nc * h2 * w2) {
        long long plane = o / ((long long)h2 * w2);
        int rc = (int)(o % ((long long)h2 * w2)), r = rc / w2 - top, col = rc % w2 - left;
        y[o] = r >= 0 && r < h && col >= 0 && col < w ? x[(plane * h + r) * w + col] : 0.0f;
    }
}

// One thread per dx element: the window of dy at (top, left).
extern "C" __global__ void pad2d_backward(const float* __restrict__ dy, float* dx, int nc, int h, int w, int h2,
                                          int w2, int top, int left) {
    FOR_EACH(e, (long long)nc * h * w) {
        long long plane = e / ((long long)h * w);
        int rc = (int)(e % ((long long)h * w)), r = rc / w + top, col = rc % w + left;
        dx[e] = dy[(plane * h2 + r) * w2 + col];
    }
}
