package org.covidct.tensor.cuda;

import static jcuda.jcudnn.JCudnn.cudnnBatchNormalizationBackward;
import static jcuda.jcudnn.JCudnn.cudnnBatchNormalizationForwardInference;
import static jcuda.jcudnn.JCudnn.cudnnBatchNormalizationForwardTraining;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardData;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardFilter;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionForward;
import static jcuda.jcudnn.JCudnn.cudnnCreate;
import static jcuda.jcudnn.JCudnn.cudnnCreateConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnFindConvolutionBackwardDataAlgorithmEx;
import static jcuda.jcudnn.JCudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx;
import static jcuda.jcudnn.JCudnn.cudnnFindConvolutionForwardAlgorithmEx;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolution2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolutionGroupCount;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolutionMathType;
import static jcuda.jcudnn.JCudnn.cudnnSetFilter4dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetStream;
import static jcuda.jcudnn.JCudnn.cudnnSetTensor4dDescriptor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnBatchNormMode;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgo;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgo;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnStatus;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;
import jcuda.runtime.cudaStream_t;
import org.covidct.tensor.Conv2dSpec;

/**
 * cuDNN 8, through JCudnn: one handle on the backend's stream, convolutions in three passes and
 * batch normalisation. Each convolution problem gets its algorithm from cudnnFind*AlgorithmEx
 * (which times the candidates on the real buffers) once, and keeps it. Workspaces come from the
 * caching allocator. The only class that imports {@code jcuda.jcudnn}; shapes are int[4] NCHW.
 */
final class Cudnn {
    /** Most workspace the algorithm search may use; it halves this until an allocation succeeds. */
    static final long MAX_FIND_WORKSPACE = 1L << 30;

    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});
    private static final int FLOAT = cudnnDataType.CUDNN_DATA_FLOAT;
    private static final int NCHW = cudnnTensorFormat.CUDNN_TENSOR_NCHW;
    private static final int SPATIAL = cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL;

    private enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_FILTER }

    /** Everything cuDNN's choice of algorithm depends on. */
    private record ConvKey(Pass pass, List<Integer> x, List<Integer> w, Conv2dSpec spec, int mathType) {
    }

    private record ConvDescKey(Conv2dSpec spec, int mathType) {
    }

    private record Algorithm(int id, long workspaceBytes) {
    }

    private final Driver driver;
    private final CachingAllocator allocator;
    private final cudnnHandle handle = new cudnnHandle();
    private final Map<List<Integer>, cudnnTensorDescriptor> tensors = new HashMap<>();
    private final Map<List<Integer>, cudnnFilterDescriptor> filters = new HashMap<>();
    private final Map<ConvDescKey, cudnnConvolutionDescriptor> convolutions = new HashMap<>();
    private final Map<ConvKey, Algorithm> algorithms = new HashMap<>();
    private int mathType = cudnnMathType.CUDNN_DEFAULT_MATH;

    Cudnn(Driver driver, CachingAllocator allocator) {
        this.driver = driver;
        this.allocator = allocator;
        driver.bind();
        JCudnn.setExceptionsEnabled(true);
        cudnnCreate(handle);
        cudnnSetStream(handle, new cudaStream_t(driver.stream()));
    }

    /** Empty when JCudnn and a cuDNN 8 load, otherwise what is missing. */
    static Optional<String> unavailableReason() {
        try {
            JCudnn.initialize();
            long version = JCudnn.cudnnGetVersion();
            // cuDNN 8 numbers its versions major*1000 + minor*100 + patch, cuDNN 9 major*10000 + ...
            long major = version >= 90000 ? version / 10000 : version / 1000;
            // JCudnn is built for cuDNN 8; cuDNN 9 keeps the legacy convolution and batch-norm calls
            // it makes here, and loads once its native is relinked (scripts/gpu/prepare.sh).
            if (major != JCudnn.CUDNN_MAJOR && major != JCudnn.CUDNN_MAJOR + 1) {
                return Optional.of("cuDNN: found version " + version + ", but JCudnn needs cuDNN "
                        + JCudnn.CUDNN_MAJOR + ".x (libcudnn.so." + JCudnn.CUDNN_MAJOR + ") or 9.x");
            }
            return Optional.empty();
        } catch (LinkageError e) {
            return Optional.of("cuDNN: " + NativeLoading.describe(e, "libcudnn.so." + JCudnn.CUDNN_MAJOR,
                    "cuDNN " + JCudnn.CUDNN_MAJOR + ".x for CUDA 12, for JCudnn 11.7.0"));
        }
    }

    /**
     * Whether convolutions may use TF32 tensor cores (CUDNN_DEFAULT_MATH on Ampere and later, as
     * PyTorch's default allow_tf32 for cuDNN) or must use FP32 FMA (CUDNN_FMA_MATH).
     */
    synchronized void setTf32(boolean enabled) {
        mathType = enabled ? cudnnMathType.CUDNN_DEFAULT_MATH : cudnnMathType.CUDNN_FMA_MATH;
    }

    // ---- convolution ------------------------------------------------------------------------------

    synchronized void convolutionForward(long x, int[] xd, long w, int[] wd, Conv2dSpec spec, long y, int[] yd) {
        driver.bind();
        cudnnTensorDescriptor xDesc = tensor(xd);
        cudnnTensorDescriptor yDesc = tensor(yd);
        cudnnFilterDescriptor wDesc = filter(wd);
        cudnnConvolutionDescriptor conv = convolution(spec);
        Algorithm algo = algorithm(Pass.FORWARD, xd, wd, spec, () -> {
            long wanted = largestWorkspace(cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
                    (id, size) -> cudnnGetConvolutionForwardWorkspaceSize(handle, xDesc, wDesc, conv, yDesc, id, size));
            var perf = new cudnnConvolutionFwdAlgoPerf[cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
            int[] returned = {0};
            withFindWorkspace(wanted, (ws, bytes) -> cudnnFindConvolutionForwardAlgorithmEx(handle, xDesc,
                    Driver.pointer(x), wDesc, Driver.pointer(w), conv, yDesc, Driver.pointer(y), perf.length,
                    returned, perf, Driver.pointer(ws), bytes));
            return fastestWorking(returned[0], i -> perf[i].status,
                    i -> new Algorithm(perf[i].algo, perf[i].memory));
        });
        withWorkspace(algo, ws -> cudnnConvolutionForward(handle, ONE, xDesc, Driver.pointer(x), wDesc,
                Driver.pointer(w), conv, algo.id(), Driver.pointer(ws), algo.workspaceBytes(), ZERO, yDesc,
                Driver.pointer(y)));
    }

    synchronized void convolutionBackwardData(long dy, int[] yd, long w, int[] wd, Conv2dSpec spec,
                                              long dx, int[] xd) {
        driver.bind();
        cudnnTensorDescriptor xDesc = tensor(xd);
        cudnnTensorDescriptor yDesc = tensor(yd);
        cudnnFilterDescriptor wDesc = filter(wd);
        cudnnConvolutionDescriptor conv = convolution(spec);
        Algorithm algo = algorithm(Pass.BACKWARD_DATA, xd, wd, spec, () -> {
            long wanted = largestWorkspace(cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT,
                    (id, size) -> cudnnGetConvolutionBackwardDataWorkspaceSize(handle, wDesc, yDesc, conv, xDesc, id,
                            size));
            var perf = new cudnnConvolutionBwdDataAlgoPerf[
                    cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
            int[] returned = {0};
            withFindWorkspace(wanted, (ws, bytes) -> cudnnFindConvolutionBackwardDataAlgorithmEx(handle, wDesc,
                    Driver.pointer(w), yDesc, Driver.pointer(dy), conv, xDesc, Driver.pointer(dx), perf.length,
                    returned, perf, Driver.pointer(ws), bytes));
            return fastestWorking(returned[0], i -> perf[i].status,
                    i -> new Algorithm(perf[i].algo, perf[i].memory));
        });
        withWorkspace(algo, ws -> cudnnConvolutionBackwardData(handle, ONE, wDesc, Driver.pointer(w), yDesc,
                Driver.pointer(dy), conv, algo.id(), Driver.pointer(ws), algo.workspaceBytes(), ZERO, xDesc,
                Driver.pointer(dx)));
    }

    synchronized void convolutionBackwardFilter(long dy, int[] yd, long x, int[] xd, Conv2dSpec spec,
                                                long dw, int[] wd) {
        driver.bind();
        cudnnTensorDescriptor xDesc = tensor(xd);
        cudnnTensorDescriptor yDesc = tensor(yd);
        cudnnFilterDescriptor wDesc = filter(wd);
        cudnnConvolutionDescriptor conv = convolution(spec);
        Algorithm algo = algorithm(Pass.BACKWARD_FILTER, xd, wd, spec, () -> {
            long wanted = largestWorkspace(cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT,
                    (id, size) -> cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, xDesc, yDesc, conv, wDesc,
                            id, size));
            var perf = new cudnnConvolutionBwdFilterAlgoPerf[
                    cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
            int[] returned = {0};
            withFindWorkspace(wanted, (ws, bytes) -> cudnnFindConvolutionBackwardFilterAlgorithmEx(handle, xDesc,
                    Driver.pointer(x), yDesc, Driver.pointer(dy), conv, wDesc, Driver.pointer(dw), perf.length,
                    returned, perf, Driver.pointer(ws), bytes));
            return fastestWorking(returned[0], i -> perf[i].status,
                    i -> new Algorithm(perf[i].algo, perf[i].memory));
        });
        withWorkspace(algo, ws -> cudnnConvolutionBackwardFilter(handle, ONE, xDesc, Driver.pointer(x), yDesc,
                Driver.pointer(dy), conv, algo.id(), Driver.pointer(ws), algo.workspaceBytes(), ZERO, wDesc,
                Driver.pointer(dw)));
    }

    /**
     * The cached algorithm of one problem, searched for with {@code find} (fastest working
     * candidate first, as cuDNN sorts them; null when none works) the first time only.
     */
    private Algorithm algorithm(Pass pass, int[] xd, int[] wd, Conv2dSpec spec, Supplier<Algorithm> find) {
        ConvKey key = new ConvKey(pass, dims(xd), dims(wd), spec, mathType);
        Algorithm algo = algorithms.get(key);
        if (algo == null) {
            algo = find.get();
            if (algo == null) {
                throw new IllegalStateException("cuDNN found no working algorithm for " + key);
            }
            algorithms.put(key, algo);
        }
        return algo;
    }

    private interface SizeQuery {
        void query(int algorithm, long[] size);
    }

    /** The most workspace any of {@code count} algorithms needs; those cuDNN does not support count 0. */
    private static long largestWorkspace(int count, SizeQuery query) {
        long wanted = 0;
        long[] size = {0};
        for (int a = 0; a < count; a++) {
            try {
                query.query(a, size);
                wanted = Math.max(wanted, size[0]);
            } catch (CudaException unsupported) {
                // not applicable to this problem
            }
        }
        return wanted;
    }

    /** The first of {@code returned} results (cuDNN sorts them fastest first) that worked, or null. */
    private static Algorithm fastestWorking(int returned, IntUnaryOperator status,
                                            IntFunction<Algorithm> algorithm) {
        for (int i = 0; i < returned; i++) {
            if (status.applyAsInt(i) == cudnnStatus.CUDNN_STATUS_SUCCESS) {
                return algorithm.apply(i);
            }
        }
        return null;
    }

    private interface FindCall {
        void find(long workspace, long bytes);
    }

    /**
     * Runs the algorithm search with as much of {@code wanted} workspace as the device can give,
     * up to {@link #MAX_FIND_WORKSPACE}: algorithms that need more are skipped by cuDNN.
     */
    private void withFindWorkspace(long wanted, FindCall call) {
        for (long bytes = Math.min(wanted, MAX_FIND_WORKSPACE); ; bytes /= 2) {
            CachingAllocator.Block ws = allocator.tryAllocate(bytes);
            if (ws != null) {
                try {
                    call.find(ws.address(), bytes);
                } finally {
                    allocator.free(ws);
                }
                return;
            }
        }
    }

    private interface WorkspaceCall {
        void run(long workspace);
    }

    private void withWorkspace(Algorithm algo, WorkspaceCall call) {
        CachingAllocator.Block ws = allocator.allocate(algo.workspaceBytes());
        try {
            call.run(ws.address());
        } finally {
            allocator.free(ws); // stream order makes the reuse safe, see CachingAllocator
        }
    }

    // ---- batch normalisation ------------------------------------------------------------------------

    /**
     * Training-mode batch norm over x [N, C, H, W]: normalises with the batch statistics, saves
     * the mean and 1/sqrt(var + eps), and moves the running statistics by {@code momentum}, with
     * the unbiased variance (cuDNN does this as PyTorch does).
     */
    synchronized void batchNormTraining(long x, int[] xd, long gamma, long beta, long runningMean, long runningVar,
                                        double momentum, double eps, long y, long saveMean, long saveInvStd) {
        driver.bind();
        checkEpsilon(eps);
        cudnnTensorDescriptor xDesc = tensor(xd);
        cudnnBatchNormalizationForwardTraining(handle, SPATIAL, ONE, ZERO, xDesc, Driver.pointer(x), xDesc,
                Driver.pointer(y), perChannel(xd), Driver.pointer(gamma), Driver.pointer(beta), momentum,
                Driver.pointer(runningMean), Driver.pointer(runningVar), eps, Driver.pointer(saveMean),
                Driver.pointer(saveInvStd));
    }

    synchronized void batchNormInference(long x, int[] xd, long gamma, long beta, long runningMean, long runningVar,
                                         double eps, long y) {
        driver.bind();
        checkEpsilon(eps);
        cudnnTensorDescriptor xDesc = tensor(xd);
        cudnnBatchNormalizationForwardInference(handle, SPATIAL, ONE, ZERO, xDesc, Driver.pointer(x), xDesc,
                Driver.pointer(y), perChannel(xd), Driver.pointer(gamma), Driver.pointer(beta),
                Driver.pointer(runningMean), Driver.pointer(runningVar), eps);
    }

    /**
     * Training-mode backward from the saved mean and 1/sqrt(var + eps). cuDNN reads epsilon only
     * when no saved statistics are given; it always gets them here, so the smallest legal one goes.
     */
    synchronized void batchNormBackward(long x, int[] xd, long dy, long gamma, long saveMean, long saveInvStd,
                                        long dx, long dgamma, long dbeta) {
        driver.bind();
        cudnnTensorDescriptor xDesc = tensor(xd);
        cudnnBatchNormalizationBackward(handle, SPATIAL, ONE, ZERO, ONE, ZERO, xDesc, Driver.pointer(x), xDesc,
                Driver.pointer(dy), xDesc, Driver.pointer(dx), perChannel(xd), Driver.pointer(gamma),
                Driver.pointer(dgamma), Driver.pointer(dbeta), JCudnn.CUDNN_BN_MIN_EPSILON,
                Driver.pointer(saveMean), Driver.pointer(saveInvStd));
    }

    private static void checkEpsilon(double eps) {
        if (!(eps >= JCudnn.CUDNN_BN_MIN_EPSILON)) {
            throw new IllegalArgumentException("batch_norm: cuDNN needs eps >= " + JCudnn.CUDNN_BN_MIN_EPSILON
                    + ", got " + eps);
        }
    }

    // ---- descriptors, cached by shape -----------------------------------------------------------------

    private static List<Integer> dims(int[] d) {
        return Arrays.stream(d).boxed().toList();
    }

    private cudnnTensorDescriptor tensor(int[] d) {
        return tensors.computeIfAbsent(dims(d), k -> {
            cudnnTensorDescriptor desc = new cudnnTensorDescriptor();
            cudnnCreateTensorDescriptor(desc);
            cudnnSetTensor4dDescriptor(desc, NCHW, FLOAT, d[0], d[1], d[2], d[3]);
            return desc;
        });
    }

    /** The [1, C, 1, 1] descriptor of the per-channel tensors of a spatial batch norm. */
    private cudnnTensorDescriptor perChannel(int[] xd) {
        return tensor(new int[] {1, xd[1], 1, 1});
    }

    private cudnnFilterDescriptor filter(int[] d) {
        return filters.computeIfAbsent(dims(d), k -> {
            cudnnFilterDescriptor desc = new cudnnFilterDescriptor();
            cudnnCreateFilterDescriptor(desc);
            cudnnSetFilter4dDescriptor(desc, FLOAT, NCHW, d[0], d[1], d[2], d[3]);
            return desc;
        });
    }

    private cudnnConvolutionDescriptor convolution(Conv2dSpec spec) {
        return convolutions.computeIfAbsent(new ConvDescKey(spec, mathType), k -> {
            cudnnConvolutionDescriptor desc = new cudnnConvolutionDescriptor();
            cudnnCreateConvolutionDescriptor(desc);
            cudnnSetConvolution2dDescriptor(desc, spec.padH(), spec.padW(), spec.strideH(), spec.strideW(), 1, 1,
                    cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, FLOAT);
            cudnnSetConvolutionGroupCount(desc, spec.groups());
            cudnnSetConvolutionMathType(desc, k.mathType());
            return desc;
        });
    }
}
