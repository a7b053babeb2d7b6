// cuDNN 9 (libcudnn.so.9) on the CPU, for tests: version, error strings, the handle and the
// tensor, filter and convolution descriptors. Convolutions are in cudnn_conv.cpp, batch
// normalisation in cudnn_batchnorm.cpp. Descriptors are checked on every use (a destroyed or
// never-set one is refused), and work on device memory is queued on the handle's stream.
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "cudnn_types.h"

using namespace cudnn;

namespace cudnn {

namespace {

std::mutex objects_lock;
std::unordered_set<const void*> objects;

} // namespace

const char* status_name(int status) {
    switch (status) {
#define NAME(s) \
    case s: return #s;
        NAME(CUDNN_STATUS_SUCCESS)
        NAME(CUDNN_STATUS_NOT_INITIALIZED)
        NAME(CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH)
        NAME(CUDNN_STATUS_SERIALIZATION_VERSION_MISMATCH)
        NAME(CUDNN_STATUS_DEPRECATED)
        NAME(CUDNN_STATUS_LICENSE_ERROR)
        NAME(CUDNN_STATUS_RUNTIME_IN_PROGRESS)
        NAME(CUDNN_STATUS_RUNTIME_FP_OVERFLOW)
        NAME(CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED)
        NAME(CUDNN_STATUS_BAD_PARAM)
        NAME(CUDNN_STATUS_INVALID_VALUE)
        NAME(CUDNN_STATUS_BAD_PARAM_NULL_POINTER)
        NAME(CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER)
        NAME(CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED)
        NAME(CUDNN_STATUS_BAD_PARAM_OUT_OF_BOUND)
        NAME(CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT)
        NAME(CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH)
        NAME(CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH)
        NAME(CUDNN_STATUS_BAD_PARAM_DUPLICATED_ENTRIES)
        NAME(CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE)
        NAME(CUDNN_STATUS_BAD_PARAM_CUDA_GRAPH_MISMATCH)
        NAME(CUDNN_STATUS_BAD_PARAM_DESCRIPTOR_TYPE)
        NAME(CUDNN_STATUS_NOT_SUPPORTED)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_SHAPE)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_LAYOUT)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDART)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_PADDING)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_BAD_LAUNCH_PARAM)
        NAME(CUDNN_STATUS_NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API)
        NAME(CUDNN_STATUS_INTERNAL_ERROR)
        NAME(CUDNN_STATUS_INTERNAL_ERROR_COMPILATION_FAILED)
        NAME(CUDNN_STATUS_INTERNAL_ERROR_UNEXPECTED_VALUE)
        NAME(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED)
        NAME(CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED)
        NAME(CUDNN_STATUS_INTERNAL_ERROR_BAD_LAUNCH_PARAM)
        NAME(CUDNN_STATUS_INTERNAL_ERROR_TEXTURE_CREATION_FAILED)
        NAME(CUDNN_STATUS_EXECUTION_FAILED)
        NAME(CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER)
        NAME(CUDNN_STATUS_EXECUTION_FAILED_CUBLAS)
        NAME(CUDNN_STATUS_EXECUTION_FAILED_CUDART)
        NAME(CUDNN_STATUS_EXECUTION_FAILED_CURAND)
#undef NAME
        default: return "CUDNN_UNKNOWN_STATUS_FOUND";
    }
}

bool live(const void* p, uint32_t magic) {
    if (p == nullptr) return false;
    std::lock_guard<std::mutex> g(objects_lock);
    // The registry first: only a registered pointer may be read for its magic.
    return objects.count(p) != 0 && *static_cast<const uint32_t*>(p) == magic;
}

void register_object(const void* p) {
    std::lock_guard<std::mutex> g(objects_lock);
    objects.insert(p);
}

void unregister_object(const void* p) {
    std::lock_guard<std::mutex> g(objects_lock);
    objects.erase(p);
}

void require_handle(const Handle* h, const std::string& call) {
    if (!live(h, HANDLE_MAGIC)) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM, call + ": the handle is null, destroyed or not a cudnnHandle_t"};
    }
    int s = standin::context_status();
    if (s == standin::INVALID_CONTEXT) {
        throw Refusal{CUDNN_STATUS_NOT_INITIALIZED, call + ": no current CUDA context on this thread"};
    }
    if (s != standin::SUCCESS) {
        throw Refusal{CUDNN_STATUS_EXECUTION_FAILED,
                      call + ": the CUDA context has a sticky error (CUresult " + std::to_string(s) + ")"};
    }
}

const TensorDesc& require_tensor(const void* d, const std::string& call, const std::string& name) {
    if (!live(d, TENSOR_MAGIC)) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM,
                      call + ": " + name + " is null, destroyed or not a cudnnTensorDescriptor_t"};
    }
    auto& t = *static_cast<const TensorDesc*>(d);
    if (!t.set) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED, call + ": " + name + " was never set"};
    }
    return t;
}

const FilterDesc& require_filter(const void* d, const std::string& call, const std::string& name) {
    if (!live(d, FILTER_MAGIC)) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM,
                      call + ": " + name + " is null, destroyed or not a cudnnFilterDescriptor_t"};
    }
    auto& f = *static_cast<const FilterDesc*>(d);
    if (!f.set) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED, call + ": " + name + " was never set"};
    }
    return f;
}

const ConvDesc& require_conv(const void* d, const std::string& call) {
    if (!live(d, CONV_MAGIC)) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM,
                      call + ": convDesc is null, destroyed or not a cudnnConvolutionDescriptor_t"};
    }
    auto& c = *static_cast<const ConvDesc*>(d);
    if (!c.set) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED,
                      call + ": convDesc was never set (cudnnSetConvolution2dDescriptor)"};
    }
    return c;
}

void require_float_nchw(int data_type, int format, const std::string& call, const std::string& name) {
    if (data_type != CUDNN_DATA_FLOAT) {
        throw Refusal{CUDNN_STATUS_NOT_SUPPORTED,
                      call + ": " + name + " has data type " + std::to_string(data_type)
                          + "; the stand-in computes CUDNN_DATA_FLOAT only"};
    }
    if (format != CUDNN_TENSOR_NCHW) {
        throw Refusal{CUDNN_STATUS_NOT_SUPPORTED,
                      call + ": " + name + " has format " + std::to_string(format)
                          + "; the stand-in computes CUDNN_TENSOR_NCHW only"};
    }
}

void require_device(const void* p, size_t bytes, const std::string& what) {
    if (p == nullptr) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM_NULL_POINTER, what + " is null"};
    }
    if (reinterpret_cast<uintptr_t>(p) % 4 != 0) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER, what + " is not aligned to its float elements"};
    }
    try {
        standin::check_device(p, bytes, what);
    } catch (const standin::Fault& f) {
        throw Refusal{CUDNN_STATUS_BAD_PARAM, f.message};
    }
}

Status enqueue_failure(int result, const std::string& call) {
    if (result == standin::INVALID_HANDLE) {
        standin::report(call + ": the handle's stream belongs to another context");
        return CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH;
    }
    standin::report(call + ": could not queue the work (CUresult " + std::to_string(result) + ")");
    return CUDNN_STATUS_EXECUTION_FAILED;
}

int wait_for_stream(void* stream, const std::string& what) {
    // The task owns the promise: a task that the worker skips (the context has a sticky error)
    // is destroyed unrun, which breaks the promise, so the wait ends either way.
    auto reached = std::make_shared<std::promise<void>>();
    std::future<void> future = reached->get_future();
    int r = standin::enqueue(stream, what, [reached] { reached->set_value(); });
    reached.reset();
    if (r != standin::SUCCESS) return r;
    while (future.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready) {
        if (standin::context_status() != standin::SUCCESS) break;
    }
    int s = standin::context_status();
    return s != standin::SUCCESS ? s : standin::SUCCESS;
}

std::string dims(int n, int c, int h, int w) {
    return "[" + std::to_string(n) + ", " + std::to_string(c) + ", " + std::to_string(h) + ", " + std::to_string(w)
        + "]";
}

} // namespace cudnn

// ---- version, errors, handle ---------------------------------------------------------------------

// The build makes this library twice: as cuDNN 9.5 (libcudnn.so.9) and, with STANDIN_CUDNN_VERSION
// 8907, as cuDNN 8.9 (libcudnn.so.8), for the JCudnn native that machines with only cuDNN 8 use.
#ifndef STANDIN_CUDNN_VERSION
#define STANDIN_CUDNN_VERSION 90500
#endif

CUDNN_API size_t cudnnGetVersion() {
    return STANDIN_CUDNN_VERSION;
}

CUDNN_API const char* cudnnGetErrorString(int status) {
    return status_name(status);
}

CUDNN_API Status cudnnCreate(Handle** handle) {
    if (handle == nullptr) return CUDNN_STATUS_BAD_PARAM;
    int s = standin::context_status();
    if (s != standin::SUCCESS) {
        standin::report("cudnnCreate: no usable current CUDA context on this thread");
        return CUDNN_STATUS_NOT_INITIALIZED;
    }
    Handle* h = new Handle();
    h->magic = HANDLE_MAGIC;
    register_object(h);
    *handle = h;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API Status cudnnDestroy(Handle* handle) {
    if (!live(handle, HANDLE_MAGIC)) {
        standin::report("cudnnDestroy: the handle is null, destroyed or not a cudnnHandle_t");
        return CUDNN_STATUS_BAD_PARAM;
    }
    unregister_object(handle);
    handle->magic = 0;
    delete handle;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API Status cudnnSetStream(Handle* handle, void* stream) {
    if (!live(handle, HANDLE_MAGIC)) {
        standin::report("cudnnSetStream: the handle is null, destroyed or not a cudnnHandle_t");
        return CUDNN_STATUS_BAD_PARAM;
    }
    handle->stream = stream;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API Status cudnnGetStream(Handle* handle, void** stream) {
    if (!live(handle, HANDLE_MAGIC) || stream == nullptr) {
        standin::report("cudnnGetStream: null or invalid handle, or null result pointer");
        return CUDNN_STATUS_BAD_PARAM;
    }
    *stream = handle->stream;
    return CUDNN_STATUS_SUCCESS;
}

// ---- tensor and filter descriptors -----------------------------------------------------------------

namespace {

template <typename T>
Status create(T** desc, uint32_t magic, const char* call) {
    if (desc == nullptr) {
        standin::report(std::string(call) + ": null result pointer");
        return CUDNN_STATUS_BAD_PARAM;
    }
    T* d = new T();
    d->magic = magic;
    register_object(d);
    *desc = d;
    return CUDNN_STATUS_SUCCESS;
}

template <typename T>
Status destroy(T* desc, uint32_t magic, const char* call) {
    // cuDNN accepts a null descriptor here.
    if (desc == nullptr) return CUDNN_STATUS_SUCCESS;
    if (!live(desc, magic)) {
        standin::report(std::string(call) + ": the descriptor was already destroyed or is of another kind");
        return CUDNN_STATUS_BAD_PARAM;
    }
    unregister_object(desc);
    desc->magic = 0;
    delete desc;
    return CUDNN_STATUS_SUCCESS;
}

// Checks the four sizes and the element count of a 4-d descriptor (cuDNN's limit is 2^31 - 1).
Status check_4d(const char* call, int format, int data_type, int n, int c, int h, int w) {
    std::string what = std::string(call) + "(" + dims(n, c, h, w) + ")";
    if (format < 0 || format > TENSOR_FORMAT_LAST) {
        standin::report(what + ": unknown format " + std::to_string(format));
        return CUDNN_STATUS_BAD_PARAM;
    }
    if (data_type < 0 || data_type > DATA_TYPE_LAST) {
        standin::report(what + ": unknown data type " + std::to_string(data_type));
        return CUDNN_STATUS_BAD_PARAM;
    }
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0) {
        standin::report(what + ": every dimension must be positive");
        return CUDNN_STATUS_BAD_PARAM;
    }
    if (static_cast<long long>(n) * c * h * w > 0x7fffffffLL) {
        standin::report(what + ": more than 2^31 - 1 elements");
        return CUDNN_STATUS_NOT_SUPPORTED;
    }
    return CUDNN_STATUS_SUCCESS;
}

} // namespace

CUDNN_API Status cudnnCreateTensorDescriptor(TensorDesc** desc) {
    return create(desc, TENSOR_MAGIC, "cudnnCreateTensorDescriptor");
}

CUDNN_API Status cudnnDestroyTensorDescriptor(TensorDesc* desc) {
    return destroy(desc, TENSOR_MAGIC, "cudnnDestroyTensorDescriptor");
}

CUDNN_API Status cudnnSetTensor4dDescriptor(TensorDesc* desc, int format, int data_type, int n, int c, int h, int w) {
    if (!live(desc, TENSOR_MAGIC)) {
        standin::report("cudnnSetTensor4dDescriptor: null, destroyed or not a tensor descriptor");
        return CUDNN_STATUS_BAD_PARAM;
    }
    Status s = check_4d("cudnnSetTensor4dDescriptor", format, data_type, n, c, h, w);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    desc->format = format;
    desc->data_type = data_type;
    desc->n = n;
    desc->c = c;
    desc->h = h;
    desc->w = w;
    desc->set = true;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API Status cudnnCreateFilterDescriptor(FilterDesc** desc) {
    return create(desc, FILTER_MAGIC, "cudnnCreateFilterDescriptor");
}

CUDNN_API Status cudnnDestroyFilterDescriptor(FilterDesc* desc) {
    return destroy(desc, FILTER_MAGIC, "cudnnDestroyFilterDescriptor");
}

// Note the order: data type, then format (the tensor descriptor has format, then data type).
CUDNN_API Status cudnnSetFilter4dDescriptor(FilterDesc* desc, int data_type, int format, int k, int c, int h, int w) {
    if (!live(desc, FILTER_MAGIC)) {
        standin::report("cudnnSetFilter4dDescriptor: null, destroyed or not a filter descriptor");
        return CUDNN_STATUS_BAD_PARAM;
    }
    Status s = check_4d("cudnnSetFilter4dDescriptor", format, data_type, k, c, h, w);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    desc->format = format;
    desc->data_type = data_type;
    desc->k = k;
    desc->c = c;
    desc->h = h;
    desc->w = w;
    desc->set = true;
    return CUDNN_STATUS_SUCCESS;
}

// ---- convolution descriptor --------------------------------------------------------------------------

CUDNN_API Status cudnnCreateConvolutionDescriptor(ConvDesc** desc) {
    return create(desc, CONV_MAGIC, "cudnnCreateConvolutionDescriptor");
}

CUDNN_API Status cudnnDestroyConvolutionDescriptor(ConvDesc* desc) {
    return destroy(desc, CONV_MAGIC, "cudnnDestroyConvolutionDescriptor");
}

CUDNN_API Status cudnnSetConvolution2dDescriptor(ConvDesc* desc, int pad_h, int pad_w, int u, int v, int dilation_h,
                                                 int dilation_w, int mode, int compute_type) {
    std::string call = "cudnnSetConvolution2dDescriptor(pad " + std::to_string(pad_h) + "x" + std::to_string(pad_w)
        + ", stride " + std::to_string(u) + "x" + std::to_string(v) + ", dilation " + std::to_string(dilation_h) + "x"
        + std::to_string(dilation_w) + ")";
    if (!live(desc, CONV_MAGIC)) {
        standin::report(call + ": null, destroyed or not a convolution descriptor");
        return CUDNN_STATUS_BAD_PARAM;
    }
    if (pad_h < 0 || pad_w < 0 || u <= 0 || v <= 0 || dilation_h <= 0 || dilation_w <= 0) {
        standin::report(call + ": padding must be >= 0, strides and dilations > 0");
        return CUDNN_STATUS_BAD_PARAM;
    }
    if (mode != CUDNN_CONVOLUTION && mode != CUDNN_CROSS_CORRELATION) {
        standin::report(call + ": unknown mode " + std::to_string(mode));
        return CUDNN_STATUS_BAD_PARAM;
    }
    if (compute_type < 0 || compute_type > DATA_TYPE_LAST) {
        standin::report(call + ": unknown compute type " + std::to_string(compute_type));
        return CUDNN_STATUS_BAD_PARAM;
    }
    desc->pad_h = pad_h;
    desc->pad_w = pad_w;
    desc->stride_h = u;
    desc->stride_w = v;
    desc->dilation_h = dilation_h;
    desc->dilation_w = dilation_w;
    desc->mode = mode;
    desc->compute_type = compute_type;
    desc->set = true;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API Status cudnnSetConvolutionGroupCount(ConvDesc* desc, int groups) {
    if (!live(desc, CONV_MAGIC)) {
        standin::report("cudnnSetConvolutionGroupCount: null, destroyed or not a convolution descriptor");
        return CUDNN_STATUS_BAD_PARAM;
    }
    if (groups < 1) {
        standin::report("cudnnSetConvolutionGroupCount: group count " + std::to_string(groups) + " < 1");
        return CUDNN_STATUS_BAD_PARAM;
    }
    desc->groups = groups;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API Status cudnnGetConvolutionGroupCount(ConvDesc* desc, int* groups) {
    if (!live(desc, CONV_MAGIC) || groups == nullptr) return CUDNN_STATUS_BAD_PARAM;
    *groups = desc->groups;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API Status cudnnSetConvolutionMathType(ConvDesc* desc, int math_type) {
    if (!live(desc, CONV_MAGIC)) {
        standin::report("cudnnSetConvolutionMathType: null, destroyed or not a convolution descriptor");
        return CUDNN_STATUS_BAD_PARAM;
    }
    if (math_type < CUDNN_DEFAULT_MATH || math_type > CUDNN_FMA_MATH) {
        standin::report("cudnnSetConvolutionMathType: unknown math type " + std::to_string(math_type));
        return CUDNN_STATUS_BAD_PARAM;
    }
    desc->math_type = math_type;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API Status cudnnGetConvolutionMathType(ConvDesc* desc, int* math_type) {
    if (!live(desc, CONV_MAGIC) || math_type == nullptr) {
        standin::report("cudnnGetConvolutionMathType: invalid descriptor or null result pointer");
        return CUDNN_STATUS_BAD_PARAM;
    }
    *math_type = desc->math_type;
    return CUDNN_STATUS_SUCCESS;
}
