package org.covidct.tensor.cuda;

import static jcuda.jcublas.JCublas2.cublasCreate;
import static jcuda.jcublas.JCublas2.cublasSetMathMode;
import static jcuda.jcublas.JCublas2.cublasSetStream;
import static jcuda.jcublas.JCublas2.cublasSgemm;

import java.util.Optional;
import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/**
 * cuBLAS, through JCublas2: one handle bound to the backend's stream, used for row-major SGEMM.
 * FP32 math by default (CUBLAS_DEFAULT_MATH, which does not use TF32 tensor cores); TF32 only when
 * asked. The only class that imports {@code jcuda.jcublas}.
 */
final class Cublas {
    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});

    private final Driver driver;
    private final cublasHandle handle = new cublasHandle();

    Cublas(Driver driver) {
        this.driver = driver;
        driver.bind();
        JCublas2.setExceptionsEnabled(true);
        cublasCreate(handle);
        cublasSetStream(handle, new cudaStream_t(driver.stream()));
        setTf32(false);
    }

    /** Empty when JCublas2 and libcublas.so.12 load, otherwise what is missing. */
    static Optional<String> unavailableReason() {
        try {
            JCublas2.initialize();
            return Optional.empty();
        } catch (LinkageError e) {
            return Optional.of("cuBLAS: " + NativeLoading.describe(e, "libcublas.so.12",
                    "cuBLAS of CUDA 12, for JCublas " + jcuda.JCudaVersion.get()));
        }
    }

    /** TF32 tensor-core math for SGEMM (faster, 10-bit mantissa inputs) or strict FP32. */
    void setTf32(boolean enabled) {
        driver.bind();
        cublasSetMathMode(handle, enabled ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH);
    }

    /**
     * c = op(a) op(b) for row-major matrices, c [m, n] with leading dimension n; lda and ldb are
     * the row lengths of a and b as stored. cuBLAS is column-major, and a row-major matrix read
     * column-major is its transpose, so this computes c^T = op(b)^T op(a)^T: the operands swap.
     */
    void sgemmRowMajor(boolean transposeA, boolean transposeB, int m, int n, int k,
                       long a, int lda, long b, int ldb, long c) {
        driver.bind();
        cublasSgemm(handle, op(transposeB), op(transposeA), n, m, k,
                ONE, Driver.pointer(b), ldb, Driver.pointer(a), lda, ZERO, Driver.pointer(c), n);
    }

    private static int op(boolean transpose) {
        return transpose ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
    }
}
