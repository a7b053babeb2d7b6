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
import java.util.Set;
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
 * cuDNN 9 (or 8), through JCudnn: one handle on the backend's stream, convolutions in three passes
 * and batch normalisation. Each convolution problem gets its algorithm from
 * cudnnFind*AlgorithmEx (which times the candidates on the real buffers) once, and keeps it, with
 * the math type it was timed with. Workspaces come from the caching allocator. Every call's
 * status is checked here, so errors carry cuDNN 9's status names ({@link CudnnStatus}). The only
 * class that imports {@code jcuda.jcudnn}; shapes are int[4] NCHW.
 *
 * <p>Strict FP32 (TF32 off) also leaves out the FFT and Winograd algorithms: their transforms
 * round in float, which costs about 1e-5 to 1e-4 of relative error, the size of the whole error
 * budget that strict FP32 promises (1e-5, as the CPU backend meets). The GEMM and direct
 * algorithms sum the same products as the CPU does, in another order.
 */
final class Cudnn {
    /** Most workspace the algorithm search may use; it halves this until an allocation succeeds. */
    static final long MAX_FIND_WORKSPACE = 1L << 30;

    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});
    private static final int FLOAT = cudnnDataType.CUDNN_DATA_FLOAT;
    private static final int NCHW = cudnnTensorFormat.CUDNN_TENSOR_NCHW;
    private static final int SPATIAL = cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL;

    private enum Pass {
        FORWARD(cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_COUNT, Set.of(
                cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_FFT,
                cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING,
                cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD,
                cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED)),
        BACKWARD_DATA(cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, Set.of(
                cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT,
                cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING,
                cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD,
                cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED)),
        BACKWARD_FILTER(cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, Set.of(
                cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT,
                cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING,
                cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD,
                cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED));

        final int algorithmCount;
        /** Algorithms that transform the data and so round more than strict FP32 allows. */
        final Set<Integer> transforming;

        Pass(int algorithmCount, Set<Integer> transforming) {
            this.algorithmCount = algorithmCount;
            this.transforming = transforming;
        }
    }

    /** Everything cuDNN's choice of algorithm depends on. */
    private record ConvKey(Pass pass, List<Integer> x, List<Integer> w, Conv2dSpec spec, int mathType) {
    }

    /**
     * One result of a Find call. JCudnn's native copies the math type back from cuDNN's perf
     * struct only for the backward-filter pass (its forward and backward-data copies stop at
     * {@code determinism}, leaving 0, CUDNN_DEFAULT_MATH); those two passes record the math type the
     * search ran under instead, which is what their candidates were timed with.
     */
    private record Found(int algo, int status, long memory, int mathType) {
    }

    /** The algorithm a problem runs with, and the math type cuDNN timed it with. */
    private record Algorithm(int id, long workspaceBytes, int mathType) {
    }

    private final Driver driver;
    private final CachingAllocator allocator;
    private final cudnnHandle handle = new cudnnHandle();
    private final Map<List<Integer>, cudnnTensorDescriptor> tensors = new HashMap<>();
    private final Map<List<Integer>, cudnnFilterDescriptor> filters = new HashMap<>();
    private final Map<Conv2dSpec, cudnnConvolutionDescriptor> convolutions = new HashMap<>();
    private final Map<ConvKey, Algorithm> algorithms = new HashMap<>();
    private int mathType = cudnnMathType.CUDNN_DEFAULT_MATH;

    Cudnn(Driver driver, CachingAllocator allocator) {
        this.driver = driver;
        this.allocator = allocator;
        driver.bind();
        JCudnn.setExceptionsEnabled(false);
        check(cudnnCreate(handle), "cudnnCreate");
        check(cudnnSetStream(handle, new cudaStream_t(driver.stream())), "cudnnSetStream");
    }

    /** Throws a CudaException naming the call and the status, unless it succeeded. */
    private static void check(int status, String call) {
        if (status != cudnnStatus.CUDNN_STATUS_SUCCESS) {
            throw new CudaException(call + ": " + CudnnStatus.name(status));
        }
    }

    /** Empty when JCudnn and cuDNN 8 or 9 load, otherwise what is missing. */
    static Optional<String> unavailableReason() {
        Optional<String> missing = CudnnNative.choose();
        if (missing.isPresent()) {
            return missing;
        }
        try {
            JCudnn.initialize();
            long version = JCudnn.cudnnGetVersion();
            // cuDNN 8 numbers its versions major*1000 + minor*100 + patch, cuDNN 9 major*10000 + ...
            long major = version >= 90000 ? version / 10000 : version / 1000;
            if (major != 8 && major != 9) {
                return Optional.of("cuDNN: found version " + version + ", but the backend needs cuDNN 8 or 9");
            }
            return Optional.empty();
        } catch (LinkageError e) {
            return Optional.of("cuDNN: " + NativeLoading.describe(e, CudnnNative.CUDNN9, "cuDNN 9 or 8"));
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
        Algorithm algo = algorithm(Pass.FORWARD, xd, wd, spec, conv,
                (id, size) -> cudnnGetConvolutionForwardWorkspaceSize(handle, xDesc, wDesc, conv, yDesc, id, size),
                (ws, bytes) -> {
                    var perf = new cudnnConvolutionFwdAlgoPerf[Pass.FORWARD.algorithmCount];
                    int[] returned = {0};
                    check(cudnnFindConvolutionForwardAlgorithmEx(handle, xDesc, Driver.pointer(x), wDesc,
                            Driver.pointer(w), conv, yDesc, Driver.pointer(y), perf.length, returned, perf,
                            Driver.pointer(ws), bytes), "cudnnFindConvolutionForwardAlgorithmEx");
                    return Arrays.stream(perf, 0, returned[0])
                            .map(p -> new Found(p.algo, p.status, p.memory, mathType)).toList();
                });
        withWorkspace(algo, conv, ws -> check(cudnnConvolutionForward(handle, ONE, xDesc, Driver.pointer(x), wDesc,
                Driver.pointer(w), conv, algo.id(), Driver.pointer(ws), algo.workspaceBytes(), ZERO, yDesc,
                Driver.pointer(y)), "cudnnConvolutionForward with algorithm " + algo.id()));
    }

    synchronized void convolutionBackwardData(long dy, int[] yd, long w, int[] wd, Conv2dSpec spec,
                                              long dx, int[] xd) {
        driver.bind();
        cudnnTensorDescriptor xDesc = tensor(xd);
        cudnnTensorDescriptor yDesc = tensor(yd);
        cudnnFilterDescriptor wDesc = filter(wd);
        cudnnConvolutionDescriptor conv = convolution(spec);
        Algorithm algo = algorithm(Pass.BACKWARD_DATA, xd, wd, spec, conv,
                (id, size) -> cudnnGetConvolutionBackwardDataWorkspaceSize(handle, wDesc, yDesc, conv, xDesc, id,
                        size),
                (ws, bytes) -> {
                    var perf = new cudnnConvolutionBwdDataAlgoPerf[Pass.BACKWARD_DATA.algorithmCount];
                    int[] returned = {0};
                    check(cudnnFindConvolutionBackwardDataAlgorithmEx(handle, wDesc, Driver.pointer(w), yDesc,
                            Driver.pointer(dy), conv, xDesc, Driver.pointer(dx), perf.length, returned, perf,
                            Driver.pointer(ws), bytes), "cudnnFindConvolutionBackwardDataAlgorithmEx");
                    return Arrays.stream(perf, 0, returned[0])
                            .map(p -> new Found(p.algo, p.status, p.memory, mathType)).toList();
                });
        withWorkspace(algo, conv, ws -> check(cudnnConvolutionBackwardData(handle, ONE, wDesc, Driver.pointer(w),
                yDesc, Driver.pointer(dy), conv, algo.id(), Driver.pointer(ws), algo.workspaceBytes(), ZERO, xDesc,
                Driver.pointer(dx)), "cudnnConvolutionBackwardData with algorithm " + algo.id()));
    }

    synchronized void convolutionBackwardFilter(long dy, int[] yd, long x, int[] xd, Conv2dSpec spec,
                                                long dw, int[] wd) {
        driver.bind();
        cudnnTensorDescriptor xDesc = tensor(xd);
        cudnnTensorDescriptor yDesc = tensor(yd);
        cudnnFilterDescriptor wDesc = filter(wd);
        cudnnConvolutionDescriptor conv = convolution(spec);
        Algorithm algo = algorithm(Pass.BACKWARD_FILTER, xd, wd, spec, conv,
                (id, size) -> cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, xDesc, yDesc, conv, wDesc, id,
                        size),
                (ws, bytes) -> {
                    var perf = new cudnnConvolutionBwdFilterAlgoPerf[Pass.BACKWARD_FILTER.algorithmCount];
                    int[] returned = {0};
                    check(cudnnFindConvolutionBackwardFilterAlgorithmEx(handle, xDesc, Driver.pointer(x), yDesc,
                            Driver.pointer(dy), conv, wDesc, Driver.pointer(dw), perf.length, returned, perf,
                            Driver.pointer(ws), bytes), "cudnnFindConvolutionBackwardFilterAlgorithmEx");
                    return Arrays.stream(perf, 0, returned[0])
                            .map(p -> new Found(p.algo, p.status, p.memory, p.mathType)).toList();
                });
        withWorkspace(algo, conv, ws -> check(cudnnConvolutionBackwardFilter(handle, ONE, xDesc, Driver.pointer(x),
                yDesc, Driver.pointer(dy), conv, algo.id(), Driver.pointer(ws), algo.workspaceBytes(), ZERO, wDesc,
                Driver.pointer(dw)), "cudnnConvolutionBackwardFilter with algorithm " + algo.id()));
    }

    private interface SizeQuery {
        int query(int algorithm, long[] size);
    }

    private interface FindCall {
        List<Found> find(long workspace, long bytes);
    }

    /**
     * The cached algorithm of one problem, searched for the first time only: the largest
     * workspace any candidate needs is offered to {@code find}, which times the candidates (cuDNN
     * sorts them fastest first); the first that worked, and is allowed, is kept.
     */
    private Algorithm algorithm(Pass pass, int[] xd, int[] wd, Conv2dSpec spec, cudnnConvolutionDescriptor conv,
                                SizeQuery workspaceSize, FindCall find) {
        ConvKey key = new ConvKey(pass, dims(xd), dims(wd), spec, mathType);
        Algorithm algo = algorithms.get(key);
        if (algo != null) {
            return algo;
        }
        check(cudnnSetConvolutionMathType(conv, mathType), "cudnnSetConvolutionMathType");
        long wanted = 0;
        long[] size = {0};
        for (int a = 0; a < pass.algorithmCount; a++) {
            // Algorithms that do not apply to this problem answer NOT_SUPPORTED: they need nothing.
            if (workspaceSize.query(a, size) == cudnnStatus.CUDNN_STATUS_SUCCESS) {
                wanted = Math.max(wanted, size[0]);
            }
        }
        List<Found> results = withFindWorkspace(wanted, find);
        boolean strict = mathType == cudnnMathType.CUDNN_FMA_MATH;
        for (Found f : results) {
            if (f.status() == cudnnStatus.CUDNN_STATUS_SUCCESS && !(strict && pass.transforming.contains(f.algo()))) {
                algo = new Algorithm(f.algo(), f.memory(), f.mathType());
                algorithms.put(key, algo);
                return algo;
            }
        }
        throw new IllegalStateException("cuDNN found no working algorithm for " + key + " among " + results);
    }

    /**
     * Runs the algorithm search with as much of {@code wanted} workspace as the device can give,
     * up to {@link #MAX_FIND_WORKSPACE}: algorithms that need more are skipped by cuDNN.
     */
    private List<Found> withFindWorkspace(long wanted, FindCall call) {
        for (long bytes = Math.min(wanted, MAX_FIND_WORKSPACE); ; bytes /= 2) {
            CachingAllocator.Block ws = allocator.tryAllocate(bytes);
            if (ws != null) {
                try {
                    return call.find(ws.address(), bytes);
                } finally {
                    allocator.free(ws);
                }
            }
        }
    }

    private interface WorkspaceCall {
        void run(long workspace);
    }

    /**
     * Runs {@code call} with the algorithm's workspace and the math type it was timed with set on
     * the descriptor (as PyTorch does): an algorithm found under tensor-op math is refused under
     * another.
     */
    private void withWorkspace(Algorithm algo, cudnnConvolutionDescriptor conv, WorkspaceCall call) {
        check(cudnnSetConvolutionMathType(conv, algo.mathType()), "cudnnSetConvolutionMathType");
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
        check(cudnnBatchNormalizationForwardTraining(handle, SPATIAL, ONE, ZERO, xDesc, Driver.pointer(x), xDesc,
                Driver.pointer(y), perChannel(xd), Driver.pointer(gamma), Driver.pointer(beta), momentum,
                Driver.pointer(runningMean), Driver.pointer(runningVar), eps, Driver.pointer(saveMean),
                Driver.pointer(saveInvStd)), "cudnnBatchNormalizationForwardTraining");
    }

    synchronized void batchNormInference(long x, int[] xd, long gamma, long beta, long runningMean, long runningVar,
                                         double eps, long y) {
        driver.bind();
        checkEpsilon(eps);
        cudnnTensorDescriptor xDesc = tensor(xd);
        check(cudnnBatchNormalizationForwardInference(handle, SPATIAL, ONE, ZERO, xDesc, Driver.pointer(x), xDesc,
                Driver.pointer(y), perChannel(xd), Driver.pointer(gamma), Driver.pointer(beta),
                Driver.pointer(runningMean), Driver.pointer(runningVar), eps), "cudnnBatchNormalizationForwardInference");
    }

    /**
     * Training-mode backward from the saved mean and 1/sqrt(var + eps). cuDNN reads epsilon only
     * when no saved statistics are given; it always gets them here, so the smallest legal one goes.
     */
    synchronized void batchNormBackward(long x, int[] xd, long dy, long gamma, long saveMean, long saveInvStd,
                                        long dx, long dgamma, long dbeta) {
        driver.bind();
        cudnnTensorDescriptor xDesc = tensor(xd);
        check(cudnnBatchNormalizationBackward(handle, SPATIAL, ONE, ZERO, ONE, ZERO, xDesc, Driver.pointer(x),
                xDesc, Driver.pointer(dy), xDesc, Driver.pointer(dx), perChannel(xd), Driver.pointer(gamma),
                Driver.pointer(dgamma), Driver.pointer(dbeta), JCudnn.CUDNN_BN_MIN_EPSILON,
                Driver.pointer(saveMean), Driver.pointer(saveInvStd)), "cudnnBatchNormalizationBackward");
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
            check(cudnnCreateTensorDescriptor(desc), "cudnnCreateTensorDescriptor");
            check(cudnnSetTensor4dDescriptor(desc, NCHW, FLOAT, d[0], d[1], d[2], d[3]),
                    "cudnnSetTensor4dDescriptor " + k);
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
            check(cudnnCreateFilterDescriptor(desc), "cudnnCreateFilterDescriptor");
            check(cudnnSetFilter4dDescriptor(desc, FLOAT, NCHW, d[0], d[1], d[2], d[3]),
                    "cudnnSetFilter4dDescriptor " + k);
            return desc;
        });
    }

    /** One descriptor per spec; the math type is set on it before each use. */
    private cudnnConvolutionDescriptor convolution(Conv2dSpec spec) {
        return convolutions.computeIfAbsent(spec, k -> {
            cudnnConvolutionDescriptor desc = new cudnnConvolutionDescriptor();
            check(cudnnCreateConvolutionDescriptor(desc), "cudnnCreateConvolutionDescriptor");
            check(cudnnSetConvolution2dDescriptor(desc, spec.padH(), spec.padW(), spec.strideH(), spec.strideW(), 1,
                    1, cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, FLOAT), "cudnnSetConvolution2dDescriptor " + spec);
            check(cudnnSetConvolutionGroupCount(desc, spec.groups()), "cudnnSetConvolutionGroupCount " + spec);
            return desc;
        });
    }
}
