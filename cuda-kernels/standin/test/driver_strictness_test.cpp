// Self-test of the strictness of the driver and cuBLAS stand-ins (libcuda.so.1, libcublas.so.12):
// each check that makes the stand-in stricter than a GPU (contexts per thread, poisoned memory,
// pinned-only async copies, pointer, guard-zone and quarantine checks, launch limits, PTX checks,
// SGEMM operand checks, stream order) is shown to refuse a bad call with the exact code NVIDIA
// documents, and to let the matching good call through. A sticky error leaves the whole process's
// context unusable, as on a GPU, so every case runs in a child process of its own.
// Usage: driver_strictness_test PTX_DIR (cuda-kernels/src/main/ptx); one line per case, exit
// status 1 when any case fails.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

// ---- the driver and cuBLAS C APIs, declared as their headers do ---------------------------------------

typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st* CUcontext;
typedef struct CUstream_st* CUstream;
typedef struct CUevent_st* CUevent;
typedef struct CUmod_st* CUmodule;
typedef struct CUfunc_st* CUfunction;
typedef struct cublasContext* cublasHandle_t;

extern "C" {
int cuInit(unsigned int flags);
int cuDeviceGet(int* device, int ordinal);
int cuDevicePrimaryCtxRetain(CUcontext* context, int device);
int cuCtxSetCurrent(CUcontext context);
int cuCtxSynchronize(void);
int cuStreamCreate(CUstream* stream, unsigned int flags);
int cuStreamSynchronize(CUstream stream);
int cuStreamWaitEvent(CUstream stream, CUevent event, unsigned int flags);
int cuEventCreate(CUevent* event, unsigned int flags);
int cuEventRecord(CUevent event, CUstream stream);
int cuEventSynchronize(CUevent event);
int cuEventQuery(CUevent event);
int cuMemAlloc_v2(CUdeviceptr* address, size_t bytes);
int cuMemFree_v2(CUdeviceptr address);
int cuMemAllocHost_v2(void** host, size_t bytes);
int cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream);
int cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, CUstream stream);
int cuModuleLoadData(CUmodule* module, const void* image);
int cuModuleGetFunction(CUfunction* function, CUmodule module, const char* name);
int cuLaunchKernel(CUfunction f, unsigned int gridX, unsigned int gridY, unsigned int gridZ, unsigned int blockX,
                   unsigned int blockY, unsigned int blockZ, unsigned int sharedBytes, CUstream stream,
                   void** params, void** extra);

int cublasCreate_v2(cublasHandle_t* handle);
int cublasSetStream_v2(cublasHandle_t handle, CUstream stream);
int cublasSgemm_v2(cublasHandle_t handle, int transa, int transb, int m, int n, int k, const float* alpha,
                   const float* a, int lda, const float* b, int ldb, const float* beta, float* c, int ldc);
}

namespace {

enum : int {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_OP_N = 0,
    CUBLAS_OP_T = 1,
};

constexpr uint32_t FRESH_POISON = 0x7fbadbad;
constexpr uint32_t FREED_POISON = 0x7fdeadde;

// A grid far larger than its data: every thread is one host call on the stand-in, so work queued
// behind this launch cannot start for tens of milliseconds (it only checks its index on a GPU).
constexpr unsigned SLOW_BLOCKS = 65535, SLOW_THREADS = 256;
constexpr long long SLOW_N = 4096;

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void require(bool ok, const std::string& what) {
    if (!ok) throw Failure(what);
}

// Asserts the exact code a call returned.
void expect(int got, int want, const std::string& call) {
    if (got != want) {
        throw Failure(call + " returned " + std::to_string(got) + ", expected " + std::to_string(want));
    }
}

void ok(int got, const std::string& call) {
    expect(got, CUDA_SUCCESS, call);
}

std::string hex(uint32_t v) {
    char s[16];
    std::snprintf(s, sizeof s, "0x%08x", v);
    return s;
}

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

// The first word of count at p that differs from want, or "" when all match.
std::string first_mismatch(const void* p, size_t count, uint32_t want) {
    const uint32_t* w = static_cast<const uint32_t*>(p);
    for (size_t i = 0; i < count; i++) {
        if (w[i] != want) return "word " + std::to_string(i) + " is " + hex(w[i]) + ", not " + hex(want);
    }
    return "";
}

std::string first_mismatch(const float* got, const std::vector<float>& want) {
    for (size_t i = 0; i < want.size(); i++) {
        if (bits(got[i]) != bits(want[i])) {
            return "element " + std::to_string(i) + " is " + hex(bits(got[i])) + " (" + std::to_string(got[i])
                + "), not " + std::to_string(want[i]);
        }
    }
    return "";
}

std::string elementwise_ptx; // read by the parent, before any child exists

// ---- what each child sets up ------------------------------------------------------------------------------

CUcontext context;
CUstream stream;
CUfunction add_fn, scale_fn;

// A current context, a stream and the elementwise kernels.
void setup_context() {
    int device;
    ok(cuInit(0), "cuInit");
    ok(cuDeviceGet(&device, 0), "cuDeviceGet");
    ok(cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
    ok(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    ok(cuStreamCreate(&stream, 0), "cuStreamCreate");
    CUmodule module;
    ok(cuModuleLoadData(&module, elementwise_ptx.c_str()), "cuModuleLoadData(elementwise.ptx)");
    ok(cuModuleGetFunction(&add_fn, module, "add"), "cuModuleGetFunction(add)");
    ok(cuModuleGetFunction(&scale_fn, module, "scale"), "cuModuleGetFunction(scale)");
}

CUdeviceptr device_alloc(size_t bytes) {
    CUdeviceptr p;
    ok(cuMemAlloc_v2(&p, bytes), "cuMemAlloc(" + std::to_string(bytes) + ")");
    return p;
}

float* pinned(size_t count) {
    void* p;
    ok(cuMemAllocHost_v2(&p, count * 4), "cuMemAllocHost(" + std::to_string(count * 4) + ")");
    return static_cast<float*>(p);
}

// add(a, b, out, n): out[i] = a[i] + b[i] over a grid-stride loop.
int launch_add(CUdeviceptr a, CUdeviceptr b, CUdeviceptr out, long long n, unsigned grid = 0,
               unsigned block = 256, unsigned shared = 0, unsigned grid_y = 1) {
    if (grid == 0) grid = static_cast<unsigned>((n + block - 1) / block);
    void* params[] = {&a, &b, &out, &n};
    return cuLaunchKernel(add_fn, grid, grid_y, 1, block, 1, 1, shared, stream, params, nullptr);
}

// scale(x, alpha, out, n): out[i] = alpha * x[i].
int launch_scale(CUdeviceptr x, float alpha, CUdeviceptr out, long long n) {
    void* params[] = {&x, &alpha, &out, &n};
    return cuLaunchKernel(scale_fn, static_cast<unsigned>((n + 255) / 256), 1, 1, 256, 1, 1, 0, stream, params,
                          nullptr);
}

// Queues the slow launch on the case's stream, over buffers of its own that no case reads.
void queue_slow_kernel() {
    static CUdeviceptr a = 0, b, out;
    if (a == 0) {
        a = device_alloc(SLOW_N * 4);
        b = device_alloc(SLOW_N * 4);
        out = device_alloc(SLOW_N * 4);
    }
    ok(launch_add(a, b, out, SLOW_N, SLOW_BLOCKS, SLOW_THREADS), "cuLaunchKernel(slow add)");
}

void upload(CUdeviceptr d, const std::vector<float>& v) {
    float* h = pinned(v.size());
    std::memcpy(h, v.data(), v.size() * 4);
    ok(cuMemcpyHtoDAsync_v2(d, h, v.size() * 4, stream), "cuMemcpyHtoDAsync");
    ok(cuStreamSynchronize(stream), "cuStreamSynchronize");
}

// Copies back through pinned memory after a synchronisation; the pinned buffer is returned.
float* download(CUdeviceptr d, size_t count) {
    float* h = pinned(count);
    ok(cuMemcpyDtoHAsync_v2(h, d, count * 4, stream), "cuMemcpyDtoHAsync");
    ok(cuStreamSynchronize(stream), "cuStreamSynchronize");
    return h;
}

std::vector<float> ramp(size_t count, float scale) {
    std::vector<float> v(count);
    for (size_t i = 0; i < count; i++) v[i] = scale * static_cast<float>(i + 1);
    return v;
}

// ---- the cases ------------------------------------------------------------------------------------------

// 1. The current context is per OS thread: another thread has none until it sets one.
std::string no_context_on_other_thread() {
    int first = -1, after = -1, freed = -1;
    std::thread t([&] {
        CUdeviceptr p;
        first = cuMemAlloc_v2(&p, 256);
        if (cuCtxSetCurrent(context) != CUDA_SUCCESS) return;
        after = cuMemAlloc_v2(&p, 256);
        if (after == CUDA_SUCCESS) freed = cuMemFree_v2(p);
    });
    t.join();
    expect(first, CUDA_ERROR_INVALID_CONTEXT, "cuMemAlloc on a thread without a current context");
    ok(after, "cuMemAlloc on that thread after cuCtxSetCurrent");
    ok(freed, "cuMemFree on that thread");
    return "INVALID_CONTEXT, then SUCCESS";
}

// 2. Fresh device memory holds the fresh poison, also where a freed block's address comes back.
std::string fresh_memory_poisoned() {
    constexpr size_t n = 1000;
    float* host = pinned(n);
    std::string bad = first_mismatch(host, n, FRESH_POISON);
    require(bad.empty(), "fresh pinned memory: " + bad);
    CUdeviceptr d = device_alloc(n * 4);
    bad = first_mismatch(download(d, n), n, FRESH_POISON);
    require(bad.empty(), "fresh device memory: " + bad);
    upload(d, ramp(n, 1.0f));
    ok(cuMemFree_v2(d), "cuMemFree");
    ok(cuCtxSynchronize(), "cuCtxSynchronize"); // the device is idle: the quarantine ends
    CUdeviceptr again = device_alloc(n * 4);
    bad = first_mismatch(download(again, n), n, FRESH_POISON);
    require(bad.empty(), "reallocated device memory: " + bad);
    return std::string("all ") + hex(FRESH_POISON) + (again == d ? " (the freed address came back)" : "");
}

// 3. Async copies from or to pageable memory are refused: the backend means them to overlap.
std::string async_copies_need_pinned() {
    constexpr size_t n = 256;
    CUdeviceptr d = device_alloc(n * 4);
    std::vector<float> pageable(n, 1.0f);
    float* host = pinned(n);
    expect(cuMemcpyHtoDAsync_v2(d, pageable.data(), n * 4, stream), CUDA_ERROR_INVALID_VALUE,
           "cuMemcpyHtoDAsync from malloc memory");
    expect(cuMemcpyDtoHAsync_v2(pageable.data(), d, n * 4, stream), CUDA_ERROR_INVALID_VALUE,
           "cuMemcpyDtoHAsync to malloc memory");
    expect(cuMemcpyHtoDAsync_v2(d, host + 1, n * 4, stream), CUDA_ERROR_INVALID_VALUE,
           "cuMemcpyHtoDAsync from a range that runs past its pinned block");
    ok(cuMemcpyHtoDAsync_v2(d, host, n * 4, stream), "cuMemcpyHtoDAsync from cuMemAllocHost memory");
    ok(cuMemcpyDtoHAsync_v2(host, d, n * 4, stream), "cuMemcpyDtoHAsync to cuMemAllocHost memory");
    ok(cuStreamSynchronize(stream), "cuStreamSynchronize");
    return "pageable INVALID_VALUE, pinned SUCCESS";
}

// 4. A host read of a device-to-host copy's destination without a synchronisation sees poison.
std::string dtoh_poisoned_until_sync() {
    constexpr size_t n = 1024;
    CUdeviceptr d = device_alloc(n * 4);
    std::vector<float> data = ramp(n, 0.5f);
    upload(d, data);
    float* host = pinned(n);
    std::memcpy(host, data.data(), n * 4); // what a missing synchronisation would wrongly see
    auto start = std::chrono::steady_clock::now();
    queue_slow_kernel();
    ok(cuMemcpyDtoHAsync_v2(host, d, n * 4, stream), "cuMemcpyDtoHAsync");
    std::string bad = first_mismatch(host, n, FRESH_POISON);
    require(bad.empty(), "read before cuStreamSynchronize: " + bad);
    ok(cuStreamSynchronize(stream), "cuStreamSynchronize");
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    bad = first_mismatch(host, data);
    require(bad.empty(), "read after cuStreamSynchronize: " + bad);
    char s[96];
    std::snprintf(s, sizeof s, "poison before, data after (behind a %.0f ms kernel)", ms);
    return s;
}

// 5. A host-to-device copy reads its pinned source when it runs: a staging buffer reused before
// the copy's event completes changes what arrives.
std::string htod_reads_source_late() {
    constexpr size_t n = 1024;
    CUdeviceptr d = device_alloc(n * 4);
    float* host = pinned(n);
    std::vector<float> queued = ramp(n, 1.0f), overwritten = ramp(n, -1.0f);
    std::memcpy(host, queued.data(), n * 4);
    queue_slow_kernel();
    ok(cuMemcpyHtoDAsync_v2(d, host, n * 4, stream), "cuMemcpyHtoDAsync");
    std::memcpy(host, overwritten.data(), n * 4);
    ok(cuStreamSynchronize(stream), "cuStreamSynchronize");
    std::string bad = first_mismatch(download(d, n), overwritten);
    require(bad.empty(), "the device does not hold the overwritten source: " + bad);
    return "the device holds the values written after the copy was queued";
}

// 6. Pointer arguments are checked against live device blocks at launch. A refused launch queues
// nothing and leaves the context usable, so the refusals can follow one another here.
std::string launch_pointer_checks() {
    constexpr long long n = 256;
    CUdeviceptr a = device_alloc(n * 4), b = device_alloc(n * 4), out = device_alloc(n * 4);
    std::vector<float> host(n);
    CUdeviceptr host_pointer = reinterpret_cast<CUdeviceptr>(host.data());
    expect(launch_add(a, b, host_pointer, n), CUDA_ERROR_ILLEGAL_ADDRESS, "cuLaunchKernel(add) with a host pointer");
    expect(launch_add(a, 1234, out, n), CUDA_ERROR_ILLEGAL_ADDRESS, "cuLaunchKernel(add) with pointer 1234");
    expect(launch_scale(1234, 2.0f, out, n), CUDA_ERROR_ILLEGAL_ADDRESS, "cuLaunchKernel(scale) with pointer 1234");
    ok(launch_add(a, b, out, n), "cuLaunchKernel(add) with live blocks");
    ok(cuStreamSynchronize(stream), "cuStreamSynchronize");
    ok(cuMemFree_v2(b), "cuMemFree");
    expect(launch_add(a, b, out, n), CUDA_ERROR_ILLEGAL_ADDRESS, "cuLaunchKernel(add) with a freed block (quarantined)");
    ok(cuCtxSynchronize(), "cuCtxSynchronize"); // the quarantine ends: the address is no block at all
    expect(launch_add(a, b, out, n), CUDA_ERROR_ILLEGAL_ADDRESS, "cuLaunchKernel(add) with a freed block (released)");
    return "host pointer, 1234 and freed block: ILLEGAL_ADDRESS";
}

// 7. A kernel that writes past its block breaks the guard zone: a sticky error, as on a GPU.
std::string write_past_end_sticky() {
    constexpr long long n = 1000;
    CUdeviceptr a = device_alloc((n + 1) * 4), b = device_alloc((n + 1) * 4), out = device_alloc(n * 4);
    upload(a, ramp(n + 1, 1.0f));
    upload(b, ramp(n + 1, 1.0f));
    float* host = pinned(n);
    queue_slow_kernel(); // so the fault cannot come before the copy below is queued
    ok(launch_add(a, b, out, n + 1), "cuLaunchKernel(add, n + 1) into n floats"); // only 1 byte is checked
    // Work queued behind the faulting kernel never runs, as on a GPU: the copy leaves its poison.
    ok(cuMemcpyDtoHAsync_v2(host, a, n * 4, stream), "cuMemcpyDtoHAsync behind the kernel");
    expect(cuStreamSynchronize(stream), CUDA_ERROR_ILLEGAL_ADDRESS, "cuStreamSynchronize");
    std::string bad = first_mismatch(host, n, FRESH_POISON);
    require(bad.empty(), "the copy queued behind the faulting kernel ran: " + bad);
    CUdeviceptr p;
    expect(cuMemAlloc_v2(&p, 256), CUDA_ERROR_ILLEGAL_ADDRESS, "cuMemAlloc after the fault");
    expect(cuCtxSynchronize(), CUDA_ERROR_ILLEGAL_ADDRESS, "cuCtxSynchronize after the fault");
    expect(launch_add(a, b, out, n), CUDA_ERROR_ILLEGAL_ADDRESS, "cuLaunchKernel after the fault");
    return "later work skipped; sync, alloc, ctx sync, launch: ILLEGAL_ADDRESS";
}

// 8. Launch configurations outside the device's limits are refused; the limits themselves pass.
std::string launch_limits() {
    constexpr long long n = 1024;
    CUdeviceptr a = device_alloc(n * 4), b = device_alloc(n * 4), out = device_alloc(n * 4);
    expect(launch_add(a, b, out, n, 1, 2048), CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel with 2048 threads a block");
    expect(launch_add(a, b, out, n, 1, 256, 0, 70000), CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel with grid y 70000");
    expect(launch_add(a, b, out, n, 1, 256, 100000), CUDA_ERROR_INVALID_VALUE,
           "cuLaunchKernel with 100000 bytes of shared memory");
    ok(launch_add(a, b, out, n, 1, 1024), "cuLaunchKernel with 1024 threads a block");
    ok(launch_add(a, b, out, n, 1, 1, 0, 65535), "cuLaunchKernel with grid y 65535");
    ok(launch_add(a, b, out, n, 1, 256, 48 << 10), "cuLaunchKernel with 48 KiB of shared memory");
    ok(cuStreamSynchronize(stream), "cuStreamSynchronize");
    return "INVALID_VALUE past each limit, SUCCESS at it";
}

std::string with_version(const std::string& ptx, const std::string& version) {
    size_t at = ptx.find(".version ");
    require(at != std::string::npos, "elementwise.ptx has no .version line");
    size_t end = ptx.find('\n', at);
    return ptx.substr(0, at) + ".version " + version + ptx.substr(end);
}

// 9a. PTX of an ISA newer than the reported driver reads is refused.
std::string ptx_version_checked() {
    std::string newer = with_version(elementwise_ptx, "9.0");
    CUmodule module;
    ok(cuModuleLoadData(&module, elementwise_ptx.c_str()), "cuModuleLoadData(elementwise.ptx) with CUDA 12.0");
    expect(cuModuleLoadData(&module, newer.c_str()), CUDA_ERROR_UNSUPPORTED_PTX_VERSION,
           "cuModuleLoadData(.version 9.0) with CUDA 12.0");
    setenv("STANDIN_DRIVER_VERSION", "13000", 1); // read at each call
    ok(cuModuleLoadData(&module, newer.c_str()), "cuModuleLoadData(.version 9.0) with CUDA 13.0");
    CUfunction f;
    ok(cuModuleGetFunction(&f, module, "add"), "cuModuleGetFunction(add) from the ISA 9.0 module");
    return "UNSUPPORTED_PTX_VERSION with 12.0, loads with 13.0";
}

// 9b. An entry whose PTX parameters differ from the kernel's C parameters is refused.
std::string ptx_parameters_checked() {
    const std::string declaration = ".param .u64 add_param_1,";
    size_t at = elementwise_ptx.find(declaration);
    require(at != std::string::npos, "elementwise.ptx does not declare add_param_1");
    size_t begin = elementwise_ptx.rfind('\n', at) + 1, end = elementwise_ptx.find('\n', at) + 1;
    std::string missing = elementwise_ptx.substr(0, begin) + elementwise_ptx.substr(end);
    CUmodule module;
    ok(cuModuleLoadData(&module, missing.c_str()), "cuModuleLoadData(add with 3 parameters)");
    CUfunction f;
    expect(cuModuleGetFunction(&f, module, "add"), CUDA_ERROR_INVALID_PTX, "cuModuleGetFunction(add)");
    ok(cuModuleGetFunction(&f, module, "scale"), "cuModuleGetFunction(scale) from the same module");
    return "INVALID_PTX for add, scale unaffected";
}

// 10. cuMemFree takes only the start of a live block; freed memory holds the freed poison.
std::string free_checks() {
    constexpr size_t n = 256;
    CUdeviceptr d = device_alloc(n * 4);
    upload(d, ramp(n, 1.0f));
    expect(cuMemFree_v2(d + 4), CUDA_ERROR_INVALID_VALUE, "cuMemFree(base + 4)");
    ok(cuMemFree_v2(d), "cuMemFree(base)");
    expect(cuMemFree_v2(d), CUDA_ERROR_INVALID_VALUE, "cuMemFree(base) again (quarantined)");
    // The stand-in's device addresses are host addresses: the quarantined block can be looked at.
    std::string bad = first_mismatch(reinterpret_cast<const void*>(d), n, FREED_POISON);
    require(bad.empty(), "freed block: " + bad);
    ok(cuCtxSynchronize(), "cuCtxSynchronize");
    expect(cuMemFree_v2(d), CUDA_ERROR_INVALID_VALUE, "cuMemFree(base) again (released)");
    return std::string("INVALID_VALUE; freed words ") + hex(FREED_POISON);
}

// 11a. A block freed while a kernel that writes it is still queued: the kernel faults, sticky.
std::string free_while_queued() {
    constexpr long long n = 1024;
    CUdeviceptr a = device_alloc(n * 4), b = device_alloc(n * 4), out = device_alloc(n * 4);
    queue_slow_kernel(); // so the add below has not started when its output is freed
    ok(launch_add(a, b, out, n), "cuLaunchKernel(add)");
    ok(cuMemFree_v2(out), "cuMemFree of the queued kernel's output");
    expect(cuCtxSynchronize(), CUDA_ERROR_ILLEGAL_ADDRESS, "cuCtxSynchronize");
    CUdeviceptr p;
    expect(cuMemAlloc_v2(&p, 256), CUDA_ERROR_ILLEGAL_ADDRESS, "cuMemAlloc after the fault");
    return "ILLEGAL_ADDRESS at cuCtxSynchronize, sticky";
}

// 11b. A late write into a quarantined block (what work still in flight at cuMemFree would do) is
// found when the quarantine ends.
std::string write_after_free_caught() {
    constexpr size_t n = 256;
    CUdeviceptr d = device_alloc(n * 4);
    ok(cuMemFree_v2(d), "cuMemFree");
    reinterpret_cast<float*>(d)[n / 2] = 1.0f; // the stand-in's device addresses are host addresses
    expect(cuCtxSynchronize(), CUDA_ERROR_ILLEGAL_ADDRESS, "cuCtxSynchronize");
    CUdeviceptr p;
    expect(cuMemAlloc_v2(&p, 256), CUDA_ERROR_ILLEGAL_ADDRESS, "cuMemAlloc after the fault");
    return "ILLEGAL_ADDRESS at cuCtxSynchronize, sticky";
}

cublasHandle_t blas() {
    cublasHandle_t h;
    expect(cublasCreate_v2(&h), CUBLAS_STATUS_SUCCESS, "cublasCreate");
    expect(cublasSetStream_v2(h, stream), CUBLAS_STATUS_SUCCESS, "cublasSetStream");
    return h;
}

// 12a. SGEMM refuses leading dimensions below their matrix's rows and operands past their block.
std::string sgemm_operands_checked() {
    cublasHandle_t h = blas();
    const float one = 1.0f, zero = 0.0f;
    // C (3x4) = A (3x2) B (2x4), column-major, each in a block of exactly its size.
    float* a = reinterpret_cast<float*>(device_alloc(6 * 4));
    float* b = reinterpret_cast<float*>(device_alloc(8 * 4));
    float* c = reinterpret_cast<float*>(device_alloc(16 * 4)); // room for 4x4: only A runs out below
    auto gemm = [&](int ta, int tb, int m, int n, int k, int lda, int ldb, int ldc) {
        return cublasSgemm_v2(h, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, ldc);
    };
    expect(gemm(CUBLAS_OP_N, CUBLAS_OP_N, 3, 4, 2, 2, 2, 3), CUBLAS_STATUS_INVALID_VALUE, "NN lda 2 < m 3");
    expect(gemm(CUBLAS_OP_T, CUBLAS_OP_N, 3, 4, 2, 1, 2, 3), CUBLAS_STATUS_INVALID_VALUE, "TN lda 1 < k 2");
    expect(gemm(CUBLAS_OP_N, CUBLAS_OP_N, 3, 4, 2, 3, 1, 3), CUBLAS_STATUS_INVALID_VALUE, "NN ldb 1 < k 2");
    expect(gemm(CUBLAS_OP_N, CUBLAS_OP_T, 3, 4, 2, 3, 2, 3), CUBLAS_STATUS_INVALID_VALUE, "NT ldb 2 < n 4");
    expect(gemm(CUBLAS_OP_N, CUBLAS_OP_N, 3, 4, 2, 3, 2, 2), CUBLAS_STATUS_INVALID_VALUE, "NN ldc 2 < m 3");
    expect(gemm(CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 2, 4, 2, 4), CUBLAS_STATUS_INVALID_VALUE,
           "NN m 4: A (4x2) runs past its 6-float block");
    expect(gemm(CUBLAS_OP_N, CUBLAS_OP_N, 3, 5, 2, 3, 2, 3), CUBLAS_STATUS_INVALID_VALUE,
           "NN n 5: B (2x5) runs past its 8-float block");
    expect(gemm(CUBLAS_OP_N, CUBLAS_OP_N, 3, 4, 2, 3, 2, 3), CUBLAS_STATUS_SUCCESS, "NN with fitting operands");
    ok(cuStreamSynchronize(stream), "cuStreamSynchronize");
    return "INVALID_VALUE for lda, ldb, ldc and both extents";
}

// 12b. C = A B for every transpose combination, against a naive loop (small integers: exact).
std::string sgemm_products() {
    cublasHandle_t h = blas();
    const int m = 3, n = 4, k = 2;
    // op(A) m x k and op(B) k x n by value; stored transposed where the operation says so, with a
    // leading dimension one larger than the stored rows.
    auto op_a = [](int i, int p) { return static_cast<float>(1 + i + 3 * p); };
    auto op_b = [](int p, int j) { return static_cast<float>(2 * p - j + 1); };
    std::vector<float> want(m * n);
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            float s = 0;
            for (int p = 0; p < k; p++) s += op_a(i, p) * op_b(p, j);
            want[i + j * m] = s;
        }
    }
    const float one = 1.0f, zero = 0.0f;
    std::string done;
    for (int ta : {CUBLAS_OP_N, CUBLAS_OP_T}) {
        for (int tb : {CUBLAS_OP_N, CUBLAS_OP_T}) {
            int a_rows = ta == CUBLAS_OP_N ? m : k, a_cols = ta == CUBLAS_OP_N ? k : m;
            int b_rows = tb == CUBLAS_OP_N ? k : n, b_cols = tb == CUBLAS_OP_N ? n : k;
            int lda = a_rows + 1, ldb = b_rows + 1;
            std::vector<float> a(lda * a_cols, -1000.0f), b(ldb * b_cols, -1000.0f);
            for (int i = 0; i < m; i++)
                for (int p = 0; p < k; p++) (ta == CUBLAS_OP_N ? a[i + p * lda] : a[p + i * lda]) = op_a(i, p);
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++) (tb == CUBLAS_OP_N ? b[p + j * ldb] : b[j + p * ldb]) = op_b(p, j);
            CUdeviceptr da = device_alloc(a.size() * 4), db = device_alloc(b.size() * 4), dc = device_alloc(m * n * 4);
            upload(da, a);
            upload(db, b);
            std::string name = std::string(ta == CUBLAS_OP_N ? "N" : "T") + (tb == CUBLAS_OP_N ? "N" : "T");
            // beta 0 on fresh (NaN) C: BLAS ignores C then.
            expect(cublasSgemm_v2(h, ta, tb, m, n, k, &one, reinterpret_cast<float*>(da), lda,
                                  reinterpret_cast<float*>(db), ldb, &zero, reinterpret_cast<float*>(dc), m),
                   CUBLAS_STATUS_SUCCESS, "cublasSgemm " + name);
            std::string bad = first_mismatch(download(dc, m * n), want);
            require(bad.empty(), name + ": " + bad);
            done += (done.empty() ? "" : " ") + name;
        }
    }
    return done + " match";
}

// 13a. An event recorded after work orders the host's read of that work's result.
std::string event_orders_host_read() {
    constexpr size_t n = 1024;
    CUdeviceptr d = device_alloc(n * 4);
    std::vector<float> data = ramp(n, 2.0f);
    upload(d, data);
    float* host = pinned(n);
    CUevent event;
    ok(cuEventCreate(&event, 0), "cuEventCreate");
    queue_slow_kernel();
    ok(cuMemcpyDtoHAsync_v2(host, d, n * 4, stream), "cuMemcpyDtoHAsync");
    ok(cuEventRecord(event, stream), "cuEventRecord");
    expect(cuEventQuery(event), CUDA_ERROR_NOT_READY, "cuEventQuery behind the slow kernel");
    ok(cuEventSynchronize(event), "cuEventSynchronize");
    ok(cuEventQuery(event), "cuEventQuery after cuEventSynchronize");
    std::string bad = first_mismatch(host, data);
    require(bad.empty(), "read after cuEventSynchronize: " + bad);
    return "NOT_READY before, data after cuEventSynchronize";
}

// 13b. cuStreamWaitEvent makes another stream's copy wait for the kernel that writes its source.
std::string event_orders_other_stream() {
    constexpr long long n = 1024;
    CUstream other;
    ok(cuStreamCreate(&other, 0), "cuStreamCreate");
    CUdeviceptr a = device_alloc(n * 4), b = device_alloc(n * 4), out = device_alloc(n * 4);
    upload(a, ramp(n, 1.0f));
    upload(b, ramp(n, 2.0f));
    float* host = pinned(n);
    CUevent event;
    ok(cuEventCreate(&event, 0), "cuEventCreate");
    queue_slow_kernel();
    ok(launch_add(a, b, out, n), "cuLaunchKernel(add)");
    ok(cuEventRecord(event, stream), "cuEventRecord");
    ok(cuStreamWaitEvent(other, event, 0), "cuStreamWaitEvent");
    ok(cuMemcpyDtoHAsync_v2(host, out, n * 4, other), "cuMemcpyDtoHAsync on the other stream");
    ok(cuStreamSynchronize(other), "cuStreamSynchronize(other)");
    std::string bad = first_mismatch(host, ramp(n, 3.0f));
    require(bad.empty(), "the other stream read the sum before it was written: " + bad);
    ok(cuCtxSynchronize(), "cuCtxSynchronize");
    return "the other stream's copy saw the kernel's result";
}

// ---- one child process per case ------------------------------------------------------------------------

int failures = 0, cases = 0;

// Runs body in a child with a fresh context; prints PASS or FAIL with the child's detail.
void run_case(const std::string& name, const std::function<std::string()>& body) {
    cases++;
    std::fflush(stdout);
    std::fflush(stderr);
    int fds[2];
    if (pipe(fds) != 0) {
        std::perror("pipe");
        std::exit(2);
    }
    pid_t pid = fork();
    if (pid < 0) {
        std::perror("fork");
        std::exit(2);
    }
    if (pid == 0) {
        close(fds[0]);
        alarm(20); // a hang (a wait that never ends) fails the case instead of the run
        std::string detail;
        int code = 0;
        try {
            setup_context();
            detail = body();
        } catch (const std::exception& e) {
            detail = e.what();
            code = 1;
        }
        for (size_t done = 0; done < detail.size();) {
            ssize_t w = write(fds[1], detail.data() + done, detail.size() - done);
            if (w <= 0) break;
            done += static_cast<size_t>(w);
        }
        std::fflush(stderr);
        _exit(code); // no exit handlers: the stand-in's stream threads are still running
    }
    close(fds[1]);
    std::string detail;
    char buf[512];
    for (ssize_t r; (r = read(fds[0], buf, sizeof buf)) > 0;) detail.append(buf, static_cast<size_t>(r));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    bool passed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (WIFSIGNALED(status)) {
        detail = std::string("child killed by signal ") + std::to_string(WTERMSIG(status))
            + (WTERMSIG(status) == SIGALRM ? " (timed out)" : "") + (detail.empty() ? "" : ": " + detail);
    }
    if (!passed) failures++;
    std::printf("%s  %-66s %s\n", passed ? "PASS" : "FAIL", name.c_str(), detail.c_str());
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s PTX_DIR (cuda-kernels/src/main/ptx)\n", argv[0]);
        return 2;
    }
    std::string ptx_dir = argv[1];
    std::ifstream in(ptx_dir + "/elementwise.ptx");
    if (!in) {
        std::printf("FAIL  setup: cannot read %s/elementwise.ptx\n", ptx_dir.c_str());
        return 1;
    }
    elementwise_ptx.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    run_case("1  thread without a current context", no_context_on_other_thread);
    run_case("2  fresh memory reads as the fresh poison", fresh_memory_poisoned);
    run_case("3  async copies need pinned memory", async_copies_need_pinned);
    run_case("4  DtoH destination is poison until synchronised", dtoh_poisoned_until_sync);
    run_case("5  HtoD copy reads its pinned source when it runs", htod_reads_source_late);
    run_case("6  launch with a non-device or freed pointer argument", launch_pointer_checks);
    run_case("7  kernel writing past its block: sticky error", write_past_end_sticky);
    run_case("8  launch limits", launch_limits);
    run_case("9a PTX ISA newer than the driver", ptx_version_checked);
    run_case("9b PTX parameters that differ from the kernel's", ptx_parameters_checked);
    run_case("10 cuMemFree of an interior address, double free", free_checks);
    run_case("11a block freed while a kernel writing it is queued", free_while_queued);
    run_case("11b write into a freed block before the quarantine ends", write_after_free_caught);
    run_case("12a SGEMM leading dimensions and operand extents", sgemm_operands_checked);
    run_case("12b SGEMM products, every transpose combination", sgemm_products);
    run_case("13a event synchronisation orders a host read", event_orders_host_read);
    run_case("13b stream wait on an event orders another stream", event_orders_other_stream);
    std::printf("%d of %d cases passed\n", cases - failures, cases);
    return failures == 0 ? 0 : 1;
}
