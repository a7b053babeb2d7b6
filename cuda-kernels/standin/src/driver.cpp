// The CUDA driver API (libcuda.so.1) on the CPU, for tests: the calls JCuda's driver binding makes
// for our backend, with the checks a GPU would make and some it would not (see memory.h and
// streams.h). Kernels are the cuda-kernels sources compiled for the host (kernel_registry.h),
// found by the entry names of the PTX that cuModuleLoadData is given.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernel_registry.h"
#include "memory.h"
#include "ptx.h"
#include "standin.h"
#include "streams.h"

using namespace standin;

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

#define CU_API extern "C" __attribute__((visibility("default")))

namespace standin {

struct Module {
    Ptx ptx;
};

struct Function {
    const Module* module;
    const PtxEntry* entry;
    const HostKernel* kernel;
};

} // namespace standin

typedef standin::Context* CUcontext;
typedef standin::Stream* CUstream;
typedef standin::Event* CUevent;
typedef standin::Module* CUmodule;
typedef standin::Function* CUfunction;

namespace {

constexpr int DEVICE_COUNT = 1;
constexpr int COMPUTE_MAJOR = 9;
constexpr int COMPUTE_MINOR = 0;

std::atomic<bool> initialised{false};

int driver_version() {
    const char* v = std::getenv("STANDIN_DRIVER_VERSION");
    return v != nullptr ? std::atoi(v) : 12000;
}

CUresult fail(CUresult code, const std::string& message) {
    report(message);
    return code;
}

// Runs body, turning a Fault into its code (and one line on stderr).
template <typename F>
CUresult checked(F body) {
    try {
        return body();
    } catch (const Fault& f) {
        return fail(f.code, f.message);
    }
}

#define REQUIRE_INIT()                                                                                                 \
    if (!initialised) return NOT_INITIALIZED
#define REQUIRE_CONTEXT()                                                                                              \
    do {                                                                                                               \
        REQUIRE_INIT();                                                                                                \
        int s = context_status();                                                                                      \
        if (s != SUCCESS) return s;                                                                                    \
    } while (0)

std::string hex(uint64_t v) {
    char s[32];
    std::snprintf(s, sizeof s, "0x%llx", static_cast<unsigned long long>(v));
    return s;
}

// Each pointer parameter must point into a live device block: a swapped argument or a freed
// buffer is caught at launch, where a GPU would fault somewhere inside the kernel.
void check_pointer_arguments(const HostKernel& k, const std::vector<uint64_t>& values, const std::string& what) {
    for (size_t i = 0; i < k.params.size(); i++) {
        if (k.params[i] == ParamKind::POINTER) {
            check_device(reinterpret_cast<void*>(values[i]), 1, what + " argument " + std::to_string(i));
        }
    }
}

} // namespace

// ---- initialisation and devices ----------------------------------------------------------------

CU_API CUresult cuInit(unsigned int flags) {
    if (flags != 0) {
        return INVALID_VALUE;
    }
    initialised = true;
    return SUCCESS;
}

CU_API CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return INVALID_VALUE;
    *version = driver_version();
    return SUCCESS;
}

CU_API CUresult cuDeviceGetCount(int* count) {
    REQUIRE_INIT();
    if (count == nullptr) return INVALID_VALUE;
    *count = DEVICE_COUNT;
    return SUCCESS;
}

CU_API CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    REQUIRE_INIT();
    if (device == nullptr) return INVALID_VALUE;
    if (ordinal < 0 || ordinal >= DEVICE_COUNT) return INVALID_DEVICE;
    *device = ordinal;
    return SUCCESS;
}

CU_API CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device) {
    REQUIRE_INIT();
    if (value == nullptr) return INVALID_VALUE;
    if (device < 0 || device >= DEVICE_COUNT) return INVALID_DEVICE;
    switch (attribute) {
        case 1: *value = 1024; return SUCCESS;        // max threads per block
        case 2: *value = 1024; return SUCCESS;        // max block dim x
        case 3: *value = 1024; return SUCCESS;        // max block dim y
        case 4: *value = 64; return SUCCESS;          // max block dim z
        case 5: *value = 2147483647; return SUCCESS;  // max grid dim x
        case 6: *value = 65535; return SUCCESS;       // max grid dim y
        case 7: *value = 65535; return SUCCESS;       // max grid dim z
        case 8: *value = 48 << 10; return SUCCESS;    // shared memory per block
        case 10: *value = 32; return SUCCESS;         // warp size
        case 16: *value = 1; return SUCCESS;          // multiprocessors
        case 75: *value = COMPUTE_MAJOR; return SUCCESS;
        case 76: *value = COMPUTE_MINOR; return SUCCESS;
        default: return fail(INVALID_VALUE, "cuDeviceGetAttribute: attribute " + std::to_string(attribute)
                                                + " is not emulated");
    }
}

CU_API CUresult cuDeviceGetName(char* name, int length, CUdevice device) {
    REQUIRE_INIT();
    if (name == nullptr || length <= 0) return INVALID_VALUE;
    if (device < 0 || device >= DEVICE_COUNT) return INVALID_DEVICE;
    std::snprintf(name, static_cast<size_t>(length), "%s", "covidct CUDA stand-in (CPU)");
    return SUCCESS;
}

CU_API CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) {
    REQUIRE_INIT();
    if (bytes == nullptr) return INVALID_VALUE;
    if (device < 0 || device >= DEVICE_COUNT) return INVALID_DEVICE;
    *bytes = device_capacity();
    return SUCCESS;
}

// ---- contexts ----------------------------------------------------------------------------------

CU_API CUresult cuDevicePrimaryCtxRetain(CUcontext* context, CUdevice device) {
    REQUIRE_INIT();
    if (context == nullptr) return INVALID_VALUE;
    if (device < 0 || device >= DEVICE_COUNT) return INVALID_DEVICE;
    *context = primary_context();
    return SUCCESS;
}

CU_API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    REQUIRE_INIT();
    return device >= 0 && device < DEVICE_COUNT ? SUCCESS : INVALID_DEVICE;
}

CU_API CUresult cuCtxSetCurrent(CUcontext context) {
    REQUIRE_INIT();
    if (context != nullptr && context != primary_context()) return INVALID_CONTEXT;
    set_current_context(context);
    return SUCCESS;
}

CU_API CUresult cuCtxGetCurrent(CUcontext* context) {
    REQUIRE_INIT();
    if (context == nullptr) return INVALID_VALUE;
    *context = current_context();
    return SUCCESS;
}

CU_API CUresult cuCtxGetDevice(CUdevice* device) {
    REQUIRE_CONTEXT();
    if (device == nullptr) return INVALID_VALUE;
    *device = 0;
    return SUCCESS;
}

CU_API CUresult cuCtxSynchronize() {
    REQUIRE_CONTEXT();
    return synchronize_context();
}

// ---- streams and events --------------------------------------------------------------------------

CU_API CUresult cuStreamCreate(CUstream* stream, unsigned int flags) {
    REQUIRE_CONTEXT();
    if (stream == nullptr || flags > 1) return INVALID_VALUE;
    *stream = create_stream();
    return SUCCESS;
}

CU_API CUresult cuStreamDestroy_v2(CUstream stream) {
    REQUIRE_CONTEXT();
    return destroy_stream(stream);
}

CU_API CUresult cuStreamSynchronize(CUstream stream) {
    REQUIRE_CONTEXT();
    return synchronize_stream(stream);
}

CU_API CUresult cuStreamQuery(CUstream stream) {
    REQUIRE_CONTEXT();
    return query_stream(stream);
}

CU_API CUresult cuEventCreate(CUevent* event, unsigned int flags) {
    REQUIRE_CONTEXT();
    if (event == nullptr) return INVALID_VALUE;
    *event = create_event();
    return SUCCESS;
}

CU_API CUresult cuEventDestroy_v2(CUevent event) {
    REQUIRE_CONTEXT();
    return destroy_event(event);
}

CU_API CUresult cuEventRecord(CUevent event, CUstream stream) {
    REQUIRE_CONTEXT();
    return record_event(event, stream);
}

CU_API CUresult cuEventSynchronize(CUevent event) {
    REQUIRE_CONTEXT();
    return synchronize_event(event);
}

CU_API CUresult cuEventQuery(CUevent event) {
    REQUIRE_CONTEXT();
    return query_event(event);
}

CU_API CUresult cuStreamWaitEvent(CUstream stream, CUevent event, unsigned int flags) {
    REQUIRE_CONTEXT();
    return stream_wait_event(stream, event);
}

// ---- memory --------------------------------------------------------------------------------------

CU_API CUresult cuMemAlloc_v2(CUdeviceptr* address, size_t bytes) {
    REQUIRE_CONTEXT();
    if (address == nullptr || bytes == 0) return INVALID_VALUE;
    uint64_t a = device_allocate(bytes);
    if (a == 0) {
        return OUT_OF_MEMORY;
    }
    *address = a;
    return SUCCESS;
}

CU_API CUresult cuMemFree_v2(CUdeviceptr address) {
    REQUIRE_CONTEXT();
    std::string why;
    int r = device_free(address, &why);
    return r == SUCCESS ? SUCCESS : fail(r, "cuMemFree(" + hex(address) + "): the address " + why);
}

CU_API CUresult cuMemGetInfo_v2(size_t* free, size_t* total) {
    REQUIRE_CONTEXT();
    if (free == nullptr || total == nullptr) return INVALID_VALUE;
    *total = device_capacity();
    *free = device_capacity() - device_bytes_in_use();
    return SUCCESS;
}

CU_API CUresult cuMemAllocHost_v2(void** host, size_t bytes) {
    REQUIRE_CONTEXT();
    if (host == nullptr || bytes == 0) return INVALID_VALUE;
    void* p = pinned_allocate(bytes);
    if (p == nullptr) return OUT_OF_MEMORY;
    *host = p;
    return SUCCESS;
}

CU_API CUresult cuMemFreeHost(void* host) {
    REQUIRE_CONTEXT();
    std::string why;
    int r = pinned_free(host, &why);
    return r == SUCCESS ? SUCCESS : fail(r, "cuMemFreeHost: the address " + why);
}

CU_API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream) {
    REQUIRE_CONTEXT();
    if (bytes == 0) return SUCCESS; // nothing to copy, as CUDA treats it
    return checked([&] {
        check_device(reinterpret_cast<void*>(dst), bytes, "cuMemcpyHtoDAsync destination");
        if (!is_pinned(src, bytes)) {
            // A GPU copies pageable memory synchronously instead; the backend means to overlap.
            throw Fault{INVALID_VALUE, "cuMemcpyHtoDAsync: the source is not pinned memory from cuMemAllocHost "
                                       "(an async copy from pageable memory)"};
        }
        return enqueue(stream, "cuMemcpyHtoDAsync", [=] {
            if (!is_pinned(src, bytes)) {
                throw Fault{ILLEGAL_ADDRESS, "cuMemcpyHtoDAsync: the pinned source was freed before the copy ran"};
            }
            check_device(reinterpret_cast<void*>(dst), bytes, "cuMemcpyHtoDAsync destination");
            std::memcpy(reinterpret_cast<void*>(dst), src, bytes);
        });
    });
}

CU_API CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, CUstream stream) {
    REQUIRE_CONTEXT();
    if (bytes == 0) return SUCCESS; // nothing to copy, as CUDA treats it
    return checked([&] {
        check_device(reinterpret_cast<void*>(src), bytes, "cuMemcpyDtoHAsync source");
        if (!is_pinned(dst, bytes)) {
            throw Fault{INVALID_VALUE, "cuMemcpyDtoHAsync: the destination is not pinned memory from cuMemAllocHost "
                                       "(an async copy to pageable memory)"};
        }
        // Until the copy has run, the destination holds poison, not what it held before.
        fill32(dst, FRESH_POISON, bytes / 4);
        return enqueue(stream, "cuMemcpyDtoHAsync", [=] {
            check_device(reinterpret_cast<void*>(src), bytes, "cuMemcpyDtoHAsync source");
            std::memcpy(dst, reinterpret_cast<void*>(src), bytes);
        });
    });
}

CU_API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
    REQUIRE_CONTEXT();
    if (bytes == 0) return SUCCESS; // nothing to copy, as CUDA treats it
    return checked([&] {
        check_device(reinterpret_cast<void*>(src), bytes, "cuMemcpyDtoDAsync source");
        check_device(reinterpret_cast<void*>(dst), bytes, "cuMemcpyDtoDAsync destination");
        return enqueue(stream, "cuMemcpyDtoDAsync", [=] {
            check_device(reinterpret_cast<void*>(src), bytes, "cuMemcpyDtoDAsync source");
            check_device(reinterpret_cast<void*>(dst), bytes, "cuMemcpyDtoDAsync destination");
            std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<void*>(src), bytes);
        });
    });
}

CU_API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t count, CUstream stream) {
    REQUIRE_CONTEXT();
    if (count == 0) return SUCCESS; // nothing to copy, as CUDA treats it
    return checked([&] {
        if (dst % 4 != 0) throw Fault{INVALID_VALUE, "cuMemsetD32Async: destination not 4-byte aligned"};
        check_device(reinterpret_cast<void*>(dst), count * 4, "cuMemsetD32Async destination");
        return enqueue(stream, "cuMemsetD32Async", [=] {
            check_device(reinterpret_cast<void*>(dst), count * 4, "cuMemsetD32Async destination");
            fill32(reinterpret_cast<void*>(dst), value, count);
        });
    });
}

// ---- modules and launches --------------------------------------------------------------------------

CU_API CUresult cuModuleLoadData(CUmodule* module, const void* image) {
    REQUIRE_CONTEXT();
    if (module == nullptr || image == nullptr) return INVALID_VALUE;
    return checked([&] {
        auto m = std::make_unique<Module>();
        m->ptx = parse_ptx(static_cast<const char*>(image));
        check_ptx_loadable(m->ptx, driver_version(), COMPUTE_MAJOR * 10 + COMPUTE_MINOR);
        *module = m.release();
        return SUCCESS;
    });
}

CU_API CUresult cuModuleLoadDataEx(CUmodule* module, const void* image, unsigned int, void*, void**) {
    return cuModuleLoadData(module, image);
}

CU_API CUresult cuModuleUnload(CUmodule module) {
    REQUIRE_CONTEXT();
    if (module == nullptr) return INVALID_HANDLE;
    delete module;
    return SUCCESS;
}

CU_API CUresult cuModuleGetFunction(CUfunction* function, CUmodule module, const char* name) {
    REQUIRE_CONTEXT();
    if (function == nullptr || module == nullptr || name == nullptr) return INVALID_VALUE;
    return checked([&] {
        const PtxEntry* entry = module->ptx.entry(name);
        if (entry == nullptr) {
            throw Fault{NOT_FOUND, std::string("cuModuleGetFunction: no entry ") + name + " in the module's PTX"};
        }
        const HostKernel* kernel = find_kernel(name);
        if (kernel == nullptr) {
            throw Fault{NOT_FOUND, std::string("cuModuleGetFunction: the stand-in has no host build of kernel ") + name
                                       + "; rebuild it from the current cuda-kernels sources"};
        }
        check_parameters(*entry, *kernel);
        *function = new Function{module, entry, kernel};
        return SUCCESS;
    });
}

CU_API CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                               unsigned int by, unsigned int bz, unsigned int shared_bytes, CUstream stream,
                               void** params, void** extra) {
    REQUIRE_CONTEXT();
    if (f == nullptr) return INVALID_HANDLE;
    return checked([&] {
        const HostKernel& k = *f->kernel;
        std::string what = "kernel " + k.name + " <<<(" + std::to_string(gx) + "," + std::to_string(gy) + ","
            + std::to_string(gz) + "), (" + std::to_string(bx) + "," + std::to_string(by) + "," + std::to_string(bz)
            + ")>>>";
        if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || gx > 2147483647u || gy > 65535
            || gz > 65535 || bx > 1024 || by > 1024 || bz > 64 || uint64_t{bx} * by * bz > 1024) {
            throw Fault{INVALID_VALUE, what + ": grid or block outside the device's limits"};
        }
        if (shared_bytes > (48u << 10)) {
            throw Fault{INVALID_VALUE, what + ": " + std::to_string(shared_bytes) + " bytes of dynamic shared memory"};
        }
        if (extra != nullptr) {
            throw Fault{INVALID_VALUE, what + ": the extra parameter form is not emulated"};
        }
        size_t n = k.params.size();
        if (n > 0 && params == nullptr) {
            throw Fault{INVALID_VALUE, what + ": no kernelParams for " + std::to_string(n) + " parameters"};
        }
        // Parameters are copied at launch, as CUDA does; the caller may reuse its buffers at once.
        auto values = std::make_shared<std::vector<uint64_t>>(n);
        for (size_t i = 0; i < n; i++) {
            size_t bytes = k.params[i] == ParamKind::INT32 || k.params[i] == ParamKind::FLOAT32 ? 4 : 8;
            std::memcpy(&(*values)[i], params[i], bytes);
        }
        check_pointer_arguments(k, *values, what);
        bool barriers = f->entry->barriers;
        dim3 grid{gx, gy, gz}, block{bx, by, bz};
        unsigned seed = next_launch_seed();
        const HostKernel* kernel = &k;
        return enqueue(stream, what, [=] {
            check_pointer_arguments(*kernel, *values, what);
            std::vector<void*> pointers(n);
            for (size_t i = 0; i < n; i++) {
                pointers[i] = &(*values)[i];
            }
            run_grid(*kernel, barriers, grid, block, pointers.data(), seed);
            for (size_t i = 0; i < n; i++) {
                if (kernel->params[i] == ParamKind::POINTER) {
                    check_guards_of(reinterpret_cast<void*>((*values)[i]), what);
                }
            }
        });
    });
}

CU_API CUresult cuGetErrorName(CUresult error, const char** name) {
    if (name == nullptr) return INVALID_VALUE;
    *name = result_name(error);
    return SUCCESS;
}

CU_API CUresult cuGetErrorString(CUresult error, const char** text) {
    return cuGetErrorName(error, text);
}
