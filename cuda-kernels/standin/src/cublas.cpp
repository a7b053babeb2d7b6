// cuBLAS (libcublas.so.12) on the CPU, for tests: the handle calls and SGEMM, column-major with
// every transpose combination, each operand's extent and leading dimension checked against its
// device block before the product is queued on the handle's stream.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "standin.h"

using namespace standin;

#define CUBLAS_API extern "C" __attribute__((visibility("default")))

namespace {

enum Status : int {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
};

enum Operation : int { OP_N = 0, OP_T = 1, OP_C = 2 };

struct Handle {
    void* stream = nullptr;
    int math_mode = 0;
};

Status invalid(const std::string& message) {
    report(message);
    return CUBLAS_STATUS_INVALID_VALUE;
}

std::string op_name(int op) {
    return op == OP_N ? "N" : "T";
}

// Dot product with eight running sums in double, added pairwise at the end: a fixed order the
// compiler can vectorise without reassociating. Double keeps the error of long sums near that of a
// GPU's blocked float sums, far below a sequential float sum's.
double dot(const float* x, const float* y, int k) {
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int p = 0;
    for (; p + 8 <= k; p += 8) {
        for (int q = 0; q < 8; q++) {
            s[q] += static_cast<double>(x[p + q]) * y[p + q];
        }
    }
    for (; p < k; p++) {
        s[p % 8] += static_cast<double>(x[p]) * y[p];
    }
    return ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
}

// C = alpha op(A) op(B) + beta C, column-major. Each column of C is either a sum of A's columns
// scaled by op(B)'s entries (A not transposed: its columns are contiguous) or a column of dot
// products with A's rows (A transposed). beta 0 ignores C, which may hold NaN (BLAS semantics).
void gemm(bool ta, bool tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
          float beta, float* c, int ldc) {
    std::vector<float> column(static_cast<size_t>(ta ? k : 0));
    std::vector<double> sums(static_cast<size_t>(ta ? 0 : m));
    for (int j = 0; j < n; j++) {
        auto bv = [&](int p) { return tb ? b[j + static_cast<size_t>(p) * ldb] : b[p + static_cast<size_t>(j) * ldb]; };
        float* out = c + static_cast<size_t>(j) * ldc;
        if (ta) {
            for (int p = 0; p < k; p++) {
                column[p] = bv(p);
            }
            for (int i = 0; i < m; i++) {
                double s = dot(a + static_cast<size_t>(i) * lda, column.data(), k);
                out[i] = static_cast<float>(alpha * s + (beta == 0.0f ? 0.0 : static_cast<double>(beta) * out[i]));
            }
        } else {
            std::fill(sums.begin(), sums.end(), 0.0);
            for (int p = 0; p < k; p++) {
                double scale = bv(p);
                const float* ap = a + static_cast<size_t>(p) * lda;
                for (int i = 0; i < m; i++) {
                    sums[i] += ap[i] * scale;
                }
            }
            for (int i = 0; i < m; i++) {
                out[i] = static_cast<float>(alpha * sums[i] + (beta == 0.0f ? 0.0 : static_cast<double>(beta) * out[i]));
            }
        }
    }
}

} // namespace

CUBLAS_API Status cublasCreate_v2(Handle** handle) {
    if (handle == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    if (context_status() != SUCCESS) {
        report("cublasCreate: no usable current context on this thread");
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    *handle = new Handle();
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API Status cublasDestroy_v2(Handle* handle) {
    if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
    delete handle;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API Status cublasSetStream_v2(Handle* handle, void* stream) {
    if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
    handle->stream = stream;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API Status cublasGetStream_v2(Handle* handle, void** stream) {
    if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (stream == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *stream = handle->stream;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API Status cublasSetMathMode(Handle* handle, int mode) {
    if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
    // CUBLAS_DEFAULT_MATH 0, PEDANTIC 2, TF32_TENSOR_OP 3, plus the reduced-precision flag 16.
    int base = mode & ~16;
    if (base != 0 && base != 2 && base != 3) return invalid("cublasSetMathMode: unknown mode " + std::to_string(mode));
    handle->math_mode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API Status cublasGetVersion_v2(Handle*, int* version) {
    if (version == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *version = 120000;
    return CUBLAS_STATUS_SUCCESS;
}

// C = alpha op(A) op(B) + beta C, column-major: op(A) m x k, op(B) k x n, C m x n.
CUBLAS_API Status cublasSgemm_v2(Handle* handle, int transa, int transb, int m, int n, int k, const float* alpha,
                                  const float* a, int lda, const float* b, int ldb, const float* beta, float* c,
                                  int ldc) {
    if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
    std::string call = "cublasSgemm(" + op_name(transa) + op_name(transb) + ", m=" + std::to_string(m)
        + ", n=" + std::to_string(n) + ", k=" + std::to_string(k) + ", lda=" + std::to_string(lda)
        + ", ldb=" + std::to_string(ldb) + ", ldc=" + std::to_string(ldc) + ")";
    if ((transa != OP_N && transa != OP_T) || (transb != OP_N && transb != OP_T)) {
        return invalid(call + ": unsupported operation");
    }
    if (m < 0 || n < 0 || k < 0) return invalid(call + ": negative size");
    // Rows of each stored (column-major) matrix: the leading dimension must cover them.
    int a_rows = transa == OP_N ? m : k, a_cols = transa == OP_N ? k : m;
    int b_rows = transb == OP_N ? k : n, b_cols = transb == OP_N ? n : k;
    if (lda < (a_rows > 1 ? a_rows : 1) || ldb < (b_rows > 1 ? b_rows : 1) || ldc < (m > 1 ? m : 1)) {
        return invalid(call + ": a leading dimension is smaller than its matrix's rows");
    }
    if (alpha == nullptr || beta == nullptr) return invalid(call + ": null alpha or beta");
    if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
    float al = *alpha, be = *beta; // host scalars (CUBLAS_POINTER_MODE_HOST), read at the call
    auto extent = [](int rows, int cols, int ld) {
        return cols == 0 ? size_t{0} : (static_cast<size_t>(cols - 1) * ld + rows) * sizeof(float);
    };
    size_t a_bytes = extent(a_rows, a_cols, lda), b_bytes = extent(b_rows, b_cols, ldb), c_bytes = extent(m, n, ldc);
    auto check = [=] {
        if (a_bytes > 0) check_device(a, a_bytes, call + " A");
        if (b_bytes > 0) check_device(b, b_bytes, call + " B");
        check_device(c, c_bytes, call + " C");
    };
    try {
        check();
    } catch (const Fault& f) {
        return invalid(f.message);
    }
    int r = enqueue(handle->stream, call, [=] {
        check();
        gemm(transa == OP_T, transb == OP_T, m, n, k, al, a, lda, b, ldb, be, c, ldc);
    });
    return r == SUCCESS ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_EXECUTION_FAILED;
}
