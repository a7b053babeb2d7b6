// Convolutions of the cuDNN stand-in: forward, backward data and backward filter, FLOAT NCHW,
// cross-correlation, dilation 1, any padding and stride, groups >= 1.
//
// Each pass offers several algorithm ids that really sum in different orders, so a caller that
// depends on one algorithm's rounding shows up, and an algorithm that needs workspace computes
// through all of it, so a short workspace is caught. Math: "FP32" ids always compute in FP32;
// "both" ids run on (emulated) TF32 tensor cores whenever the descriptor's math type allows it
// (DEFAULT, TENSOR_OP, TENSOR_OP_ALLOW_CONVERSION), as on an Ampere GPU, and in FP32 under
// CUDNN_FMA_MATH; "TF32" ids exist only on tensor cores and are refused under CUDNN_FMA_MATH.
//   forward          0 IMPLICIT_GEMM          FP32  direct loops, float, (c, r, s) ascending     no workspace
//                    1 IMPLICIT_PRECOMP_GEMM  both  offset table in the workspace, float, (r, s) outer, c inner
//                    2 GEMM                   FP32  im2col in the workspace, float, pairwise sum
//                    3 DIRECT                 FP32  direct loops, double, c descending           no workspace
//                    7 WINOGRAD_NONFUSED      TF32  im2col in the workspace, float, sequential sum
//   backward data    0 ALGO_0                 FP32  gather loops, float, (k, r, s) ascending     no workspace
//                    1 ALGO_1                 both  W^T dy columns (k ascending) in the workspace, col2im
//                    2 FFT                    FP32  gather loops, double, k descending           no workspace
//                    5 WINOGRAD_NONFUSED      TF32  as ALGO_1 with k descending
//   backward filter  0 ALGO_0                 FP32  loops over (n, oh, ow) ascending, float      no workspace
//                    1 ALGO_1                 both  im2col in the workspace, pairwise per image
//                    3 ALGO_3                 FP32  loops, double, n descending                  no workspace
//                    5 WINOGRAD_NONFUSED      TF32  im2col in the workspace, sequential per image
// TF32 is emulated by rounding both operands to 10 mantissa bits (to nearest, ties to even) and
// multiplying and summing in float. Other ids are not implemented: CUDNN_STATUS_NOT_SUPPORTED.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "cudnn_types.h"
#include "memory.h"

using namespace cudnn;

namespace {

enum class Pass { FORWARD, BACKWARD_DATA, BACKWARD_FILTER };

// The summation order (see the table above); GEMM and GEMM_ALT differ per pass.
enum class Kind { DIRECT_FLOAT, DIRECT_DOUBLE, PRECOMP, GEMM, GEMM_ALT };

enum class Math { FP32, BOTH, TF32 };

struct Algo {
    int id;
    Kind kind;
    Math math;
    int determinism;
};

constexpr int FWD_COUNT = 8, BWD_DATA_COUNT = 6, BWD_FILTER_COUNT = 7;

const std::vector<Algo>& algorithms(Pass pass) {
    static const std::vector<Algo> forward = {
        {0, Kind::DIRECT_FLOAT, Math::FP32, CUDNN_DETERMINISTIC},
        {1, Kind::PRECOMP, Math::BOTH, CUDNN_DETERMINISTIC},
        {2, Kind::GEMM, Math::FP32, CUDNN_DETERMINISTIC},
        {3, Kind::DIRECT_DOUBLE, Math::FP32, CUDNN_DETERMINISTIC},
        {7, Kind::GEMM_ALT, Math::TF32, CUDNN_DETERMINISTIC},
    };
    static const std::vector<Algo> backward_data = {
        {0, Kind::DIRECT_FLOAT, Math::FP32, CUDNN_NON_DETERMINISTIC},
        {1, Kind::GEMM, Math::BOTH, CUDNN_DETERMINISTIC},
        {2, Kind::DIRECT_DOUBLE, Math::FP32, CUDNN_DETERMINISTIC},
        {5, Kind::GEMM_ALT, Math::TF32, CUDNN_DETERMINISTIC},
    };
    static const std::vector<Algo> backward_filter = {
        {0, Kind::DIRECT_FLOAT, Math::FP32, CUDNN_NON_DETERMINISTIC},
        {1, Kind::GEMM, Math::BOTH, CUDNN_DETERMINISTIC},
        {3, Kind::DIRECT_DOUBLE, Math::FP32, CUDNN_NON_DETERMINISTIC},
        {5, Kind::GEMM_ALT, Math::TF32, CUDNN_DETERMINISTIC},
    };
    return pass == Pass::FORWARD ? forward : pass == Pass::BACKWARD_DATA ? backward_data : backward_filter;
}

int algorithm_count(Pass pass) {
    return pass == Pass::FORWARD ? FWD_COUNT : pass == Pass::BACKWARD_DATA ? BWD_DATA_COUNT : BWD_FILTER_COUNT;
}

const Algo* find_algorithm(Pass pass, int id) {
    for (const Algo& a : algorithms(pass)) {
        if (a.id == id) return &a;
    }
    return nullptr;
}

const char* pass_name(Pass pass) {
    return pass == Pass::FORWARD ? "forward" : pass == Pass::BACKWARD_DATA ? "backward data" : "backward filter";
}

// Whether the descriptor's math type lets the algorithm run, whether it then runs on TF32
// tensor cores, and the math type Find reports for it.
bool math_allows(const Algo& a, int descriptor_math) {
    return a.math != Math::TF32 || descriptor_math != CUDNN_FMA_MATH;
}

bool runs_tf32(const Algo& a, int descriptor_math) {
    return a.math == Math::TF32 || (a.math == Math::BOTH && descriptor_math != CUDNN_FMA_MATH);
}

int math_reported(const Algo& a, int descriptor_math) {
    if (runs_tf32(a, descriptor_math)) return CUDNN_TENSOR_OP_MATH;
    return descriptor_math == CUDNN_FMA_MATH ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH;
}

const char* math_name(int m) {
    switch (m) {
        case CUDNN_DEFAULT_MATH: return "CUDNN_DEFAULT_MATH";
        case CUDNN_TENSOR_OP_MATH: return "CUDNN_TENSOR_OP_MATH";
        case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION: return "CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION";
        case CUDNN_FMA_MATH: return "CUDNN_FMA_MATH";
        default: return "unknown math type";
    }
}

// ---- geometry ---------------------------------------------------------------------------------------

struct Geometry {
    int n, c, h, w;    // x
    int k, cg, kh, kw; // filter: cg = c / groups input channels per group
    int oh, ow;        // y
    int ph, pw, sh, sw, groups;
    int math_type;

    int kg() const { return k / groups; }
    size_t x_count() const { return static_cast<size_t>(n) * c * h * w; }
    size_t w_count() const { return static_cast<size_t>(k) * cg * kh * kw; }
    size_t y_count() const { return static_cast<size_t>(n) * k * oh * ow; }
    size_t pixels() const { return static_cast<size_t>(oh) * ow; }
    size_t taps() const { return static_cast<size_t>(cg) * kh * kw; } // one filter's length
    std::string describe() const {
        return "x " + dims(n, c, h, w) + ", w " + dims(k, cg, kh, kw) + ", y " + dims(n, k, oh, ow) + ", pad "
            + std::to_string(ph) + "x" + std::to_string(pw) + ", stride " + std::to_string(sh) + "x"
            + std::to_string(sw) + ", groups " + std::to_string(groups);
    }
};

// The problem of x, w and conv (the output's dims are derived); y, when given, must match them.
Geometry geometry(const std::string& call, const void* x_desc, const void* w_desc, const void* conv_desc,
                  const void* y_desc, const char* y_name) {
    const TensorDesc& x = require_tensor(x_desc, call, "xDesc");
    const FilterDesc& f = require_filter(w_desc, call, "wDesc");
    const ConvDesc& cv = require_conv(conv_desc, call);
    require_float_nchw(x.data_type, x.format, call, "xDesc");
    require_float_nchw(f.data_type, f.format, call, "wDesc");
    if (cv.compute_type != CUDNN_DATA_FLOAT) {
        throw Refusal{CUDNN_STATUS_NOT_SUPPORTED, call + ": the convolution's compute type is not CUDNN_DATA_FLOAT"};
    }
    if (cv.mode != CUDNN_CROSS_CORRELATION) {
        throw Refusal{CUDNN_STATUS_NOT_SUPPORTED,
                      call + ": CUDNN_CONVOLUTION mode (flipped filter) is not emulated; use CUDNN_CROSS_CORRELATION"};
    }
    if (cv.dilation_h != 1 || cv.dilation_w != 1) {
        throw Refusal{CUDNN_STATUS_NOT_SUPPORTED, call + ": dilation other than 1 is not emulated"};
    }
    Geometry g{};
    g.n = x.n;
    g.c = x.c;
    g.h = x.h;
    g.w = x.w;
    g.k = f.k;
    g.cg = f.c;
    g.kh = f.h;
    g.kw = f.w;
    g.ph = cv.pad_h;
    g.pw = cv.pad_w;
    g.sh = cv.stride_h;
    g.sw = cv.stride_w;
    g.groups = cv.groups;
    g.math_type = cv.math_type;
    std::string shapes = "x " + dims(x.n, x.c, x.h, x.w) + ", w " + dims(f.k, f.c, f.h, f.w) + ", groups "
        + std::to_string(cv.groups);
    if (x.c % cv.groups != 0 || f.k % cv.groups != 0) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM,
                      call + ": " + shapes + ": input and output channels must divide by the group count"};
    }
    if (f.c * cv.groups != x.c) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM,
                      call + ": " + shapes + ": the filter's input channels times groups must equal x's channels"};
    }
    long long oh = (static_cast<long long>(x.h) + 2LL * cv.pad_h - f.h) / cv.stride_h + 1;
    long long ow = (static_cast<long long>(x.w) + 2LL * cv.pad_w - f.w) / cv.stride_w + 1;
    if (x.h + 2LL * cv.pad_h < f.h || x.w + 2LL * cv.pad_w < f.w || oh <= 0 || ow <= 0) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": " + shapes + ": the filter is larger than the padded input"};
    }
    g.oh = static_cast<int>(oh);
    g.ow = static_cast<int>(ow);
    if (y_desc != nullptr) {
        const TensorDesc& y = require_tensor(y_desc, call, y_name);
        require_float_nchw(y.data_type, y.format, call, y_name);
        if (y.n != g.n || y.c != g.k || y.h != g.oh || y.w != g.ow) {
            throw Refusal{CUDNN_STATUS_BAD_PARAM,
                          call + ": " + y_name + " is " + dims(y.n, y.c, y.h, y.w) + " but the convolution of "
                              + shapes + " gives " + dims(g.n, g.k, g.oh, g.ow)};
        }
    }
    return g;
}

size_t workspace_bytes(const Algo& a, const Geometry& g) {
    switch (a.kind) {
        case Kind::DIRECT_FLOAT:
        case Kind::DIRECT_DOUBLE: return 0;
        case Kind::PRECOMP: return g.pixels() * g.kh * g.kw * sizeof(int32_t);
        case Kind::GEMM:
        case Kind::GEMM_ALT: return g.taps() * g.pixels() * sizeof(float);
    }
    return 0;
}

// ---- arithmetic -------------------------------------------------------------------------------------

// TF32: the float rounded to nearest (ties to even) at 10 mantissa bits, as tensor cores read it.
float tf32(float v) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    if ((u & 0x7f800000u) != 0x7f800000u) {
        u += 0xfffu + ((u >> 13) & 1u);
        u &= ~0x1fffu;
    }
    std::memcpy(&v, &u, 4);
    return v;
}

// Sums a[0..n) pairwise (neighbours first), overwriting a.
float pairwise_sum(float* a, size_t n) {
    if (n == 0) return 0.0f;
    while (n > 1) {
        size_t half = n / 2;
        for (size_t i = 0; i < half; i++) {
            a[i] = a[2 * i] + a[2 * i + 1];
        }
        if (n % 2 == 1) {
            a[half] = a[n - 1];
            n = half + 1;
        } else {
            n = half;
        }
    }
    return a[0];
}

// col[j * pixels + p] = x[n, group g, (j's c), oh * sh - ph + r, ow * sw - pw + s], 0 in the padding;
// j = (c * kh + r) * kw + s, p = oh * ow_count + ow.
void im2col(const Geometry& g, const float* x, int n, int group, float* col, bool round_tf32) {
    size_t pixels = g.pixels();
    for (int c = 0; c < g.cg; c++) {
        const float* xc = x + (static_cast<size_t>(n) * g.c + static_cast<size_t>(group) * g.cg + c) * g.h * g.w;
        for (int r = 0; r < g.kh; r++) {
            for (int s = 0; s < g.kw; s++) {
                float* row = col + ((static_cast<size_t>(c) * g.kh + r) * g.kw + s) * pixels;
                for (int oh = 0; oh < g.oh; oh++) {
                    int ih = oh * g.sh - g.ph + r;
                    for (int ow = 0; ow < g.ow; ow++) {
                        int iw = ow * g.sw - g.pw + s;
                        float v = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w ? xc[ih * g.w + iw] : 0.0f;
                        row[oh * g.ow + ow] = round_tf32 ? tf32(v) : v;
                    }
                }
            }
        }
    }
}

// round: TF32 inputs (only the algorithms that run on tensor cores get it).
void forward(const Geometry& g, Kind kind, bool round, const float* x, const float* w, float* y, void* ws,
             float alpha, float beta) {
    const int kg = g.kg();
    const size_t taps = g.taps(), pixels = g.pixels();
    auto x_at = [&](int n, int group, int c) {
        return x + (static_cast<size_t>(n) * g.c + static_cast<size_t>(group) * g.cg + c) * g.h * g.w;
    };
    auto y_at = [&](int n, int k) { return y + (static_cast<size_t>(n) * g.k + k) * pixels; };
    switch (kind) {
        case Kind::DIRECT_FLOAT:
        case Kind::DIRECT_DOUBLE:
            for (int n = 0; n < g.n; n++) {
                for (int k = 0; k < g.k; k++) {
                    int group = k / kg;
                    float* yk = y_at(n, k);
                    for (int oh = 0; oh < g.oh; oh++) {
                        for (int ow = 0; ow < g.ow; ow++) {
                            float accf = 0.0f;
                            double accd = 0.0;
                            for (int ci = 0; ci < g.cg; ci++) {
                                int c = kind == Kind::DIRECT_DOUBLE ? g.cg - 1 - ci : ci;
                                const float* xc = x_at(n, group, c);
                                const float* wc = w + (static_cast<size_t>(k) * g.cg + c) * g.kh * g.kw;
                                for (int r = 0; r < g.kh; r++) {
                                    int ih = oh * g.sh - g.ph + r;
                                    if (ih < 0 || ih >= g.h) continue;
                                    for (int s = 0; s < g.kw; s++) {
                                        int iw = ow * g.sw - g.pw + s;
                                        if (iw < 0 || iw >= g.w) continue;
                                        if (kind == Kind::DIRECT_DOUBLE) {
                                            accd += static_cast<double>(xc[ih * g.w + iw]) * wc[r * g.kw + s];
                                        } else {
                                            accf += xc[ih * g.w + iw] * wc[r * g.kw + s];
                                        }
                                    }
                                }
                            }
                            blend(&yk[oh * g.ow + ow], kind == Kind::DIRECT_DOUBLE ? accd : accf, alpha, beta);
                        }
                    }
                }
            }
            return;
        case Kind::PRECOMP: {
            // The offset of each (pixel, tap) in one input plane, -1 in the padding.
            int32_t* table = static_cast<int32_t*>(ws);
            const int kk = g.kh * g.kw;
            for (int oh = 0; oh < g.oh; oh++) {
                for (int ow = 0; ow < g.ow; ow++) {
                    for (int r = 0; r < g.kh; r++) {
                        for (int s = 0; s < g.kw; s++) {
                            int ih = oh * g.sh - g.ph + r, iw = ow * g.sw - g.pw + s;
                            table[(static_cast<size_t>(oh) * g.ow + ow) * kk + r * g.kw + s] =
                                ih >= 0 && ih < g.h && iw >= 0 && iw < g.w ? ih * g.w + iw : -1;
                        }
                    }
                }
            }
            for (int n = 0; n < g.n; n++) {
                for (int k = 0; k < g.k; k++) {
                    int group = k / kg;
                    const float* xg = x_at(n, group, 0);
                    const float* wk = w + static_cast<size_t>(k) * taps;
                    float* yk = y_at(n, k);
                    for (size_t p = 0; p < pixels; p++) {
                        float acc = 0.0f;
                        for (int t = 0; t < kk; t++) {
                            int32_t off = table[p * kk + t];
                            if (off < 0) continue;
                            for (int c = 0; c < g.cg; c++) {
                                float xv = xg[static_cast<size_t>(c) * g.h * g.w + off];
                                float wv = wk[static_cast<size_t>(c) * kk + t];
                                acc += round ? tf32(xv) * tf32(wv) : xv * wv;
                            }
                        }
                        blend(&yk[p], acc, alpha, beta);
                    }
                }
            }
            return;
        }
        case Kind::GEMM:
        case Kind::GEMM_ALT: {
            // im2col in the workspace; GEMM sums each dot product pairwise, GEMM_ALT in order.
            const bool pairwise = kind == Kind::GEMM;
            float* col = static_cast<float*>(ws);
            std::vector<float> products(taps), wrow(taps);
            for (int n = 0; n < g.n; n++) {
                for (int group = 0; group < g.groups; group++) {
                    im2col(g, x, n, group, col, round);
                    for (int kk = 0; kk < kg; kk++) {
                        int k = group * kg + kk;
                        const float* wk = w + static_cast<size_t>(k) * taps;
                        for (size_t j = 0; j < taps; j++) wrow[j] = round ? tf32(wk[j]) : wk[j];
                        float* yk = y_at(n, k);
                        for (size_t p = 0; p < pixels; p++) {
                            float acc;
                            if (pairwise) {
                                for (size_t j = 0; j < taps; j++) products[j] = wrow[j] * col[j * pixels + p];
                                acc = pairwise_sum(products.data(), taps);
                            } else {
                                acc = 0.0f;
                                for (size_t j = 0; j < taps; j++) acc += wrow[j] * col[j * pixels + p];
                            }
                            blend(&yk[p], acc, alpha, beta);
                        }
                    }
                }
            }
            return;
        }
    }
}

void backward_data(const Geometry& g, Kind kind, bool round, const float* w, const float* dy, float* dx, void* ws,
                   float alpha, float beta) {
    const int kg = g.kg();
    const size_t taps = g.taps(), pixels = g.pixels(), plane = static_cast<size_t>(g.h) * g.w;
    auto dy_at = [&](int n, int k) { return dy + (static_cast<size_t>(n) * g.k + k) * pixels; };
    auto dx_at = [&](int n, int c) { return dx + (static_cast<size_t>(n) * g.c + c) * plane; };
    switch (kind) {
        case Kind::DIRECT_FLOAT:
        case Kind::DIRECT_DOUBLE:
            for (int n = 0; n < g.n; n++) {
                for (int cin = 0; cin < g.c; cin++) {
                    int group = cin / g.cg, c = cin % g.cg;
                    float* dxc = dx_at(n, cin);
                    for (int ih = 0; ih < g.h; ih++) {
                        for (int iw = 0; iw < g.w; iw++) {
                            float accf = 0.0f;
                            double accd = 0.0;
                            for (int ki = 0; ki < kg; ki++) {
                                int k = group * kg + (kind == Kind::DIRECT_DOUBLE ? kg - 1 - ki : ki);
                                const float* dyk = dy_at(n, k);
                                const float* wc = w + (static_cast<size_t>(k) * g.cg + c) * g.kh * g.kw;
                                for (int r = 0; r < g.kh; r++) {
                                    int t = ih + g.ph - r;
                                    if (t < 0 || t % g.sh != 0 || t / g.sh >= g.oh) continue;
                                    int oh = t / g.sh;
                                    for (int s = 0; s < g.kw; s++) {
                                        int u = iw + g.pw - s;
                                        if (u < 0 || u % g.sw != 0 || u / g.sw >= g.ow) continue;
                                        int ow = u / g.sw;
                                        if (kind == Kind::DIRECT_DOUBLE) {
                                            accd += static_cast<double>(dyk[oh * g.ow + ow]) * wc[r * g.kw + s];
                                        } else {
                                            accf += dyk[oh * g.ow + ow] * wc[r * g.kw + s];
                                        }
                                    }
                                }
                            }
                            blend(&dxc[ih * g.w + iw], kind == Kind::DIRECT_DOUBLE ? accd : accf, alpha, beta);
                        }
                    }
                }
            }
            return;
        case Kind::GEMM:
        case Kind::GEMM_ALT: {
            // Columns W_g^T dy in the workspace (GEMM sums k ascending, GEMM_ALT descending), then
            // scattered back onto the image.
            const bool descending = kind == Kind::GEMM_ALT;
            float* col = static_cast<float*>(ws);
            std::vector<float> image(static_cast<size_t>(g.cg) * plane);
            std::vector<float> dyr(round ? static_cast<size_t>(kg) * pixels : 0);
            for (int n = 0; n < g.n; n++) {
                for (int group = 0; group < g.groups; group++) {
                    const float* dyg = dy_at(n, group * kg);
                    if (round) {
                        for (size_t i = 0; i < dyr.size(); i++) dyr[i] = tf32(dyg[i]);
                        dyg = dyr.data();
                    }
                    for (size_t j = 0; j < taps; j++) {
                        float* row = col + j * pixels;
                        for (size_t p = 0; p < pixels; p++) row[p] = 0.0f;
                        for (int ki = 0; ki < kg; ki++) {
                            int kk = descending ? kg - 1 - ki : ki;
                            float wv = w[static_cast<size_t>(group * kg + kk) * taps + j];
                            if (round) wv = tf32(wv);
                            const float* dyk = dyg + static_cast<size_t>(kk) * pixels;
                            for (size_t p = 0; p < pixels; p++) row[p] += wv * dyk[p];
                        }
                    }
                    std::fill(image.begin(), image.end(), 0.0f);
                    for (int c = 0; c < g.cg; c++) {
                        for (int r = 0; r < g.kh; r++) {
                            for (int s = 0; s < g.kw; s++) {
                                const float* row = col + ((static_cast<size_t>(c) * g.kh + r) * g.kw + s) * pixels;
                                for (int oh = 0; oh < g.oh; oh++) {
                                    int ih = oh * g.sh - g.ph + r;
                                    if (ih < 0 || ih >= g.h) continue;
                                    for (int ow = 0; ow < g.ow; ow++) {
                                        int iw = ow * g.sw - g.pw + s;
                                        if (iw < 0 || iw >= g.w) continue;
                                        image[c * plane + ih * g.w + iw] += row[oh * g.ow + ow];
                                    }
                                }
                            }
                        }
                    }
                    for (int c = 0; c < g.cg; c++) {
                        float* dxc = dx_at(n, group * g.cg + c);
                        for (size_t i = 0; i < plane; i++) blend(&dxc[i], image[c * plane + i], alpha, beta);
                    }
                }
            }
            return;
        }
        case Kind::PRECOMP: break;
    }
    throw standin::Fault{standin::LAUNCH_FAILED, "cudnn stand-in: no backward data kernel of this kind"};
}

void backward_filter(const Geometry& g, Kind kind, bool round, const float* x, const float* dy, float* dw, void* ws,
                     float alpha, float beta) {
    const int kg = g.kg();
    const size_t taps = g.taps(), pixels = g.pixels(), plane = static_cast<size_t>(g.h) * g.w;
    auto dy_at = [&](int n, int k) { return dy + (static_cast<size_t>(n) * g.k + k) * pixels; };
    switch (kind) {
        case Kind::DIRECT_FLOAT:
        case Kind::DIRECT_DOUBLE:
            for (int k = 0; k < g.k; k++) {
                int group = k / kg;
                for (int c = 0; c < g.cg; c++) {
                    for (int r = 0; r < g.kh; r++) {
                        for (int s = 0; s < g.kw; s++) {
                            float accf = 0.0f;
                            double accd = 0.0;
                            for (int ni = 0; ni < g.n; ni++) {
                                int n = kind == Kind::DIRECT_DOUBLE ? g.n - 1 - ni : ni;
                                const float* dyk = dy_at(n, k);
                                const float* xc =
                                    x + (static_cast<size_t>(n) * g.c + static_cast<size_t>(group) * g.cg + c) * plane;
                                for (int oh = 0; oh < g.oh; oh++) {
                                    int ih = oh * g.sh - g.ph + r;
                                    if (ih < 0 || ih >= g.h) continue;
                                    for (int ow = 0; ow < g.ow; ow++) {
                                        int iw = ow * g.sw - g.pw + s;
                                        if (iw < 0 || iw >= g.w) continue;
                                        if (kind == Kind::DIRECT_DOUBLE) {
                                            accd += static_cast<double>(dyk[oh * g.ow + ow]) * xc[ih * g.w + iw];
                                        } else {
                                            accf += dyk[oh * g.ow + ow] * xc[ih * g.w + iw];
                                        }
                                    }
                                }
                            }
                            size_t at = ((static_cast<size_t>(k) * g.cg + c) * g.kh + r) * g.kw + s;
                            blend(&dw[at], kind == Kind::DIRECT_DOUBLE ? accd : accf, alpha, beta);
                        }
                    }
                }
            }
            return;
        case Kind::GEMM:
        case Kind::GEMM_ALT: {
            // Per image: im2col of x in the workspace, dy times its transpose (GEMM sums each
            // image's dot products pairwise, GEMM_ALT in order); images added in order.
            const bool pairwise = kind == Kind::GEMM;
            float* col = static_cast<float*>(ws);
            std::vector<float> sum(g.w_count(), 0.0f), products(pixels), dyr(pixels);
            for (int n = 0; n < g.n; n++) {
                for (int group = 0; group < g.groups; group++) {
                    im2col(g, x, n, group, col, round);
                    for (int kk = 0; kk < kg; kk++) {
                        int k = group * kg + kk;
                        const float* dyk = dy_at(n, k);
                        for (size_t p = 0; p < pixels; p++) dyr[p] = round ? tf32(dyk[p]) : dyk[p];
                        for (size_t j = 0; j < taps; j++) {
                            const float* row = col + j * pixels;
                            float acc;
                            if (pairwise) {
                                for (size_t p = 0; p < pixels; p++) products[p] = dyr[p] * row[p];
                                acc = pairwise_sum(products.data(), pixels);
                            } else {
                                acc = 0.0f;
                                for (size_t p = 0; p < pixels; p++) acc += dyr[p] * row[p];
                            }
                            sum[static_cast<size_t>(k) * taps + j] += acc;
                        }
                    }
                }
            }
            for (size_t i = 0; i < sum.size(); i++) blend(&dw[i], sum[i], alpha, beta);
            return;
        }
        case Kind::PRECOMP: break;
    }
    throw standin::Fault{standin::LAUNCH_FAILED, "cudnn stand-in: no backward filter kernel of this kind"};
}

// ---- the three passes' operands ------------------------------------------------------------------------

// in1, in2 and out of a pass: forward x, w -> y; backward data w, dy -> dx; backward filter x, dy -> dw.
struct Operands {
    const void* in1;
    const void* in2;
    void* out;
    size_t in1_bytes, in2_bytes, out_bytes;
    const char* in1_name;
    const char* in2_name;
    const char* out_name;
};

Operands operands(Pass pass, const Geometry& g, const void* in1, const void* in2, void* out) {
    size_t xb = g.x_count() * 4, wb = g.w_count() * 4, yb = g.y_count() * 4;
    switch (pass) {
        case Pass::FORWARD: return {in1, in2, out, xb, wb, yb, "x", "w", "y"};
        case Pass::BACKWARD_DATA: return {in1, in2, out, wb, yb, xb, "w", "dy", "dx"};
        case Pass::BACKWARD_FILTER: return {in1, in2, out, xb, yb, wb, "x", "dy", "dw"};
    }
    return {};
}

bool overlap(const void* a, size_t a_bytes, const void* b, size_t b_bytes) {
    auto pa = reinterpret_cast<uintptr_t>(a), pb = reinterpret_cast<uintptr_t>(b);
    return a_bytes > 0 && b_bytes > 0 && pa < pb + b_bytes && pb < pa + a_bytes;
}

// The checks at the call: every operand in device memory, the output apart from the inputs and
// the workspace (cuDNN's convolutions are not in place).
void require_operands(const std::string& call, const Operands& o, const void* ws, size_t ws_bytes) {
    require_device(o.in1, o.in1_bytes, call + " " + o.in1_name);
    require_device(o.in2, o.in2_bytes, call + " " + o.in2_name);
    require_device(o.out, o.out_bytes, call + " " + o.out_name);
    if (ws != nullptr && ws_bytes > 0) require_device(ws, ws_bytes, call + " workSpace");
    if (overlap(o.out, o.out_bytes, o.in1, o.in1_bytes) || overlap(o.out, o.out_bytes, o.in2, o.in2_bytes)
        || (ws != nullptr && overlap(o.out, o.out_bytes, ws, ws_bytes))) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM,
                      call + ": " + o.out_name + " overlaps an input or the workspace (not an in-place operation)"};
    }
}

// The same checks inside the queued task, where a failure becomes the context's sticky error
// (reported after the task's name, so the operand's name suffices).
void check_operands_in_task(const Operands& o, const void* ws, size_t ws_need) {
    standin::check_device(o.in1, o.in1_bytes, o.in1_name);
    standin::check_device(o.in2, o.in2_bytes, o.in2_name);
    standin::check_device(o.out, o.out_bytes, o.out_name);
    if (ws_need > 0) standin::check_device(ws, ws_need, "workSpace");
}

void run(Pass pass, const Algo& a, bool round, const Geometry& g, const Operands& o, void* ws, float alpha,
         float beta) {
    auto in1 = static_cast<const float*>(o.in1);
    auto in2 = static_cast<const float*>(o.in2);
    auto out = static_cast<float*>(o.out);
    switch (pass) {
        case Pass::FORWARD: forward(g, a.kind, round, in1, in2, out, ws, alpha, beta); break;
        case Pass::BACKWARD_DATA: backward_data(g, a.kind, round, in1, in2, out, ws, alpha, beta); break;
        case Pass::BACKWARD_FILTER: backward_filter(g, a.kind, round, in1, in2, out, ws, alpha, beta); break;
    }
}

std::string algo_text(Pass pass, int id) {
    return std::string(pass_name(pass)) + " algorithm " + std::to_string(id);
}

// The algorithm of an execution call: implemented, allowed by the math type, workspace enough.
const Algo& require_algorithm(const std::string& call, Pass pass, const Geometry& g, int id, const void* ws,
                              size_t ws_bytes) {
    if (id < 0 || id >= algorithm_count(pass)) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": " + algo_text(pass, id) + " does not exist"};
    }
    const Algo* a = find_algorithm(pass, id);
    if (a == nullptr) {
        throw Refusal{CUDNN_STATUS_NOT_SUPPORTED, call + ": " + algo_text(pass, id) + " is not implemented"};
    }
    if (!math_allows(*a, g.math_type)) {
        throw Refusal{CUDNN_STATUS_NOT_SUPPORTED,
                      call + ": " + algo_text(pass, id) + " exists only on tensor cores (CUDNN_TENSOR_OP_MATH), but "
                          "the convolution descriptor says " + math_name(g.math_type)
                          + "; set the mathType that Find reported on the descriptor"};
    }
    size_t need = workspace_bytes(*a, g);
    if (ws_bytes < need) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM,
                      call + ": " + algo_text(pass, id) + " needs " + std::to_string(need)
                          + " bytes of workspace, got " + std::to_string(ws_bytes)};
    }
    if (need > 0 && ws == nullptr) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM_NULL_POINTER,
                      call + ": " + algo_text(pass, id) + " needs workspace, but workSpace is null"};
    }
    return *a;
}

// STANDIN_CUDNN_TRACE=1 reports every convolution call with the algorithm it runs.
bool trace() {
    static const bool on = [] {
        const char* v = std::getenv("STANDIN_CUDNN_TRACE");
        return v != nullptr && *v != '\0' && *v != '0';
    }();
    return on;
}

float host_scalar(const void* p, const std::string& call, const char* name) {
    if (p == nullptr) throw Refusal{CUDNN_STATUS_BAD_PARAM_NULL_POINTER, call + ": " + name + " is null"};
    return *static_cast<const float*>(p); // FLOAT convolutions take float scaling factors
}

Status execute(Pass pass, const char* fn, Handle* handle, const void* alpha, const void* desc1, const void* in1,
               const void* desc2, const void* in2, const void* conv, int id, void* ws, size_t ws_bytes,
               const void* beta, const void* out_desc, void* out) {
    return guarded([&]() -> Status {
        require_handle(handle, fn);
        // The descriptors in the pass's argument order, back to (x, w, y).
        const void *x_desc, *w_desc, *y_desc;
        const char* y_name = "yDesc";
        if (pass == Pass::FORWARD) {
            x_desc = desc1, w_desc = desc2, y_desc = out_desc;
        } else if (pass == Pass::BACKWARD_DATA) {
            w_desc = desc1, y_desc = desc2, x_desc = out_desc, y_name = "dyDesc";
        } else {
            x_desc = desc1, y_desc = desc2, w_desc = out_desc, y_name = "dyDesc";
        }
        std::string call = std::string(fn) + "(algo " + std::to_string(id) + ")";
        Geometry g = geometry(call, x_desc, w_desc, conv, y_desc, y_name);
        call += " on " + g.describe();
        const Algo& a = require_algorithm(call, pass, g, id, ws, ws_bytes);
        float al = host_scalar(alpha, call, "alpha"), be = host_scalar(beta, call, "beta");
        Operands o = operands(pass, g, in1, in2, out);
        require_operands(call, o, ws, ws_bytes);
        size_t need = workspace_bytes(a, g);
        bool round = runs_tf32(a, g.math_type);
        if (trace()) standin::report(call + " (" + math_name(math_reported(a, g.math_type)) + ")");
        int r = standin::enqueue(handle->stream, call, [=] {
            check_operands_in_task(o, ws, need);
            run(pass, a, round, g, o, ws, al, be);
            standin::check_guards_of(o.out, o.out_name);
            if (need > 0) standin::check_guards_of(ws, "workSpace");
        });
        return r == standin::SUCCESS ? CUDNN_STATUS_SUCCESS : enqueue_failure(r, call);
    });
}

Status workspace_size(Pass pass, const char* fn, Handle* handle, const void* x_desc, const void* w_desc,
                      const void* conv, const void* y_desc, const char* y_name, int id, size_t* size) {
    return guarded([&]() -> Status {
        require_handle(handle, fn);
        std::string call = std::string(fn) + "(algo " + std::to_string(id) + ")";
        if (size == nullptr) throw Refusal{CUDNN_STATUS_BAD_PARAM_NULL_POINTER, call + ": sizeInBytes is null"};
        Geometry g = geometry(call, x_desc, w_desc, conv, y_desc, y_name);
        if (id < 0 || id >= algorithm_count(pass)) {
            throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": " + algo_text(pass, id) + " does not exist"};
        }
        const Algo* a = find_algorithm(pass, id);
        // Not implemented, or tensor-op under FMA math: the caller's normal "not applicable" answer,
        // so no report line.
        if (a == nullptr || !math_allows(*a, g.math_type)) return CUDNN_STATUS_NOT_SUPPORTED;
        *size = workspace_bytes(*a, g);
        return CUDNN_STATUS_SUCCESS;
    });
}

// ---- Find*Ex ----------------------------------------------------------------------------------------------

uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    return h;
}

// The time Find reports: a cost model times a jitter in [0.5, 2) keyed on the problem, the
// algorithm and STANDIN_SEED (when set), so the fastest algorithm differs between problems but
// is the same on every run of one problem (measured times would make the choice flaky).
float modelled_ms(Pass pass, const Geometry& g, int id) {
    static const uint64_t seed = [] {
        const char* v = std::getenv("STANDIN_SEED");
        return v != nullptr ? std::strtoull(v, nullptr, 10) : 0ULL;
    }();
    uint64_t h = mix(0x636f6e76ULL, seed);
    for (long long v : {static_cast<long long>(pass), 0LL + g.n, 0LL + g.c, 0LL + g.h, 0LL + g.w, 0LL + g.k,
                        0LL + g.kh, 0LL + g.kw, 0LL + g.ph, 0LL + g.pw, 0LL + g.sh, 0LL + g.sw, 0LL + g.groups,
                        0LL + id}) {
        h = mix(h, static_cast<uint64_t>(v));
    }
    double jitter = 0.5 + 1.5 * static_cast<double>(h >> 11) * 0x1.0p-53;
    double flops = 2.0 * g.y_count() * g.taps();
    return static_cast<float>(flops / 1e9 * jitter + 1e-3); // at about a TFLOP/s
}

Status find(Pass pass, const char* fn, Handle* handle, const void* desc1, const void* in1, const void* desc2,
            const void* in2, const void* conv, const void* out_desc, void* out, int requested, int* returned,
            AlgoPerf* results, void* ws, size_t ws_bytes) {
    return guarded([&]() -> Status {
        require_handle(handle, fn);
        const void *x_desc, *w_desc, *y_desc;
        const char* y_name = "yDesc";
        if (pass == Pass::FORWARD) {
            x_desc = desc1, w_desc = desc2, y_desc = out_desc;
        } else if (pass == Pass::BACKWARD_DATA) {
            w_desc = desc1, y_desc = desc2, x_desc = out_desc, y_name = "dyDesc";
        } else {
            x_desc = desc1, y_desc = desc2, w_desc = out_desc, y_name = "dyDesc";
        }
        std::string call = fn;
        Geometry g = geometry(call, x_desc, w_desc, conv, y_desc, y_name);
        call += " on " + g.describe();
        if (requested < 1) throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": requestedAlgoCount < 1"};
        if (returned == nullptr || results == nullptr) {
            throw Refusal{CUDNN_STATUS_BAD_PARAM_NULL_POINTER, call + ": returnedAlgoCount or perfResults is null"};
        }
        Operands o = operands(pass, g, in1, in2, out);
        if (ws == nullptr && ws_bytes > 0) {
            throw Refusal{CUDNN_STATUS_BAD_PARAM_NULL_POINTER, call + ": workSpace is null but its size is not 0"};
        }
        require_operands(call, o, ws, ws_bytes);

        std::vector<AlgoPerf> ran, failed;
        for (int id = 0; id < algorithm_count(pass); id++) {
            AlgoPerf p{};
            p.algo = id;
            p.time = -1.0f;
            p.determinism = CUDNN_DETERMINISTIC;
            p.math_type = g.math_type == CUDNN_FMA_MATH ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH;
            const Algo* a = find_algorithm(pass, id);
            if (a == nullptr) {
                p.status = CUDNN_STATUS_NOT_SUPPORTED;
                failed.push_back(p);
                continue;
            }
            p.determinism = a->determinism;
            p.math_type = math_reported(*a, g.math_type);
            p.memory = workspace_bytes(*a, g);
            if (!math_allows(*a, g.math_type)) {
                p.status = CUDNN_STATUS_NOT_SUPPORTED;
                p.math_type = g.math_type;
                p.memory = 0;
                failed.push_back(p);
                continue;
            }
            if (p.memory > ws_bytes) {
                p.status = CUDNN_STATUS_ALLOC_FAILED; // needs more workspace than it was given
                failed.push_back(p);
                continue;
            }
            p.status = CUDNN_STATUS_SUCCESS;
            p.time = modelled_ms(pass, g, id);
            size_t need = p.memory;
            bool round = runs_tf32(*a, g.math_type);
            std::string what = call + ": " + algo_text(pass, id);
            int r = standin::enqueue(handle->stream, what, [=] {
                check_operands_in_task(o, ws, need);
                run(pass, *a, round, g, o, ws, 1.0f, 0.0f);
                standin::check_guards_of(o.out, o.out_name);
                if (need > 0) standin::check_guards_of(ws, "workSpace");
            });
            if (r != standin::SUCCESS) return enqueue_failure(r, call);
            ran.push_back(p);
        }
        // cuDNN leaves the output undefined after Find: poison, so a caller that keeps it is caught.
        int r = standin::enqueue(handle->stream, call + " (output left undefined)", [=] {
            standin::check_device(o.out, o.out_bytes, o.out_name);
            uint32_t* words = static_cast<uint32_t*>(o.out);
            for (size_t i = 0; i < o.out_bytes / 4; i++) words[i] = standin::FRESH_POISON;
        });
        if (r != standin::SUCCESS) return enqueue_failure(r, call);
        r = wait_for_stream(handle->stream, call + " (synchronous)");
        if (r != standin::SUCCESS) {
            throw Refusal{CUDNN_STATUS_EXECUTION_FAILED,
                          call + ": the search failed on the stream (CUresult " + std::to_string(r) + ")"};
        }
        std::stable_sort(ran.begin(), ran.end(), [](const AlgoPerf& a, const AlgoPerf& b) { return a.time < b.time; });
        ran.insert(ran.end(), failed.begin(), failed.end());
        int count = std::min(requested, static_cast<int>(ran.size()));
        for (int i = 0; i < count; i++) results[i] = ran[i];
        *returned = count;
        return CUDNN_STATUS_SUCCESS;
    });
}

} // namespace

// ---- the C API --------------------------------------------------------------------------------------------

CUDNN_API Status cudnnGetConvolution2dForwardOutputDim(const void* conv, const void* x_desc, const void* w_desc,
                                                       int* n, int* c, int* h, int* w) {
    return guarded([&]() -> Status {
        std::string call = "cudnnGetConvolution2dForwardOutputDim";
        if (n == nullptr || c == nullptr || h == nullptr || w == nullptr) {
            throw Refusal{CUDNN_STATUS_BAD_PARAM_NULL_POINTER, call + ": a result pointer is null"};
        }
        Geometry g = geometry(call, x_desc, w_desc, conv, nullptr, nullptr);
        *n = g.n;
        *c = g.k;
        *h = g.oh;
        *w = g.ow;
        return CUDNN_STATUS_SUCCESS;
    });
}

CUDNN_API Status cudnnGetConvolutionForwardWorkspaceSize(Handle* handle, const void* x_desc, const void* w_desc,
                                                         const void* conv, const void* y_desc, int algo,
                                                         size_t* size) {
    return workspace_size(Pass::FORWARD, "cudnnGetConvolutionForwardWorkspaceSize", handle, x_desc, w_desc, conv,
                          y_desc, "yDesc", algo, size);
}

CUDNN_API Status cudnnGetConvolutionBackwardDataWorkspaceSize(Handle* handle, const void* w_desc,
                                                              const void* dy_desc, const void* conv,
                                                              const void* dx_desc, int algo, size_t* size) {
    return workspace_size(Pass::BACKWARD_DATA, "cudnnGetConvolutionBackwardDataWorkspaceSize", handle, dx_desc,
                          w_desc, conv, dy_desc, "dyDesc", algo, size);
}

CUDNN_API Status cudnnGetConvolutionBackwardFilterWorkspaceSize(Handle* handle, const void* x_desc,
                                                                const void* dy_desc, const void* conv,
                                                                const void* dw_desc, int algo, size_t* size) {
    return workspace_size(Pass::BACKWARD_FILTER, "cudnnGetConvolutionBackwardFilterWorkspaceSize", handle, x_desc,
                          dw_desc, conv, dy_desc, "dyDesc", algo, size);
}

CUDNN_API Status cudnnFindConvolutionForwardAlgorithmEx(Handle* handle, const void* x_desc, const void* x,
                                                        const void* w_desc, const void* w, const void* conv,
                                                        const void* y_desc, void* y, int requested, int* returned,
                                                        AlgoPerf* results, void* ws, size_t ws_bytes) {
    return find(Pass::FORWARD, "cudnnFindConvolutionForwardAlgorithmEx", handle, x_desc, x, w_desc, w, conv, y_desc,
                y, requested, returned, results, ws, ws_bytes);
}

CUDNN_API Status cudnnFindConvolutionBackwardDataAlgorithmEx(Handle* handle, const void* w_desc, const void* w,
                                                             const void* dy_desc, const void* dy, const void* conv,
                                                             const void* dx_desc, void* dx, int requested,
                                                             int* returned, AlgoPerf* results, void* ws,
                                                             size_t ws_bytes) {
    return find(Pass::BACKWARD_DATA, "cudnnFindConvolutionBackwardDataAlgorithmEx", handle, w_desc, w, dy_desc, dy,
                conv, dx_desc, dx, requested, returned, results, ws, ws_bytes);
}

CUDNN_API Status cudnnFindConvolutionBackwardFilterAlgorithmEx(Handle* handle, const void* x_desc, const void* x,
                                                               const void* dy_desc, const void* dy, const void* conv,
                                                               const void* dw_desc, void* dw, int requested,
                                                               int* returned, AlgoPerf* results, void* ws,
                                                               size_t ws_bytes) {
    return find(Pass::BACKWARD_FILTER, "cudnnFindConvolutionBackwardFilterAlgorithmEx", handle, x_desc, x, dy_desc,
                dy, conv, dw_desc, dw, requested, returned, results, ws, ws_bytes);
}

CUDNN_API Status cudnnConvolutionForward(Handle* handle, const void* alpha, const void* x_desc, const void* x,
                                         const void* w_desc, const void* w, const void* conv, int algo, void* ws,
                                         size_t ws_bytes, const void* beta, const void* y_desc, void* y) {
    return execute(Pass::FORWARD, "cudnnConvolutionForward", handle, alpha, x_desc, x, w_desc, w, conv, algo, ws,
                   ws_bytes, beta, y_desc, y);
}

CUDNN_API Status cudnnConvolutionBackwardData(Handle* handle, const void* alpha, const void* w_desc, const void* w,
                                              const void* dy_desc, const void* dy, const void* conv, int algo,
                                              void* ws, size_t ws_bytes, const void* beta, const void* dx_desc,
                                              void* dx) {
    return execute(Pass::BACKWARD_DATA, "cudnnConvolutionBackwardData", handle, alpha, w_desc, w, dy_desc, dy, conv,
                   algo, ws, ws_bytes, beta, dx_desc, dx);
}

CUDNN_API Status cudnnConvolutionBackwardFilter(Handle* handle, const void* alpha, const void* x_desc, const void* x,
                                                const void* dy_desc, const void* dy, const void* conv, int algo,
                                                void* ws, size_t ws_bytes, const void* beta, const void* dw_desc,
                                                void* dw) {
    return execute(Pass::BACKWARD_FILTER, "cudnnConvolutionBackwardFilter", handle, alpha, x_desc, x, dy_desc, dy,
                   conv, algo, ws, ws_bytes, beta, dw_desc, dw);
}
