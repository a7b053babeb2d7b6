// Self-test of the cuDNN stand-in against the golden fixtures that real PyTorch wrote
// (tensor/src/test/resources/golden/ops): every convolution algorithm of every pass, and batch
// norm training, inference and backward, called through the C APIs of libcuda.so.1 and
// libcudnn.so.9 as a user would. The stand-in checks the CUDA backend, so it is checked against
// numbers it did not compute itself. Usage: cudnn_golden_test FIXTURE_DIR; one line per case,
// exit status 1 when any case fails.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

// ---- the driver and cuDNN C APIs, declared as their headers do ---------------------------------------

typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st* CUcontext;
typedef struct CUstream_st* CUstream;

extern "C" {
int cuInit(unsigned int flags);
int cuDeviceGet(int* device, int ordinal);
int cuDevicePrimaryCtxRetain(CUcontext* context, int device);
int cuCtxSetCurrent(CUcontext context);
int cuStreamCreate(CUstream* stream, unsigned int flags);
int cuStreamSynchronize(CUstream stream);
int cuMemAlloc_v2(CUdeviceptr* address, size_t bytes);
int cuMemFree_v2(CUdeviceptr address);
int cuMemAllocHost_v2(void** host, size_t bytes);
int cuMemFreeHost(void* host);
int cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream);
int cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, CUstream stream);
}

typedef struct cudnnContext* cudnnHandle_t;
typedef struct cudnnTensorStruct* cudnnTensorDescriptor_t;
typedef struct cudnnFilterStruct* cudnnFilterDescriptor_t;
typedef struct cudnnConvolutionStruct* cudnnConvolutionDescriptor_t;

struct cudnnConvolutionAlgoPerf_t { // the Fwd, BwdData and BwdFilter perf structs share this layout
    int algo;
    int status;
    float time;
    size_t memory;
    int determinism;
    int mathType;
    int reserved[3];
};

enum {
    CUDNN_STATUS_SUCCESS = 0,
    CUDNN_STATUS_BAD_PARAM = 2000,
    CUDNN_STATUS_NOT_SUPPORTED = 3000,
    CUDNN_DATA_FLOAT = 0,
    CUDNN_TENSOR_NCHW = 0,
    CUDNN_CROSS_CORRELATION = 1,
    CUDNN_DEFAULT_MATH = 0,
    CUDNN_TENSOR_OP_MATH = 1,
    CUDNN_FMA_MATH = 3,
    CUDNN_BATCHNORM_SPATIAL = 1,
    CUDNN_CONVOLUTION_FWD_ALGO_COUNT = 8,
    CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT = 6,
    CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT = 7,
};

extern "C" {
size_t cudnnGetVersion(void);
const char* cudnnGetErrorString(int status);
int cudnnCreate(cudnnHandle_t* handle);
int cudnnDestroy(cudnnHandle_t handle);
int cudnnSetStream(cudnnHandle_t handle, CUstream stream);
int cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t* desc);
int cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t desc, int format, int dataType, int n, int c, int h, int w);
int cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t desc);
int cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t* desc);
int cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t desc, int dataType, int format, int k, int c, int h, int w);
int cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t desc);
int cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t* desc);
int cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t desc, int pad_h, int pad_w, int u, int v,
                                    int dilation_h, int dilation_w, int mode, int computeType);
int cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t desc, int groupCount);
int cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t desc, int mathType);
int cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t desc);
int cudnnGetConvolution2dForwardOutputDim(cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t x,
                                          cudnnFilterDescriptor_t w, int* n, int* c, int* h, int* wd);
int cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
                                            cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t y, int algo,
                                            size_t* size);
int cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t, cudnnFilterDescriptor_t w, cudnnTensorDescriptor_t dy,
                                                 cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t dx, int algo,
                                                 size_t* size);
int cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t, cudnnTensorDescriptor_t x,
                                                   cudnnTensorDescriptor_t dy, cudnnConvolutionDescriptor_t,
                                                   cudnnFilterDescriptor_t dw, int algo, size_t* size);
int cudnnFindConvolutionForwardAlgorithmEx(cudnnHandle_t, cudnnTensorDescriptor_t, const void* x,
                                           cudnnFilterDescriptor_t, const void* w, cudnnConvolutionDescriptor_t,
                                           cudnnTensorDescriptor_t, void* y, int requested, int* returned,
                                           cudnnConvolutionAlgoPerf_t* perf, void* ws, size_t wsBytes);
int cudnnFindConvolutionBackwardDataAlgorithmEx(cudnnHandle_t, cudnnFilterDescriptor_t, const void* w,
                                                cudnnTensorDescriptor_t, const void* dy, cudnnConvolutionDescriptor_t,
                                                cudnnTensorDescriptor_t, void* dx, int requested, int* returned,
                                                cudnnConvolutionAlgoPerf_t* perf, void* ws, size_t wsBytes);
int cudnnFindConvolutionBackwardFilterAlgorithmEx(cudnnHandle_t, cudnnTensorDescriptor_t, const void* x,
                                                  cudnnTensorDescriptor_t, const void* dy,
                                                  cudnnConvolutionDescriptor_t, cudnnFilterDescriptor_t, void* dw,
                                                  int requested, int* returned, cudnnConvolutionAlgoPerf_t* perf,
                                                  void* ws, size_t wsBytes);
int cudnnConvolutionForward(cudnnHandle_t, const void* alpha, cudnnTensorDescriptor_t, const void* x,
                            cudnnFilterDescriptor_t, const void* w, cudnnConvolutionDescriptor_t, int algo, void* ws,
                            size_t wsBytes, const void* beta, cudnnTensorDescriptor_t, void* y);
int cudnnConvolutionBackwardData(cudnnHandle_t, const void* alpha, cudnnFilterDescriptor_t, const void* w,
                                 cudnnTensorDescriptor_t, const void* dy, cudnnConvolutionDescriptor_t, int algo,
                                 void* ws, size_t wsBytes, const void* beta, cudnnTensorDescriptor_t, void* dx);
int cudnnConvolutionBackwardFilter(cudnnHandle_t, const void* alpha, cudnnTensorDescriptor_t, const void* x,
                                   cudnnTensorDescriptor_t, const void* dy, cudnnConvolutionDescriptor_t, int algo,
                                   void* ws, size_t wsBytes, const void* beta, cudnnFilterDescriptor_t, void* dw);
int cudnnBatchNormalizationForwardTraining(cudnnHandle_t, int mode, const void* alpha, const void* beta,
                                           cudnnTensorDescriptor_t xDesc, const void* x, cudnnTensorDescriptor_t yDesc,
                                           void* y, cudnnTensorDescriptor_t bnDesc, const void* scale,
                                           const void* bias, double factor, void* runningMean, void* runningVar,
                                           double epsilon, void* saveMean, void* saveInvVariance);
int cudnnBatchNormalizationForwardInference(cudnnHandle_t, int mode, const void* alpha, const void* beta,
                                            cudnnTensorDescriptor_t xDesc, const void* x,
                                            cudnnTensorDescriptor_t yDesc, void* y, cudnnTensorDescriptor_t bnDesc,
                                            const void* scale, const void* bias, const void* mean, const void* var,
                                            double epsilon);
int cudnnBatchNormalizationBackward(cudnnHandle_t, int mode, const void* alphaDataDiff, const void* betaDataDiff,
                                    const void* alphaParamDiff, const void* betaParamDiff,
                                    cudnnTensorDescriptor_t xDesc, const void* x, cudnnTensorDescriptor_t dyDesc,
                                    const void* dy, cudnnTensorDescriptor_t dxDesc, void* dx,
                                    cudnnTensorDescriptor_t bnDesc, const void* scale, void* dScale, void* dBias,
                                    double epsilon, const void* savedMean, const void* savedInvVariance);
}

namespace {

constexpr double RTOL = 1e-5;        // strict FP32 algorithms and batch norm
constexpr double TF32_RTOL = 5e-3;   // the tensor-op (TF32) algorithms
constexpr uint32_t FRESH_POISON = 0x7fbadbad;

int failures = 0, cases = 0;

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void require(bool ok, const std::string& what) {
    if (!ok) throw Failure(what);
}

void cu(int r, const char* what) {
    if (r != 0) throw Failure(std::string(what) + " returned CUresult " + std::to_string(r));
}

void dnn(int r, const std::string& what) {
    if (r != CUDNN_STATUS_SUCCESS) throw Failure(what + " returned " + cudnnGetErrorString(r));
}

// Runs one named case: prints PASS or FAIL and its detail.
template <typename F>
void check_case(const std::string& name, F body) {
    cases++;
    try {
        std::string detail = body();
        std::printf("PASS  %-62s %s\n", name.c_str(), detail.c_str());
    } catch (const std::exception& e) {
        failures++;
        std::printf("FAIL  %-62s %s\n", name.c_str(), e.what());
    }
    std::fflush(stdout);
}

// ---- golden files -------------------------------------------------------------------------------------

struct Entry {
    std::vector<int> dims;
    std::vector<float> data;
};

std::map<std::string, Entry> read_gold(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure("cannot open " + path);
    std::vector<char> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t pos = 0;
    auto take = [&](void* dst, size_t n) {
        if (pos + n > buf.size()) throw Failure(path + ": truncated");
        std::memcpy(dst, buf.data() + pos, n); // the format is little-endian, as is this host
        pos += n;
    };
    char magic[8];
    take(magic, 8);
    if (std::memcmp(magic, "CVCTGOLD", 8) != 0) throw Failure(path + ": bad magic");
    uint32_t version, count;
    take(&version, 4);
    take(&count, 4);
    if (version != 1) throw Failure(path + ": unsupported version " + std::to_string(version));
    std::map<std::string, Entry> out;
    for (uint32_t i = 0; i < count; i++) {
        uint16_t len;
        take(&len, 2);
        std::string name(len, '\0');
        take(&name[0], len);
        uint8_t rank;
        take(&rank, 1);
        Entry e;
        size_t numel = 1;
        for (int d = 0; d < rank; d++) {
            int32_t v;
            take(&v, 4);
            e.dims.push_back(v);
            numel *= static_cast<size_t>(v);
        }
        e.data.resize(numel);
        take(e.data.data(), numel * 4);
        out[name] = std::move(e);
    }
    if (pos != buf.size()) throw Failure(path + ": trailing bytes");
    return out;
}

const Entry& entry(const std::map<std::string, Entry>& gold, const std::string& name) {
    auto it = gold.find(name);
    if (it == gold.end()) throw Failure("fixture has no entry " + name);
    return it->second;
}

float scalar(const std::map<std::string, Entry>& gold, const std::string& name) {
    return entry(gold, name).data.at(0);
}

// Normwise relative errors: max|got - want| / max|want| and ||got - want||_2 / ||want||_2.
struct Error {
    double max_norm, two_norm;
    double worst() const { return std::max(max_norm, two_norm); }
};

Error relative_error(const std::vector<float>& got, const std::vector<float>& want) {
    require(got.size() == want.size(), "size " + std::to_string(got.size()) + " != " + std::to_string(want.size()));
    double dmax = 0, wmax = 0, d2 = 0, w2 = 0;
    for (size_t i = 0; i < got.size(); i++) {
        double d = std::fabs(static_cast<double>(got[i]) - want[i]);
        if (std::isnan(d)) d = INFINITY; // NaN (poison) counts as infinitely wrong
        dmax = std::max(dmax, d);
        wmax = std::max(wmax, std::fabs(static_cast<double>(want[i])));
        d2 += d * d;
        w2 += static_cast<double>(want[i]) * want[i];
    }
    return {dmax / std::max(wmax, 1e-30), std::sqrt(d2) / std::max(std::sqrt(w2), 1e-30)};
}

std::string format_error(const Error& e) {
    char s[96];
    std::snprintf(s, sizeof s, "err max %.2e, l2 %.2e", e.max_norm, e.two_norm);
    return s;
}

std::string compare(const std::string& what, const std::vector<float>& got, const std::vector<float>& want,
                    double tol) {
    Error e = relative_error(got, want);
    if (!(e.worst() <= tol)) {
        char s[64];
        std::snprintf(s, sizeof s, " > %.0e", tol);
        throw Failure(what + ": " + format_error(e) + s);
    }
    return format_error(e);
}

// ---- device memory through the driver API ----------------------------------------------------------------

CUstream stream;

struct DeviceBuffer {
    CUdeviceptr p = 0;
    size_t bytes = 0;
    DeviceBuffer() = default;
    explicit DeviceBuffer(size_t b) : bytes(b) {
        if (b > 0) cu(cuMemAlloc_v2(&p, b), "cuMemAlloc");
    }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    ~DeviceBuffer() {
        if (p != 0) cuMemFree_v2(p);
    }
    void* ptr() const { return reinterpret_cast<void*>(p); }
};

// Copies through pinned memory, as the backend does.
void upload(const DeviceBuffer& d, const std::vector<float>& v) {
    void* host;
    size_t bytes = v.size() * 4;
    cu(cuMemAllocHost_v2(&host, bytes), "cuMemAllocHost");
    std::memcpy(host, v.data(), bytes);
    cu(cuMemcpyHtoDAsync_v2(d.p, host, bytes, stream), "cuMemcpyHtoDAsync");
    cu(cuStreamSynchronize(stream), "cuStreamSynchronize");
    cuMemFreeHost(host);
}

std::vector<float> download(const DeviceBuffer& d, size_t count) {
    void* host;
    cu(cuMemAllocHost_v2(&host, count * 4), "cuMemAllocHost");
    cu(cuMemcpyDtoHAsync_v2(host, d.p, count * 4, stream), "cuMemcpyDtoHAsync");
    cu(cuStreamSynchronize(stream), "cuStreamSynchronize");
    std::vector<float> v(count);
    std::memcpy(v.data(), host, count * 4);
    cuMemFreeHost(host);
    return v;
}

std::unique_ptr<DeviceBuffer> on_device(const std::vector<float>& v) {
    auto d = std::make_unique<DeviceBuffer>(v.size() * 4);
    upload(*d, v);
    return d;
}

cudnnHandle_t handle;

// ---- convolution -------------------------------------------------------------------------------------------

enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_FILTER };
const char* PASS_NAMES[] = {"forward", "backward data", "backward filter"};
const int ALGO_COUNTS[] = {CUDNN_CONVOLUTION_FWD_ALGO_COUNT, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT,
                           CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT};

struct ConvProblem {
    std::string name;
    cudnnTensorDescriptor_t x_desc, y_desc;
    cudnnFilterDescriptor_t w_desc;
    cudnnConvolutionDescriptor_t conv;
    std::unique_ptr<DeviceBuffer> x, w, dy;
    std::vector<float> want[3]; // y without bias, dx, dw
    size_t counts[3];           // elements of each pass's output
};

int workspace_size(ConvProblem& p, Pass pass, int algo, size_t* size) {
    switch (pass) {
        case FORWARD:
            return cudnnGetConvolutionForwardWorkspaceSize(handle, p.x_desc, p.w_desc, p.conv, p.y_desc, algo, size);
        case BACKWARD_DATA:
            return cudnnGetConvolutionBackwardDataWorkspaceSize(handle, p.w_desc, p.y_desc, p.conv, p.x_desc, algo,
                                                                size);
        default:
            return cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, p.x_desc, p.y_desc, p.conv, p.w_desc, algo,
                                                                  size);
    }
}

int run_pass(ConvProblem& p, Pass pass, int algo, const DeviceBuffer& ws, size_t ws_bytes, const DeviceBuffer& out,
             float alpha, float beta) {
    switch (pass) {
        case FORWARD:
            return cudnnConvolutionForward(handle, &alpha, p.x_desc, p.x->ptr(), p.w_desc, p.w->ptr(), p.conv, algo,
                                           ws.ptr(), ws_bytes, &beta, p.y_desc, out.ptr());
        case BACKWARD_DATA:
            return cudnnConvolutionBackwardData(handle, &alpha, p.w_desc, p.w->ptr(), p.y_desc, p.dy->ptr(), p.conv,
                                                algo, ws.ptr(), ws_bytes, &beta, p.x_desc, out.ptr());
        default:
            return cudnnConvolutionBackwardFilter(handle, &alpha, p.x_desc, p.x->ptr(), p.y_desc, p.dy->ptr(), p.conv,
                                                  algo, ws.ptr(), ws_bytes, &beta, p.w_desc, out.ptr());
    }
}

int find(ConvProblem& p, Pass pass, const DeviceBuffer& out, const DeviceBuffer& ws, size_t ws_bytes,
         std::vector<cudnnConvolutionAlgoPerf_t>* perf) {
    perf->assign(ALGO_COUNTS[pass], cudnnConvolutionAlgoPerf_t{});
    int returned = -1;
    int r;
    switch (pass) {
        case FORWARD:
            r = cudnnFindConvolutionForwardAlgorithmEx(handle, p.x_desc, p.x->ptr(), p.w_desc, p.w->ptr(), p.conv,
                                                       p.y_desc, out.ptr(), ALGO_COUNTS[pass], &returned,
                                                       perf->data(), ws.ptr(), ws_bytes);
            break;
        case BACKWARD_DATA:
            r = cudnnFindConvolutionBackwardDataAlgorithmEx(handle, p.w_desc, p.w->ptr(), p.y_desc, p.dy->ptr(),
                                                            p.conv, p.x_desc, out.ptr(), ALGO_COUNTS[pass], &returned,
                                                            perf->data(), ws.ptr(), ws_bytes);
            break;
        default:
            r = cudnnFindConvolutionBackwardFilterAlgorithmEx(handle, p.x_desc, p.x->ptr(), p.y_desc, p.dy->ptr(),
                                                              p.conv, p.w_desc, out.ptr(), ALGO_COUNTS[pass],
                                                              &returned, perf->data(), ws.ptr(), ws_bytes);
    }
    if (r == CUDNN_STATUS_SUCCESS) perf->resize(returned);
    return r;
}

std::set<int> fastest_algorithms[3]; // the first Find result of each pass over all problems

void conv_fixture(const std::string& dir, const std::string& name) {
    auto gold = read_gold(dir + "/" + name + ".gold");
    ConvProblem p;
    p.name = name;
    const Entry &x = entry(gold, "x"), &w = entry(gold, "w"), &y = entry(gold, "y");
    int groups = gold.count("groups") ? static_cast<int>(scalar(gold, "groups")) : 1;
    const Entry &stride = entry(gold, "stride"), &padding = entry(gold, "padding");
    int n = x.dims[0], c = x.dims[1], h = x.dims[2], wd = x.dims[3];
    int k = w.dims[0], cg = w.dims[1], kh = w.dims[2], kw = w.dims[3];
    int oh = y.dims[2], ow = y.dims[3];
    std::vector<float> y_nobias = y.data;
    if (scalar(gold, "has_bias") != 0.0f) {
        const Entry& b = entry(gold, "b");
        for (size_t i = 0; i < y_nobias.size(); i++) {
            int ch = static_cast<int>(i / (static_cast<size_t>(oh) * ow)) % k;
            y_nobias[i] = static_cast<float>(static_cast<double>(y_nobias[i]) - b.data[ch]);
        }
    }
    p.want[FORWARD] = y_nobias;
    p.want[BACKWARD_DATA] = entry(gold, "dx").data;
    p.want[BACKWARD_FILTER] = entry(gold, "dw").data;
    p.counts[FORWARD] = y.data.size();
    p.counts[BACKWARD_DATA] = x.data.size();
    p.counts[BACKWARD_FILTER] = w.data.size();

    dnn(cudnnCreateTensorDescriptor(&p.x_desc), "cudnnCreateTensorDescriptor");
    dnn(cudnnCreateTensorDescriptor(&p.y_desc), "cudnnCreateTensorDescriptor");
    dnn(cudnnCreateFilterDescriptor(&p.w_desc), "cudnnCreateFilterDescriptor");
    dnn(cudnnCreateConvolutionDescriptor(&p.conv), "cudnnCreateConvolutionDescriptor");
    dnn(cudnnSetTensor4dDescriptor(p.x_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, wd), "set x");
    dnn(cudnnSetTensor4dDescriptor(p.y_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, k, oh, ow), "set y");
    dnn(cudnnSetFilter4dDescriptor(p.w_desc, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, k, cg, kh, kw), "set w");
    dnn(cudnnSetConvolution2dDescriptor(p.conv, static_cast<int>(padding.data[0]), static_cast<int>(padding.data[1]),
                                        static_cast<int>(stride.data[0]), static_cast<int>(stride.data[1]), 1, 1,
                                        CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
        "cudnnSetConvolution2dDescriptor");
    dnn(cudnnSetConvolutionGroupCount(p.conv, groups), "cudnnSetConvolutionGroupCount");
    p.x = on_device(x.data);
    p.w = on_device(w.data);
    p.dy = on_device(entry(gold, "dy").data);

    check_case(name + " output dims", [&] {
        int dn, dc, dh, dw;
        dnn(cudnnGetConvolution2dForwardOutputDim(p.conv, p.x_desc, p.w_desc, &dn, &dc, &dh, &dw),
            "cudnnGetConvolution2dForwardOutputDim");
        require(dn == n && dc == k && dh == oh && dw == ow, "output dims differ from the fixture's y");
        return std::string();
    });

    // Every implemented algorithm of every pass, first in strict FP32 (FMA math), then those
    // that Find says run on tensor cores when they are allowed (DEFAULT math): TF32, loose.
    for (int math : {CUDNN_FMA_MATH, CUDNN_DEFAULT_MATH}) {
        dnn(cudnnSetConvolutionMathType(p.conv, math), "cudnnSetConvolutionMathType");
        for (Pass pass : {FORWARD, BACKWARD_DATA, BACKWARD_FILTER}) {
            std::map<int, int> math_of; // the math type Find reports for each algorithm that ran
            {
                size_t most = 0;
                for (int id = 0; id < ALGO_COUNTS[pass]; id++) {
                    size_t s;
                    if (workspace_size(p, pass, id, &s) == CUDNN_STATUS_SUCCESS) most = std::max(most, s);
                }
                DeviceBuffer ws(most), out(p.counts[pass] * 4);
                std::vector<cudnnConvolutionAlgoPerf_t> perf;
                dnn(find(p, pass, out, ws, most, &perf), "Find");
                for (auto& r : perf) {
                    if (r.status == CUDNN_STATUS_SUCCESS) math_of[r.algo] = r.mathType;
                }
            }
            int offered = 0;
            for (int id = 0; id < ALGO_COUNTS[pass]; id++) {
                size_t ws_bytes = 0;
                int s = workspace_size(p, pass, id, &ws_bytes);
                if (s == CUDNN_STATUS_NOT_SUPPORTED) continue;
                offered++;
                bool tf32 = math_of.count(id) && math_of[id] == CUDNN_TENSOR_OP_MATH;
                if (math == CUDNN_DEFAULT_MATH && !tf32) continue; // the same FP32 code as under FMA math
                std::string label = name + " " + PASS_NAMES[pass] + " algo " + std::to_string(id)
                    + (tf32 ? " (TF32)" : " (FMA)");
                check_case(label, [&] {
                    dnn(s, "workspace size");
                    require(math_of.count(id) == 1, "Find did not run it although it has a workspace size");
                    require(math != CUDNN_FMA_MATH || math_of[id] == CUDNN_FMA_MATH,
                            "Find reports math type " + std::to_string(math_of[id]) + " under FMA math");
                    DeviceBuffer ws(ws_bytes), out(p.counts[pass] * 4); // out holds NaN poison (beta 0 ignores it)
                    dnn(run_pass(p, pass, id, ws, ws_bytes, out, 1.0f, 0.0f), "the convolution");
                    std::vector<float> got = download(out, p.counts[pass]);
                    std::string detail = compare("vs PyTorch", got, p.want[pass], tf32 ? TF32_RTOL : RTOL);
                    if (tf32) {
                        // TF32 rounding must really happen: the error is well above FP32's.
                        Error e = relative_error(got, p.want[pass]);
                        require(e.worst() > 1e-6, "a tensor-op algorithm matches FP32 (" + format_error(e)
                                                      + "): no TF32 rounding");
                    }
                    if (ws_bytes > 0) {
                        // One float short of the declared workspace is refused.
                        DeviceBuffer small(ws_bytes - 4);
                        int r = run_pass(p, pass, id, small, ws_bytes - 4, out, 1.0f, 0.0f);
                        require(r == CUDNN_STATUS_BAD_PARAM, std::string("a short workspace gave ")
                                                                 + cudnnGetErrorString(r) + ", not BAD_PARAM");
                    }
                    return detail + ", workspace " + std::to_string(ws_bytes) + " B";
                });
            }
            if (math == CUDNN_FMA_MATH) {
                check_case(name + " " + PASS_NAMES[pass] + " offers >= 3 FP32 algorithms", [&] {
                    require(offered >= 3, "only " + std::to_string(offered));
                    return std::to_string(offered) + " algorithms";
                });
            }
        }
    }

    // General alpha and beta (BLAS semantics): out = alpha * conv + beta * out.
    dnn(cudnnSetConvolutionMathType(p.conv, CUDNN_FMA_MATH), "cudnnSetConvolutionMathType");
    for (Pass pass : {FORWARD, BACKWARD_DATA, BACKWARD_FILTER}) {
        for (int id : {0, 1}) {
            check_case(name + " " + PASS_NAMES[pass] + " algo " + std::to_string(id) + " alpha 2, beta 0.5", [&] {
                size_t ws_bytes = 0;
                dnn(workspace_size(p, pass, id, &ws_bytes), "workspace size");
                DeviceBuffer ws(ws_bytes), out(p.counts[pass] * 4);
                std::vector<float> prior(p.counts[pass]), want(p.counts[pass]);
                for (size_t i = 0; i < prior.size(); i++) {
                    prior[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)));
                    want[i] = static_cast<float>(2.0 * p.want[pass][i] + 0.5 * prior[i]);
                }
                upload(out, prior);
                dnn(run_pass(p, pass, id, ws, ws_bytes, out, 2.0f, 0.5f), "the convolution");
                return compare("vs 2 * PyTorch + 0.5 * prior", download(out, p.counts[pass]), want, RTOL);
            });
        }
    }

    // Find*Ex: sorted successes first; the tensor-op algorithm only where the math type allows
    // it; algorithms needing more workspace than given fail; the output is left poisoned.
    for (int math : {CUDNN_FMA_MATH, CUDNN_DEFAULT_MATH}) {
        dnn(cudnnSetConvolutionMathType(p.conv, math), "cudnnSetConvolutionMathType");
        for (Pass pass : {FORWARD, BACKWARD_DATA, BACKWARD_FILTER}) {
            std::string label = name + " " + PASS_NAMES[pass] + " Find "
                + (math == CUDNN_FMA_MATH ? "(FMA)" : "(DEFAULT)");
            check_case(label, [&] {
                size_t most = 0;
                for (int id = 0; id < ALGO_COUNTS[pass]; id++) {
                    size_t s;
                    if (workspace_size(p, pass, id, &s) == CUDNN_STATUS_SUCCESS) most = std::max(most, s);
                }
                DeviceBuffer ws(most), out(p.counts[pass] * 4);
                std::vector<cudnnConvolutionAlgoPerf_t> perf;
                dnn(find(p, pass, out, ws, most, &perf), "Find");
                bool failed_seen = false, tensor_op = false;
                float last = -1;
                std::string order;
                for (auto& r : perf) {
                    if (r.status != CUDNN_STATUS_SUCCESS) {
                        failed_seen = true;
                        continue;
                    }
                    require(!failed_seen, "a successful result after a failed one");
                    require(r.time >= last, "results not sorted by time");
                    last = r.time;
                    tensor_op |= r.mathType == CUDNN_TENSOR_OP_MATH;
                    require(math != CUDNN_FMA_MATH || r.mathType == CUDNN_FMA_MATH,
                            "algo " + std::to_string(r.algo) + " reports math type " + std::to_string(r.mathType)
                                + " under FMA math");
                    order += (order.empty() ? "" : ",") + std::to_string(r.algo);
                }
                require(!perf.empty() && perf[0].status == CUDNN_STATUS_SUCCESS, "no algorithm worked");
                require(tensor_op == (math == CUDNN_DEFAULT_MATH),
                        math == CUDNN_DEFAULT_MATH ? "no tensor-op algorithm under DEFAULT math"
                                                   : "a tensor-op algorithm under FMA math");
                if (math == CUDNN_FMA_MATH) fastest_algorithms[pass].insert(perf[0].algo);
                std::vector<float> after = download(out, p.counts[pass]);
                for (float v : after) {
                    uint32_t bits;
                    std::memcpy(&bits, &v, 4);
                    require(bits == FRESH_POISON, "Find left a value in the output instead of poison");
                }
                // With no workspace, only the algorithms that need none succeed.
                DeviceBuffer none;
                dnn(find(p, pass, out, none, 0, &perf), "Find without workspace");
                int ok = 0;
                for (auto& r : perf) {
                    if (r.status != CUDNN_STATUS_SUCCESS) continue;
                    require(r.memory == 0, "algo " + std::to_string(r.algo) + " needs workspace but succeeded");
                    ok++;
                }
                require(ok > 0, "no algorithm runs without workspace");
                if (math == CUDNN_FMA_MATH) {
                    // The tensor-op algorithm found under DEFAULT math is refused on an FMA descriptor.
                    dnn(cudnnSetConvolutionMathType(p.conv, CUDNN_DEFAULT_MATH), "set math");
                    DeviceBuffer ws2(most);
                    std::vector<cudnnConvolutionAlgoPerf_t> d;
                    dnn(find(p, pass, out, ws2, most, &d), "Find (DEFAULT)");
                    dnn(cudnnSetConvolutionMathType(p.conv, CUDNN_FMA_MATH), "set math");
                    int refused = 0;
                    for (auto& r : d) {
                        if (r.status != CUDNN_STATUS_SUCCESS || r.mathType != CUDNN_TENSOR_OP_MATH) continue;
                        size_t s;
                        if (workspace_size(p, pass, r.algo, &s) == CUDNN_STATUS_SUCCESS) continue; // has FP32 form
                        int e = run_pass(p, pass, r.algo, ws2, most, out, 1.0f, 0.0f);
                        require(e == CUDNN_STATUS_NOT_SUPPORTED, "tensor-op-only algo " + std::to_string(r.algo)
                                                                     + " on an FMA descriptor gave "
                                                                     + cudnnGetErrorString(e));
                        refused++;
                    }
                    require(refused > 0, "no tensor-op-only algorithm to refuse");
                }
                return "order " + order;
            });
        }
    }

    cudnnDestroyConvolutionDescriptor(p.conv);
    cudnnDestroyFilterDescriptor(p.w_desc);
    cudnnDestroyTensorDescriptor(p.y_desc);
    cudnnDestroyTensorDescriptor(p.x_desc);
}

// ---- batch normalisation -------------------------------------------------------------------------------------

void batchnorm_fixtures(const std::string& dir) {
    auto train = read_gold(dir + "/batch_norm_train.gold");
    const Entry& x = entry(train, "x");
    int n = x.dims[0], c = x.dims[1], h = x.dims[2], w = x.dims[3];
    cudnnTensorDescriptor_t x_desc, bn_desc;
    dnn(cudnnCreateTensorDescriptor(&x_desc), "create");
    dnn(cudnnCreateTensorDescriptor(&bn_desc), "create");
    dnn(cudnnSetTensor4dDescriptor(x_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w), "set x");
    dnn(cudnnSetTensor4dDescriptor(bn_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, c, 1, 1), "set bn");
    float one = 1.0f, zero = 0.0f;
    double momentum = scalar(train, "momentum"), eps = scalar(train, "eps");
    auto dx_ = on_device(entry(train, "x").data);
    auto gamma = on_device(entry(train, "gamma").data), beta = on_device(entry(train, "beta").data);
    auto dy = on_device(entry(train, "dy").data);
    size_t count = x.data.size(), cb = static_cast<size_t>(c) * 4;
    DeviceBuffer save_mean(cb), save_invstd(cb);

    check_case("batch_norm_train forward training", [&] {
        auto rm = on_device(entry(train, "running_mean").data), rv = on_device(entry(train, "running_var").data);
        DeviceBuffer y(count * 4);
        dnn(cudnnBatchNormalizationForwardTraining(handle, CUDNN_BATCHNORM_SPATIAL, &one, &zero, x_desc, dx_->ptr(),
                                                   x_desc, y.ptr(), bn_desc, gamma->ptr(), beta->ptr(), momentum,
                                                   rm->ptr(), rv->ptr(), eps, save_mean.ptr(), save_invstd.ptr()),
            "cudnnBatchNormalizationForwardTraining");
        std::string d = "y " + compare("y", download(y, count), entry(train, "y").data, RTOL);
        d += "; running_mean " + compare("running_mean", download(*rm, c), entry(train, "running_mean_after").data,
                                         RTOL).substr(4);
        d += "; running_var "
            + compare("running_var (unbiased)", download(*rv, c), entry(train, "running_var_after").data, RTOL)
                  .substr(4);
        d += "; save_mean " + compare("save_mean", download(save_mean, c), entry(train, "save_mean").data, RTOL)
                                  .substr(4);
        d += "; save_invstd "
            + compare("save_invstd", download(save_invstd, c), entry(train, "save_invstd").data, RTOL).substr(4);
        return d;
    });

    check_case("batch_norm_train forward training, no saved statistics", [&] {
        auto rm = on_device(entry(train, "running_mean").data), rv = on_device(entry(train, "running_var").data);
        DeviceBuffer y(count * 4);
        dnn(cudnnBatchNormalizationForwardTraining(handle, CUDNN_BATCHNORM_SPATIAL, &one, &zero, x_desc, dx_->ptr(),
                                                   x_desc, y.ptr(), bn_desc, gamma->ptr(), beta->ptr(), momentum,
                                                   rm->ptr(), rv->ptr(), eps, nullptr, nullptr),
            "cudnnBatchNormalizationForwardTraining");
        return "y " + compare("y", download(y, count), entry(train, "y").data, RTOL);
    });

    for (bool saved : {true, false}) {
        check_case(std::string("batch_norm_train backward") + (saved ? "" : ", statistics recomputed"), [&] {
            DeviceBuffer dx(count * 4), dgamma(cb), dbeta(cb);
            dnn(cudnnBatchNormalizationBackward(handle, CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &zero, x_desc,
                                                dx_->ptr(), x_desc, dy->ptr(), x_desc, dx.ptr(), bn_desc,
                                                gamma->ptr(), dgamma.ptr(), dbeta.ptr(), eps,
                                                saved ? save_mean.ptr() : nullptr,
                                                saved ? save_invstd.ptr() : nullptr),
                "cudnnBatchNormalizationBackward");
            std::string d = "dx " + compare("dx", download(dx, count), entry(train, "dx").data, RTOL);
            d += "; dgamma "
                + compare("dgamma", download(dgamma, c), entry(train, "dgamma").data, RTOL).substr(4);
            d += "; dbeta " + compare("dbeta", download(dbeta, c), entry(train, "dbeta").data, RTOL).substr(4);
            return d;
        });
    }

    check_case("batch_norm_train backward, alpha 2 / beta 0.5 on data and parameter gradients", [&] {
        std::vector<float> prior_x(count, 0.25f), prior_c(c, -1.0f), want_dx(count), want_dg(c), want_db(c);
        for (size_t i = 0; i < count; i++) want_dx[i] = 2.0f * entry(train, "dx").data[i] + 0.5f * 0.25f;
        for (int i = 0; i < c; i++) {
            want_dg[i] = 2.0f * entry(train, "dgamma").data[i] - 0.5f;
            want_db[i] = 2.0f * entry(train, "dbeta").data[i] - 0.5f;
        }
        auto dx = on_device(prior_x), dgamma = on_device(prior_c), dbeta = on_device(prior_c);
        float two = 2.0f, half = 0.5f;
        dnn(cudnnBatchNormalizationBackward(handle, CUDNN_BATCHNORM_SPATIAL, &two, &half, &two, &half, x_desc,
                                            dx_->ptr(), x_desc, dy->ptr(), x_desc, dx->ptr(), bn_desc, gamma->ptr(),
                                            dgamma->ptr(), dbeta->ptr(), eps, save_mean.ptr(), save_invstd.ptr()),
            "cudnnBatchNormalizationBackward");
        std::string d = "dx " + compare("dx", download(*dx, count), want_dx, RTOL);
        compare("dgamma", download(*dgamma, c), want_dg, RTOL);
        compare("dbeta", download(*dbeta, c), want_db, RTOL);
        return d;
    });

    check_case("batch_norm_train unbiased running variance differs from biased", [&] {
        // Guards the fixture itself: were both variances equal, the check above would prove nothing.
        const auto& rv0 = entry(train, "running_var").data;
        const auto& after = entry(train, "running_var_after").data;
        const auto& invstd = entry(train, "save_invstd").data;
        for (int i = 0; i < c; i++) {
            double biased = 1.0 / (static_cast<double>(invstd[i]) * invstd[i]) - eps;
            double with_biased = (1 - momentum) * rv0[i] + momentum * biased;
            require(std::fabs(with_biased - after[i]) > 1e-4 * std::fabs(after[i]),
                    "the fixture cannot tell biased from unbiased variance");
        }
        return std::string();
    });

    auto eval = read_gold(dir + "/batch_norm_eval.gold");
    check_case("batch_norm_eval forward inference", [&] {
        const Entry& ex = entry(eval, "x");
        cudnnTensorDescriptor_t e_desc;
        dnn(cudnnCreateTensorDescriptor(&e_desc), "create");
        dnn(cudnnSetTensor4dDescriptor(e_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, ex.dims[0], ex.dims[1],
                                       ex.dims[2], ex.dims[3]),
            "set");
        auto xe = on_device(ex.data), ge = on_device(entry(eval, "gamma").data),
             be = on_device(entry(eval, "beta").data), rm = on_device(entry(eval, "running_mean").data),
             rv = on_device(entry(eval, "running_var").data);
        DeviceBuffer y(ex.data.size() * 4);
        dnn(cudnnBatchNormalizationForwardInference(handle, CUDNN_BATCHNORM_SPATIAL, &one, &zero, e_desc, xe->ptr(),
                                                    e_desc, y.ptr(), bn_desc, ge->ptr(), be->ptr(), rm->ptr(),
                                                    rv->ptr(), scalar(eval, "eps")),
            "cudnnBatchNormalizationForwardInference");
        std::string d = "y " + compare("y", download(y, ex.data.size()), entry(eval, "y").data, RTOL);
        cudnnDestroyTensorDescriptor(e_desc);
        return d;
    });

    check_case("batchnorm epsilon below CUDNN_BN_MIN_EPSILON refused", [&] {
        DeviceBuffer y(count * 4);
        int r = cudnnBatchNormalizationForwardTraining(handle, CUDNN_BATCHNORM_SPATIAL, &one, &zero, x_desc,
                                                       dx_->ptr(), x_desc, y.ptr(), bn_desc, gamma->ptr(),
                                                       beta->ptr(), momentum, nullptr, nullptr, -1e-3, nullptr,
                                                       nullptr);
        require(r == CUDNN_STATUS_BAD_PARAM, std::string("gave ") + cudnnGetErrorString(r));
        return std::string("BAD_PARAM");
    });

    cudnnDestroyTensorDescriptor(bn_desc);
    cudnnDestroyTensorDescriptor(x_desc);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s FIXTURE_DIR (tensor/src/test/resources/golden/ops)\n", argv[0]);
        return 2;
    }
    std::string dir = argv[1];
    try {
        int device;
        CUcontext context;
        cu(cuInit(0), "cuInit");
        cu(cuDeviceGet(&device, 0), "cuDeviceGet");
        cu(cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
        cu(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        cu(cuStreamCreate(&stream, 0), "cuStreamCreate");
        dnn(cudnnCreate(&handle), "cudnnCreate");
        dnn(cudnnSetStream(handle, stream), "cudnnSetStream");
    } catch (const std::exception& e) {
        std::printf("FAIL  setup: %s\n", e.what());
        return 1;
    }
    std::printf("cuDNN stand-in version %zu\n", cudnnGetVersion());
    for (const char* name : {"conv2d_basic", "conv2d_strided_rect", "conv2d_1x1_nobias", "conv2d_3x3_odd",
                             "conv2d_grouped_depthwise", "conv2d_grouped_depthwise_stride2",
                             "conv2d_grouped_general"}) {
        try {
            conv_fixture(dir, name);
        } catch (const std::exception& e) {
            failures++;
            std::printf("FAIL  %s: %s\n", name, e.what());
        }
    }
    check_case("Find picks different fastest algorithms across problems", [&] {
        std::string d;
        for (int pass = 0; pass < 3; pass++) {
            require(fastest_algorithms[pass].size() >= 2,
                    std::string(PASS_NAMES[pass]) + ": always the same fastest algorithm");
            d += std::string(pass ? "; " : "") + PASS_NAMES[pass] + " {";
            for (int a : fastest_algorithms[pass]) d += " " + std::to_string(a);
            d += " }";
        }
        return d;
    });
    try {
        batchnorm_fixtures(dir);
    } catch (const std::exception& e) {
        failures++;
        std::printf("FAIL  batch norm: %s\n", e.what());
    }
    int synced = cuStreamSynchronize(stream);
    if (synced != 0) {
        failures++;
        std::printf("FAIL  the stream ended with CUresult %d\n", synced);
    }
    cudnnDestroy(handle);
    std::printf("%d of %d cases passed\n", cases - failures, cases);
    return failures == 0 ? 0 : 1;
}
