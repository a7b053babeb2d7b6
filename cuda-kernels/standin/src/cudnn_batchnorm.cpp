// Batch normalisation of the cuDNN stand-in, CUDNN_BATCHNORM_SPATIAL over FLOAT NCHW tensors, with
// cuDNN's documented semantics: training normalises with the biased batch variance, saves the
// mean and 1/sqrt(var + epsilon), and moves the running statistics by exponentialAverageFactor,
// the running variance with the unbiased batch variance; inference uses the given statistics;
// backward gives the training-mode gradients. Sums are in double, two passes for the variance.
#include <cmath>
#include <vector>

#include "cudnn_types.h"

using namespace cudnn;

namespace {

struct Shape {
    int n, c, h, w;
    size_t plane() const { return static_cast<size_t>(h) * w; }
    size_t count() const { return static_cast<size_t>(n) * c * h * w; }
    size_t per_channel() const { return static_cast<size_t>(n) * h * w; } // values each channel averages
};

void require_mode(int mode, const std::string& call) {
    if (mode == CUDNN_BATCHNORM_PER_ACTIVATION || mode == CUDNN_BATCHNORM_SPATIAL_PERSISTENT) {
        throw Refusal{CUDNN_STATUS_NOT_SUPPORTED, call + ": only CUDNN_BATCHNORM_SPATIAL is emulated"};
    }
    if (mode != CUDNN_BATCHNORM_SPATIAL) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": unknown batch norm mode " + std::to_string(mode)};
    }
}

void require_epsilon(double eps, const std::string& call) {
    if (!(eps >= CUDNN_BN_MIN_EPSILON)) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM,
                      call + ": epsilon " + std::to_string(eps) + " is below CUDNN_BN_MIN_EPSILON (0)"};
    }
}

// The data tensor's shape; every other data descriptor (y, dy, dx) must have the same.
Shape data_shape(const std::string& call, const void* x_desc, std::initializer_list<std::pair<const void*, const char*>>
                 others) {
    const TensorDesc& x = require_tensor(x_desc, call, "xDesc");
    require_float_nchw(x.data_type, x.format, call, "xDesc");
    for (auto& [d, name] : others) {
        const TensorDesc& t = require_tensor(d, call, name);
        require_float_nchw(t.data_type, t.format, call, name);
        if (t.n != x.n || t.c != x.c || t.h != x.h || t.w != x.w) {
            throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": " + name + " is " + dims(t.n, t.c, t.h, t.w)
                                                      + " but xDesc is " + dims(x.n, x.c, x.h, x.w)};
        }
    }
    return Shape{x.n, x.c, x.h, x.w};
}

// The per-channel descriptor of a spatial batch norm is [1, C, 1, 1].
void require_per_channel(const std::string& call, const void* desc, const char* name, const Shape& s) {
    const TensorDesc& t = require_tensor(desc, call, name);
    require_float_nchw(t.data_type, t.format, call, name);
    if (t.n != 1 || t.c != s.c || t.h != 1 || t.w != 1) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": " + name + " is " + dims(t.n, t.c, t.h, t.w)
                                                  + " but a spatial batch norm of " + dims(s.n, s.c, s.h, s.w)
                                                  + " needs " + dims(1, s.c, 1, 1)};
    }
}

float host_scalar(const void* p, const std::string& call, const char* name) {
    if (p == nullptr) throw Refusal{CUDNN_STATUS_BAD_PARAM_NULL_POINTER, call + ": " + name + " is null"};
    return *static_cast<const float*>(p);
}

// Two optional buffers that cuDNN takes both or neither of.
void require_pair(const void* a, const void* b, const std::string& call, const char* names) {
    if ((a == nullptr) != (b == nullptr)) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": " + names + " must both be null or both be given"};
    }
}

// An output may be its input (in place) but must not partly overlap it.
void require_same_or_apart(const void* out, const void* in, size_t bytes, const std::string& call, const char* what) {
    auto po = reinterpret_cast<uintptr_t>(out), pi = reinterpret_cast<uintptr_t>(in);
    if (po != pi && po < pi + bytes && pi < po + bytes) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": " + what + " partly overlap"};
    }
}

// The device operands of a call: checked at the call (a failure is the call's status, reported
// with the call) and again in the queued task (a failure is the context's sticky error, reported
// after the task's name).
struct Buffers {
    struct One {
        const void* p;
        size_t bytes;
        std::string name;
    };
    std::string call;
    std::vector<One> all;
    // optional: null means not given (a null required buffer is refused by require).
    void add(const void* p, size_t bytes, const std::string& name, bool optional = false) {
        if (p != nullptr || !optional) all.push_back({p, bytes, name});
    }
    void require() const {
        for (auto& b : all) require_device(b.p, b.bytes, call + " " + b.name);
    }
    void check() const {
        for (auto& b : all) standin::check_device(b.p, b.bytes, b.name);
    }
    void check_guards() const {
        for (auto& b : all) standin::check_guards_of(b.p, b.name);
    }
};

// Channel c's mean and biased variance (two passes, in double).
void moments(const float* x, const Shape& s, int c, double* mean, double* var) {
    double sum = 0.0;
    for (int n = 0; n < s.n; n++) {
        const float* p = x + (static_cast<size_t>(n) * s.c + c) * s.plane();
        for (size_t i = 0; i < s.plane(); i++) sum += p[i];
    }
    double m = sum / static_cast<double>(s.per_channel());
    double sq = 0.0;
    for (int n = 0; n < s.n; n++) {
        const float* p = x + (static_cast<size_t>(n) * s.c + c) * s.plane();
        for (size_t i = 0; i < s.plane(); i++) {
            double d = p[i] - m;
            sq += d * d;
        }
    }
    *mean = m;
    *var = sq / static_cast<double>(s.per_channel());
}

} // namespace

CUDNN_API Status cudnnBatchNormalizationForwardTraining(
    Handle* handle, int mode, const void* alpha, const void* beta, const void* x_desc, const void* x,
    const void* y_desc, void* y, const void* bn_desc, const void* scale, const void* bias, double factor,
    void* running_mean, void* running_var, double epsilon, void* save_mean, void* save_inv_var) {
    return guarded([&]() -> Status {
        std::string call = "cudnnBatchNormalizationForwardTraining";
        require_handle(handle, call);
        require_mode(mode, call);
        Shape s = data_shape(call, x_desc, {{y_desc, "yDesc"}});
        call += "(x " + dims(s.n, s.c, s.h, s.w) + ")";
        require_per_channel(call, bn_desc, "bnScaleBiasMeanVarDesc", s);
        require_epsilon(epsilon, call);
        if (!std::isfinite(factor)) {
            throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": exponentialAverageFactor is not finite"};
        }
        if (s.per_channel() < 2) {
            // The unbiased variance divides by N*H*W - 1 (PyTorch refuses this case too).
            throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": training needs more than one value per channel"};
        }
        float al = host_scalar(alpha, call, "alpha"), be = host_scalar(beta, call, "beta");
        require_pair(running_mean, running_var, call, "resultRunningMean and resultRunningVariance");
        require_pair(save_mean, save_inv_var, call, "resultSaveMean and resultSaveInvVariance");
        size_t data = s.count() * 4, chan = static_cast<size_t>(s.c) * 4;
        Buffers b{call, {}};
        b.add(x, data, "x");
        b.add(y, data, "y");
        b.add(scale, chan, "bnScale");
        b.add(bias, chan, "bnBias");
        b.add(running_mean, chan, "resultRunningMean", true);
        b.add(running_var, chan, "resultRunningVariance", true);
        b.add(save_mean, chan, "resultSaveMean", true);
        b.add(save_inv_var, chan, "resultSaveInvVariance", true);
        b.require();
        require_same_or_apart(y, x, data, call, "x and y");
        int r = standin::enqueue(handle->stream, call, [=] {
            b.check();
            auto xf = static_cast<const float*>(x);
            auto yf = static_cast<float*>(y);
            auto gamma = static_cast<const float*>(scale);
            auto shift = static_cast<const float*>(bias);
            const double m = static_cast<double>(s.per_channel());
            for (int c = 0; c < s.c; c++) {
                double mean, var;
                moments(xf, s, c, &mean, &var);
                double invstd = 1.0 / std::sqrt(var + epsilon);
                for (int n = 0; n < s.n; n++) {
                    size_t base = (static_cast<size_t>(n) * s.c + c) * s.plane();
                    for (size_t i = 0; i < s.plane(); i++) {
                        double v = gamma[c] * ((xf[base + i] - mean) * invstd) + shift[c];
                        blend(&yf[base + i], v, al, be);
                    }
                }
                if (running_mean != nullptr) {
                    auto rm = static_cast<float*>(running_mean);
                    auto rv = static_cast<float*>(running_var);
                    rm[c] = static_cast<float>((1.0 - factor) * rm[c] + factor * mean);
                    rv[c] = static_cast<float>((1.0 - factor) * rv[c] + factor * var * m / (m - 1.0));
                }
                if (save_mean != nullptr) {
                    static_cast<float*>(save_mean)[c] = static_cast<float>(mean);
                    static_cast<float*>(save_inv_var)[c] = static_cast<float>(invstd);
                }
            }
            b.check_guards();
        });
        return r == standin::SUCCESS ? CUDNN_STATUS_SUCCESS : enqueue_failure(r, call);
    });
}

CUDNN_API Status cudnnBatchNormalizationForwardInference(Handle* handle, int mode, const void* alpha, const void* beta,
                                                         const void* x_desc, const void* x, const void* y_desc,
                                                         void* y, const void* bn_desc, const void* scale,
                                                         const void* bias, const void* est_mean, const void* est_var,
                                                         double epsilon) {
    return guarded([&]() -> Status {
        std::string call = "cudnnBatchNormalizationForwardInference";
        require_handle(handle, call);
        require_mode(mode, call);
        Shape s = data_shape(call, x_desc, {{y_desc, "yDesc"}});
        call += "(x " + dims(s.n, s.c, s.h, s.w) + ")";
        require_per_channel(call, bn_desc, "bnScaleBiasMeanVarDesc", s);
        require_epsilon(epsilon, call);
        float al = host_scalar(alpha, call, "alpha"), be = host_scalar(beta, call, "beta");
        size_t data = s.count() * 4, chan = static_cast<size_t>(s.c) * 4;
        Buffers b{call, {}};
        b.add(x, data, "x");
        b.add(y, data, "y");
        b.add(scale, chan, "bnScale");
        b.add(bias, chan, "bnBias");
        b.add(est_mean, chan, "estimatedMean");
        b.add(est_var, chan, "estimatedVariance");
        b.require();
        require_same_or_apart(y, x, data, call, "x and y");
        int r = standin::enqueue(handle->stream, call, [=] {
            b.check();
            auto xf = static_cast<const float*>(x);
            auto yf = static_cast<float*>(y);
            auto gamma = static_cast<const float*>(scale);
            auto shift = static_cast<const float*>(bias);
            auto mean = static_cast<const float*>(est_mean);
            auto var = static_cast<const float*>(est_var);
            for (int c = 0; c < s.c; c++) {
                double invstd = 1.0 / std::sqrt(static_cast<double>(var[c]) + epsilon);
                for (int n = 0; n < s.n; n++) {
                    size_t base = (static_cast<size_t>(n) * s.c + c) * s.plane();
                    for (size_t i = 0; i < s.plane(); i++) {
                        double v = gamma[c] * ((xf[base + i] - static_cast<double>(mean[c])) * invstd) + shift[c];
                        blend(&yf[base + i], v, al, be);
                    }
                }
            }
            b.check_guards();
        });
        return r == standin::SUCCESS ? CUDNN_STATUS_SUCCESS : enqueue_failure(r, call);
    });
}

CUDNN_API Status cudnnBatchNormalizationBackward(Handle* handle, int mode, const void* alpha_data,
                                                 const void* beta_data, const void* alpha_param,
                                                 const void* beta_param, const void* x_desc, const void* x,
                                                 const void* dy_desc, const void* dy, const void* dx_desc, void* dx,
                                                 const void* bn_desc, const void* scale, void* dscale, void* dbias,
                                                 double epsilon, const void* saved_mean, const void* saved_inv_var) {
    return guarded([&]() -> Status {
        std::string call = "cudnnBatchNormalizationBackward";
        require_handle(handle, call);
        require_mode(mode, call);
        Shape s = data_shape(call, x_desc, {{dy_desc, "dyDesc"}, {dx_desc, "dxDesc"}});
        call += "(x " + dims(s.n, s.c, s.h, s.w) + ")";
        require_per_channel(call, bn_desc, "dBnScaleBiasDesc", s);
        require_epsilon(epsilon, call);
        float ad = host_scalar(alpha_data, call, "alphaDataDiff"), bd = host_scalar(beta_data, call, "betaDataDiff");
        float ap = host_scalar(alpha_param, call, "alphaParamDiff"),
              bp = host_scalar(beta_param, call, "betaParamDiff");
        require_pair(saved_mean, saved_inv_var, call, "savedMean and savedInvVariance");
        size_t data = s.count() * 4, chan = static_cast<size_t>(s.c) * 4;
        Buffers b{call, {}};
        b.add(x, data, "x");
        b.add(dy, data, "dy");
        b.add(dx, data, "dx");
        b.add(scale, chan, "bnScale");
        b.add(dscale, chan, "dBnScaleResult");
        b.add(dbias, chan, "dBnBiasResult");
        b.add(saved_mean, chan, "savedMean", true);
        b.add(saved_inv_var, chan, "savedInvVariance", true);
        b.require();
        require_same_or_apart(dx, dy, data, call, "dy and dx");
        require_same_or_apart(dx, x, data, call, "x and dx");
        int r = standin::enqueue(handle->stream, call, [=] {
            b.check();
            auto xf = static_cast<const float*>(x);
            auto dyf = static_cast<const float*>(dy);
            auto dxf = static_cast<float*>(dx);
            auto gamma = static_cast<const float*>(scale);
            const double m = static_cast<double>(s.per_channel());
            for (int c = 0; c < s.c; c++) {
                double mean, invstd;
                if (saved_mean != nullptr) {
                    mean = static_cast<const float*>(saved_mean)[c];
                    invstd = static_cast<const float*>(saved_inv_var)[c];
                } else {
                    double var;
                    moments(xf, s, c, &mean, &var);
                    invstd = 1.0 / std::sqrt(var + epsilon);
                }
                double sum_dy = 0.0, sum_dy_xhat = 0.0;
                for (int n = 0; n < s.n; n++) {
                    size_t base = (static_cast<size_t>(n) * s.c + c) * s.plane();
                    for (size_t i = 0; i < s.plane(); i++) {
                        sum_dy += dyf[base + i];
                        sum_dy_xhat += dyf[base + i] * ((xf[base + i] - mean) * invstd);
                    }
                }
                double k = gamma[c] * invstd / m;
                for (int n = 0; n < s.n; n++) {
                    size_t base = (static_cast<size_t>(n) * s.c + c) * s.plane();
                    for (size_t i = 0; i < s.plane(); i++) {
                        double xhat = (xf[base + i] - mean) * invstd;
                        blend(&dxf[base + i], k * (m * dyf[base + i] - sum_dy - xhat * sum_dy_xhat), ad, bd);
                    }
                }
                blend(&static_cast<float*>(dscale)[c], sum_dy_xhat, ap, bp);
                blend(&static_cast<float*>(dbias)[c], sum_dy, ap, bp);
            }
            b.check_guards();
        });
        return r == standin::SUCCESS ? CUDNN_STATUS_SUCCESS : enqueue_failure(r, call);
    });
}
