// What the cuDNN stand-in's files share: cuDNN 9's status codes and enum values (declared here,
// not taken from cudnn.h, with the values of cudnn_graph.h / cudnn_ops.h / cudnn_cnn.h), the
// descriptors, the handle, and the checks every call makes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "standin.h"

#define CUDNN_API extern "C" __attribute__((visibility("default")))

namespace cudnn {

enum Status : int {
    CUDNN_STATUS_SUCCESS = 0,
    CUDNN_STATUS_NOT_INITIALIZED = 1001,
    CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH = 1002,
    CUDNN_STATUS_SERIALIZATION_VERSION_MISMATCH = 1003,
    CUDNN_STATUS_DEPRECATED = 1004,
    CUDNN_STATUS_LICENSE_ERROR = 1005,
    CUDNN_STATUS_RUNTIME_IN_PROGRESS = 1006,
    CUDNN_STATUS_RUNTIME_FP_OVERFLOW = 1007,
    CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED = 1008,
    CUDNN_STATUS_BAD_PARAM = 2000,
    CUDNN_STATUS_INVALID_VALUE = 2001,
    CUDNN_STATUS_BAD_PARAM_NULL_POINTER = 2002,
    CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER = 2003,
    CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED = 2004,
    CUDNN_STATUS_BAD_PARAM_OUT_OF_BOUND = 2005,
    CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT = 2006,
    CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH = 2007,
    CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH = 2008,
    CUDNN_STATUS_BAD_PARAM_DUPLICATED_ENTRIES = 2009,
    CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE = 2010,
    CUDNN_STATUS_BAD_PARAM_CUDA_GRAPH_MISMATCH = 2011,
    CUDNN_STATUS_BAD_PARAM_DESCRIPTOR_TYPE = 2012,
    CUDNN_STATUS_NOT_SUPPORTED = 3000,
    CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN = 3001,
    CUDNN_STATUS_NOT_SUPPORTED_SHAPE = 3002,
    CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE = 3003,
    CUDNN_STATUS_NOT_SUPPORTED_LAYOUT = 3004,
    CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER = 3005,
    CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDART = 3006,
    CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH = 3007,
    CUDNN_STATUS_NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING = 3008,
    CUDNN_STATUS_NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE = 3009,
    CUDNN_STATUS_NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT = 3010,
    CUDNN_STATUS_NOT_SUPPORTED_PADDING = 3011,
    CUDNN_STATUS_NOT_SUPPORTED_BAD_LAUNCH_PARAM = 3012,
    CUDNN_STATUS_NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API = 3013,
    CUDNN_STATUS_INTERNAL_ERROR = 4000,
    CUDNN_STATUS_INTERNAL_ERROR_COMPILATION_FAILED = 4001,
    CUDNN_STATUS_INTERNAL_ERROR_UNEXPECTED_VALUE = 4002,
    CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED = 4003, // also CUDNN_STATUS_ALLOC_FAILED
    CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED = 4004,
    CUDNN_STATUS_INTERNAL_ERROR_BAD_LAUNCH_PARAM = 4005,
    CUDNN_STATUS_INTERNAL_ERROR_TEXTURE_CREATION_FAILED = 4006,
    CUDNN_STATUS_EXECUTION_FAILED = 5000,
    CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER = 5001,
    CUDNN_STATUS_EXECUTION_FAILED_CUBLAS = 5002,
    CUDNN_STATUS_EXECUTION_FAILED_CUDART = 5003,
    CUDNN_STATUS_EXECUTION_FAILED_CURAND = 5004,
};

constexpr Status CUDNN_STATUS_ALLOC_FAILED = CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED;

const char* status_name(int status);

// cudnnDataType_t, cudnnTensorFormat_t (the values that exist; only FLOAT and NCHW compute).
constexpr int CUDNN_DATA_FLOAT = 0;
constexpr int DATA_TYPE_LAST = 21;
constexpr int CUDNN_TENSOR_NCHW = 0;
constexpr int TENSOR_FORMAT_LAST = 2;

// cudnnConvolutionMode_t
constexpr int CUDNN_CONVOLUTION = 0;
constexpr int CUDNN_CROSS_CORRELATION = 1;

// cudnnMathType_t
constexpr int CUDNN_DEFAULT_MATH = 0;
constexpr int CUDNN_TENSOR_OP_MATH = 1;
constexpr int CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2;
constexpr int CUDNN_FMA_MATH = 3;

// cudnnDeterminism_t
constexpr int CUDNN_NON_DETERMINISTIC = 0;
constexpr int CUDNN_DETERMINISTIC = 1;

// cudnnBatchNormMode_t
constexpr int CUDNN_BATCHNORM_PER_ACTIVATION = 0;
constexpr int CUDNN_BATCHNORM_SPATIAL = 1;
constexpr int CUDNN_BATCHNORM_SPATIAL_PERSISTENT = 2;

// cudnn_ops.h of cuDNN 8 and 9 (it was 1e-5 up to cuDNN 7.4).
constexpr double CUDNN_BN_MIN_EPSILON = 0.0;

// The three perf structs of cudnn_cnn.h share this layout (algo, status, time, memory,
// determinism, mathType, reserved[3]): 48 bytes, memory at offset 16.
struct AlgoPerf {
    int algo;
    int status;
    float time;
    size_t memory;
    int determinism;
    int math_type;
    int reserved[3];
};
static_assert(sizeof(AlgoPerf) == 48, "cudnnConvolution*AlgoPerf_t is 48 bytes");
static_assert(offsetof(AlgoPerf, memory) == 16, "memory follows time and padding");
static_assert(offsetof(AlgoPerf, math_type) == 28, "mathType at 28");

// ---- handle and descriptors ----------------------------------------------------------------------

struct Handle {
    uint32_t magic;
    void* stream = nullptr;
};

struct TensorDesc {
    uint32_t magic;
    bool set = false;
    int format = 0, data_type = 0;
    int n = 0, c = 0, h = 0, w = 0;
};

struct FilterDesc {
    uint32_t magic;
    bool set = false;
    int format = 0, data_type = 0;
    int k = 0, c = 0, h = 0, w = 0;
};

struct ConvDesc {
    uint32_t magic;
    bool set = false;
    int pad_h = 0, pad_w = 0, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
    int mode = CUDNN_CROSS_CORRELATION, compute_type = CUDNN_DATA_FLOAT;
    int groups = 1;
    int math_type = CUDNN_DEFAULT_MATH;
};

constexpr uint32_t HANDLE_MAGIC = 0x68616e64;  // "hand"
constexpr uint32_t TENSOR_MAGIC = 0x74656e73;  // "tens"
constexpr uint32_t FILTER_MAGIC = 0x66696c74;  // "filt"
constexpr uint32_t CONV_MAGIC = 0x636f6e76;    // "conv"

// Whether p is a live object of that kind (created and not yet destroyed): a destroyed or
// mixed-up descriptor is caught instead of read.
bool live(const void* p, uint32_t magic);
void register_object(const void* p);
void unregister_object(const void* p);

// A failed check: the status the call returns, and the line it reports.
struct Refusal {
    Status status;
    std::string message;
};

// Throw a Refusal unless the handle (with a current, usable context) / descriptor is valid.
void require_handle(const Handle* h, const std::string& call);
const TensorDesc& require_tensor(const void* d, const std::string& call, const std::string& name);
const FilterDesc& require_filter(const void* d, const std::string& call, const std::string& name);
const ConvDesc& require_conv(const void* d, const std::string& call);
// FLOAT and NCHW, the only kind the stand-in computes.
void require_float_nchw(int data_type, int format, const std::string& call, const std::string& name);

// Throws a Refusal (BAD_PARAM) unless [p, p + bytes) lies in one live device block.
void require_device(const void* p, size_t bytes, const std::string& what);

// Runs body; a Refusal becomes its status and one reported line.
template <typename F>
Status guarded(F body) {
    try {
        return body();
    } catch (const Refusal& r) {
        standin::report(r.message);
        return r.status;
    }
}

// The status of a failed standin::enqueue.
Status enqueue_failure(int result, const std::string& call);

// Queues a marker on the stream and waits until the stream reached it: what a synchronous
// cuDNN call (Find*Ex) does. SUCCESS, or the context's error.
int wait_for_stream(void* stream, const std::string& what);

std::string dims(int n, int c, int h, int w);

// Stores out = alpha * value + beta * out, where beta 0 ignores out (it may hold NaN).
inline void blend(float* out, double value, float alpha, float beta) {
    if (alpha == 1.0f && beta == 0.0f) {
        *out = static_cast<float>(value);
    } else {
        *out = static_cast<float>(static_cast<double>(alpha) * value
                                  + (beta == 0.0f ? 0.0 : static_cast<double>(beta) * *out));
    }
}

} // namespace cudnn
