package org.covidct.tensor.cuda;

import static org.covidct.tensor.cuda.KernelArgs.args;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import jcuda.CudaException;
import org.covidct.tensor.Backend;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Device;
import org.covidct.tensor.GeluApproximation;
import org.covidct.tensor.Pool2dSpec;
import org.covidct.tensor.Storage;
import org.covidct.tensor.Tensor;

/**
 * The backend of one NVIDIA GPU: tensors in device memory from a {@link CachingAllocator}, all
 * work queued in order on one stream, matrix products in cuBLAS, convolutions and batch norm in
 * cuDNN, everything else in the kernels of the cuda-kernels module. Results match the CPU backend
 * to float rounding (and exactly where the op picks rather than computes: argmax, pooling routes,
 * dropout masks); convolutions may use TF32 tensor cores, see {@link #setTf32}.
 *
 * <p>Obtain it with {@code Device.cuda(i).backend()}; CUDA errors become IllegalStateExceptions
 * naming the op and the shapes.
 */
public final class CudaBackend implements Backend {
    /** System property: whether convolutions may use TF32 (default true, as PyTorch's cuDNN default). */
    public static final String TF32_PROPERTY = "covidct.cuda.tf32";
    /**
     * System property: wait for every op and check it for errors before the next (slow; for
     * debugging). The environment variable CUDA_LAUNCH_BLOCKING=1, as PyTorch reads it, does the same.
     */
    public static final String SYNCHRONOUS_PROPERTY = "covidct.cuda.synchronous";
    /** System property for tests: fill each op's output with NaN before the op writes it. */
    public static final String POISON_OUTPUTS_PROPERTY = "covidct.cuda.poisonOutputs";

    /** Without it, a kernel's fault surfaces at a later call, under that call's name. */
    private static final boolean SYNCHRONOUS = Boolean.getBoolean(SYNCHRONOUS_PROPERTY)
            || "1".equals(System.getenv("CUDA_LAUNCH_BLOCKING"));
    private static final boolean POISON_OUTPUTS = Boolean.getBoolean(POISON_OUTPUTS_PROPERTY);
    private static final int NAN_BITS = Float.floatToRawIntBits(Float.NaN);

    private static final Map<Integer, CudaBackend> BACKENDS = new ConcurrentHashMap<>();

    private final Device device;
    private final Driver driver;
    private final CachingAllocator allocator;
    private final HostStaging staging;
    private final CudaKernels kernels;
    private final Cublas cublas;
    private final Cudnn cudnn;
    private final SgdTables sgdTables;
    private volatile boolean tf32;
    private volatile boolean matmulTf32;

    private CudaBackend(int index) {
        device = Device.cuda(index);
        driver = new Driver(index);
        allocator = new CachingAllocator(driver);
        staging = new HostStaging(driver);
        kernels = new CudaKernels(driver);
        cublas = new Cublas(driver);
        cudnn = new Cudnn(driver, allocator);
        sgdTables = new SgdTables(allocator, staging);
        setTf32(Boolean.parseBoolean(System.getProperty(TF32_PROPERTY, "true")));
    }

    /** Empty when CUDA is usable here, otherwise one line naming what is missing. */
    public static Optional<String> unavailableReason() {
        return CudaAvailability.unavailableReason();
    }

    /**
     * The backend of GPU {@code index}, created on first use; throws an IllegalStateException
     * with the reason when CUDA is unavailable or the device cannot be opened.
     */
    public static CudaBackend forDevice(int index) {
        CudaBackend b = BACKENDS.get(index);
        if (b != null) {
            return b;
        }
        synchronized (BACKENDS) {
            b = BACKENDS.get(index);
            if (b == null) {
                Optional<String> reason = unavailableReason();
                if (reason.isPresent()) {
                    throw new IllegalStateException(reason.get());
                }
                try {
                    b = new CudaBackend(index);
                } catch (CudaException e) {
                    throw new IllegalStateException("CUDA device " + index + " cannot be opened: " + e.getMessage(), e);
                }
                BACKENDS.put(index, b);
            }
            return b;
        }
    }

    // ---- settings and statistics --------------------------------------------------------------------

    /**
     * Whether convolutions may use TF32 tensor cores (about 1e-3 relative error, several times
     * faster) or must compute in strict FP32. Default from {@value #TF32_PROPERTY}, else true.
     */
    public void setTf32(boolean enabled) {
        tf32 = enabled;
        cudnn.setTf32(enabled);
    }

    public boolean isTf32() {
        return tf32;
    }

    /** Whether matmul and linear may use TF32 tensor cores; off by default (strict FP32). */
    public void setMatmulTf32(boolean enabled) {
        matmulTf32 = enabled;
        cublas.setTf32(enabled);
    }

    public boolean isMatmulTf32() {
        return matmulTf32;
    }

    /** How many times device memory was really allocated (cuMemAlloc): flat once a loop is warm. */
    public long rawAllocations() {
        return allocator.rawAllocations();
    }

    /** Device bytes held by live tensors and workspaces (rounded to the allocator's block sizes). */
    public long bytesInUse() {
        return allocator.bytesInUse();
    }

    /** Device bytes of freed blocks kept for reuse. */
    public long bytesCached() {
        return allocator.bytesCached();
    }

    /** Gives the cached free blocks back to the driver (as torch.cuda.empty_cache()). */
    public void releaseCachedMemory() {
        guard("release_cached_memory", allocator::releaseCached);
    }

    @Override
    public void synchronize() {
        guard("synchronize", driver::synchronize);
    }

    // ---- memory -----------------------------------------------------------------------------------

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Storage allocate(long numel) {
        return filled(numel, 0);
    }

    /** Left as the last user of its memory left it: every op overwrites its whole output. */
    @Override
    public Storage allocateOutput(long numel) {
        return POISON_OUTPUTS ? filled(numel, NAN_BITS) : uninitialised(numel);
    }

    private CudaStorage filled(long numel, int bits) {
        CudaStorage s = uninitialised(numel);
        if (numel > 0) {
            guard("allocate", () -> driver.fill32(s.address(), bits, numel));
        }
        return s;
    }

    private CudaStorage uninitialised(long numel) {
        CachingAllocator.Block block = guarded("allocate " + numel + " floats",
                () -> allocator.allocate(numel * Float.BYTES));
        return new CudaStorage(device, allocator, block, numel);
    }

    @Override
    public Storage upload(float[] host) {
        CudaStorage s = uninitialised(host.length);
        guard("upload " + host.length + " floats", () -> staging.upload(host, s.address()));
        return s;
    }

    @Override
    public void download(Tensor src, float[] host) {
        guard("download", () -> staging.download(addr(src), host), src);
    }

    @Override
    public void fill(Tensor dst, float value) {
        if (dst.numel() > 0) {
            guard("fill", () -> driver.fill32(addr(dst), Float.floatToRawIntBits(value), dst.numel()), dst);
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (src.numel() > 0) {
            guard("copy", () -> driver.copyDeviceToDevice(addr(dst), addr(src), src.numel() * Float.BYTES), src,
                    dst);
        }
    }

    // ---- elementwise ------------------------------------------------------------------------------

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        long n = out.numel();
        launch1d("add", Kernel.ADD, n, args().ptr(addr(a)).ptr(addr(b)).ptr(addr(out)).i64(n), a, b, out);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        long n = out.numel();
        launch1d("mul", Kernel.MUL, n, args().ptr(addr(a)).ptr(addr(b)).ptr(addr(out)).i64(n), a, b, out);
    }

    @Override
    public void scale(Tensor a, float alpha, Tensor out) {
        long n = out.numel();
        launch1d("scale", Kernel.SCALE, n, args().ptr(addr(a)).f32(alpha).ptr(addr(out)).i64(n), a, out);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        long n = y.numel();
        launch1d("axpy", Kernel.AXPY, n, args().f32(alpha).ptr(addr(x)).ptr(addr(y)).i64(n), x, y);
    }

    @Override
    public void relu(Tensor x, Tensor out) {
        long n = out.numel();
        launch1d("relu", Kernel.RELU, n, args().ptr(addr(x)).ptr(addr(out)).i64(n), x, out);
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        long n = dx.numel();
        launch1d("relu_backward", Kernel.RELU_BACKWARD, n,
                args().ptr(addr(y)).ptr(addr(dy)).ptr(addr(dx)).i64(n), y, dy, dx);
    }

    @Override
    public void clamp(Tensor x, float min, float max, Tensor out) {
        long n = out.numel();
        launch1d("clamp", Kernel.CLAMP, n, args().ptr(addr(x)).f32(min).f32(max).ptr(addr(out)).i64(n), x, out);
    }

    @Override
    public void clampBackward(Tensor y, Tensor dy, float min, float max, Tensor dx) {
        long n = dx.numel();
        launch1d("clamp_backward", Kernel.CLAMP_BACKWARD, n,
                args().ptr(addr(y)).ptr(addr(dy)).f32(min).f32(max).ptr(addr(dx)).i64(n), y, dy, dx);
    }

    // ---- activations and elementwise functions --------------------------------------------------------

    @Override
    public void sigmoid(Tensor x, Tensor out) {
        unary("sigmoid", Kernel.SIGMOID, x, out);
    }

    @Override
    public void sigmoidBackward(Tensor y, Tensor dy, Tensor dx) {
        binary("sigmoid_backward", Kernel.SIGMOID_BACKWARD, y, dy, dx);
    }

    @Override
    public void tanh(Tensor x, Tensor out) {
        unary("tanh", Kernel.TANH, x, out);
    }

    @Override
    public void tanhBackward(Tensor y, Tensor dy, Tensor dx) {
        binary("tanh_backward", Kernel.TANH_BACKWARD, y, dy, dx);
    }

    @Override
    public void gelu(Tensor x, GeluApproximation approximation, Tensor out) {
        unary("gelu", approximation == GeluApproximation.NONE ? Kernel.GELU_EXACT : Kernel.GELU_TANH, x, out);
    }

    @Override
    public void geluBackward(Tensor x, Tensor dy, GeluApproximation approximation, Tensor dx) {
        binary("gelu_backward", approximation == GeluApproximation.NONE ? Kernel.GELU_EXACT_BACKWARD
                : Kernel.GELU_TANH_BACKWARD, x, dy, dx);
    }

    @Override
    public void exp(Tensor x, Tensor out) {
        unary("exp", Kernel.EXP, x, out);
    }

    @Override
    public void log(Tensor x, Tensor out) {
        unary("log", Kernel.LOG, x, out);
    }

    @Override
    public void logBackward(Tensor x, Tensor dy, Tensor dx) {
        binary("log_backward", Kernel.LOG_BACKWARD, x, dy, dx);
    }

    /** A kernel {@code (const float* x, float* out, long long n)}. */
    private void unary(String op, Kernel kernel, Tensor x, Tensor out) {
        long n = out.numel();
        launch1d(op, kernel, n, args().ptr(addr(x)).ptr(addr(out)).i64(n), x, out);
    }

    /** A kernel {@code (const float* a, const float* b, float* out, long long n)}. */
    private void binary(String op, Kernel kernel, Tensor a, Tensor b, Tensor out) {
        long n = out.numel();
        launch1d(op, kernel, n, args().ptr(addr(a)).ptr(addr(b)).ptr(addr(out)).i64(n), a, b, out);
    }

    // ---- reductions -------------------------------------------------------------------------------

    /** Two deterministic stages: a fixed number of block partial sums, then one block adds them. */
    @Override
    public void sum(Tensor x, Tensor out) {
        guard("sum", () -> {
            CachingAllocator.Block partials = allocator.allocate(CudaKernels.SUM_BLOCKS * Float.BYTES);
            try {
                kernels.launchBlocks(Kernel.SUM_PARTIALS, CudaKernels.SUM_BLOCKS, CudaKernels.BLOCK,
                        args().ptr(addr(x)).ptr(partials.address()).i64(x.numel()));
                kernels.launchBlocks(Kernel.SUM_FINAL, 1, CudaKernels.BLOCK,
                        args().ptr(partials.address()).ptr(addr(out)).i32(CudaKernels.SUM_BLOCKS));
            } finally {
                allocator.free(partials);
            }
        }, x, out);
    }

    @Override
    public void sumPerChannel(Tensor x, Tensor out) {
        int channels = x.dim(1);
        guard("sum_per_channel", () -> kernels.launchBlocks(Kernel.SUM_PER_CHANNEL, channels, CudaKernels.BLOCK,
                args().ptr(addr(x)).ptr(addr(out)).i32(x.dim(0)).i32(channels).i64(x.shape().sizeFrom(2))), x, out);
    }

    @Override
    public void argmaxRows(Tensor x, int[] out) {
        int rows = x.dim(0);
        guard("argmax", () -> {
            CachingAllocator.Block indices = allocator.allocate((long) rows * Integer.BYTES);
            try {
                kernels.launch1d(Kernel.ARGMAX_ROWS, rows,
                        args().ptr(addr(x)).ptr(indices.address()).i32(rows).i32(x.dim(1)));
                staging.download(indices.address(), out);
            } finally {
                allocator.free(indices);
            }
        }, x);
    }

    // ---- dense layers -----------------------------------------------------------------------------

    @Override
    public void matmul(Tensor a, boolean transposeA, Tensor b, boolean transposeB, Tensor out) {
        guard("matmul", () -> gemm(a, transposeA, b, transposeB, out), a, b, out);
    }

    private void gemm(Tensor a, boolean transposeA, Tensor b, boolean transposeB, Tensor out) {
        int m = out.dim(0), n = out.dim(1), k = transposeA ? a.dim(0) : a.dim(1);
        if (k == 0) {
            driver.fill32(addr(out), 0, out.numel()); // an empty sum; cuBLAS rejects its leading dimensions
        } else if (m > 0 && n > 0) {
            cublas.sgemmRowMajor(transposeA, transposeB, m, n, k, addr(a), a.dim(1), addr(b), b.dim(1), addr(out));
        }
    }

    @Override
    public void linear(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        guard("linear", () -> {
            gemm(x, false, weight, true, y);
            if (bias != null) {
                int rows = y.dim(0), cols = y.dim(1);
                kernels.launch1d(Kernel.ADD_BIAS_ROWS, y.numel(),
                        args().ptr(addr(y)).ptr(addr(bias)).i32(rows).i32(cols));
            }
        }, x, weight, y);
    }

    // ---- convolution ------------------------------------------------------------------------------

    @Override
    public void conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec, Tensor y) {
        guard("conv2d " + spec, () -> {
            if (y.numel() == 0) {
                return;
            }
            cudnn.convolutionForward(addr(x), x.dims(), addr(weight), weight.dims(), spec, addr(y), y.dims());
            if (bias != null) {
                kernels.launch1d(Kernel.ADD_BIAS_CHANNELS, y.numel(), args().ptr(addr(y)).ptr(addr(bias))
                        .i32(y.dim(0)).i32(y.dim(1)).i64(y.shape().sizeFrom(2)));
            }
        }, x, weight, y);
    }

    @Override
    public void conv2dBackwardData(Tensor dy, Tensor weight, Conv2dSpec spec, Tensor dx) {
        guard("conv2d_backward_data " + spec, () -> {
            if (dx.numel() > 0) {
                cudnn.convolutionBackwardData(addr(dy), dy.dims(), addr(weight), weight.dims(), spec, addr(dx),
                        dx.dims());
            }
        }, dy, weight, dx);
    }

    @Override
    public void conv2dBackwardWeight(Tensor dy, Tensor x, Conv2dSpec spec, Tensor dw) {
        guard("conv2d_backward_weight " + spec, () -> {
            if (dw.numel() > 0) {
                cudnn.convolutionBackwardFilter(addr(dy), dy.dims(), addr(x), x.dims(), spec, addr(dw), dw.dims());
            }
        }, dy, x, dw);
    }

    // ---- padding ----------------------------------------------------------------------------------

    @Override
    public void pad2d(Tensor x, int top, int left, Tensor y) {
        launch1d("pad2d", Kernel.PAD2D, y.numel(), args().ptr(addr(x)).ptr(addr(y)).i32(x.dim(0) * x.dim(1))
                .i32(x.dim(2)).i32(x.dim(3)).i32(y.dim(2)).i32(y.dim(3)).i32(top).i32(left), x, y);
    }

    @Override
    public void pad2dBackward(Tensor dy, int top, int left, Tensor dx) {
        launch1d("pad2d_backward", Kernel.PAD2D_BACKWARD, dx.numel(), args().ptr(addr(dy)).ptr(addr(dx))
                .i32(dx.dim(0) * dx.dim(1)).i32(dx.dim(2)).i32(dx.dim(3)).i32(dy.dim(2)).i32(dy.dim(3))
                .i32(top).i32(left), dy, dx);
    }

    // ---- batch normalisation ----------------------------------------------------------------------

    @Override
    public void batchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                  float momentum, float eps, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        guard("batch_norm", () -> cudnn.batchNormTraining(addr(x), x.dims(), addr(gamma), addr(beta),
                addr(runningMean), addr(runningVar), momentum, eps, addr(y), addr(saveMean), addr(saveInvStd)),
                x, gamma);
    }

    @Override
    public void batchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   float eps, Tensor y) {
        guard("batch_norm", () -> cudnn.batchNormInference(addr(x), x.dims(), addr(gamma), addr(beta),
                addr(runningMean), addr(runningVar), eps, addr(y)), x, gamma);
    }

    /**
     * Training mode goes to cuDNN, which takes the saved statistics. In eval mode the statistics
     * are constants, which cuDNN has no backward for: dx is a per-channel scale of dy, and the
     * parameter gradients are per-channel sums.
     */
    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor mean, Tensor invStd,
                                  boolean batchStatistics, Tensor dx, Tensor dgamma, Tensor dbeta) {
        guard("batch_norm_backward", () -> {
            if (batchStatistics) {
                cudnn.batchNormBackward(addr(x), x.dims(), addr(dy), addr(gamma), addr(mean), addr(invStd),
                        addr(dx), addr(dgamma), addr(dbeta));
            } else {
                int n = x.dim(0), c = x.dim(1);
                long hw = x.shape().sizeFrom(2);
                kernels.launch1d(Kernel.BATCH_NORM_FROZEN_BACKWARD, x.numel(), args().ptr(addr(x)).ptr(addr(dy))
                        .ptr(addr(gamma)).ptr(addr(mean)).ptr(addr(invStd)).ptr(addr(dx)).i32(n).i32(c).i64(hw));
                kernels.launchBlocks(Kernel.BATCH_NORM_FROZEN_PARAM_GRADS, c, CudaKernels.BLOCK,
                        args().ptr(addr(x)).ptr(addr(dy)).ptr(addr(mean)).ptr(addr(invStd)).ptr(addr(dgamma))
                                .ptr(addr(dbeta)).i32(n).i32(c).i64(hw));
            }
        }, x, dy, gamma);
    }

    // ---- pooling ----------------------------------------------------------------------------------

    @Override
    public void maxPool2d(Tensor x, Pool2dSpec spec, Tensor y) {
        launch1d("max_pool2d", Kernel.MAX_POOL2D, y.numel(), windowArgs(args().ptr(addr(x)).ptr(addr(y))
                .i32(x.dim(0)).i32(x.dim(1)).i32(x.dim(2)).i32(x.dim(3)).i32(y.dim(2)).i32(y.dim(3)), spec), x, y);
    }

    @Override
    public void maxPool2dBackward(Tensor x, Tensor dy, Pool2dSpec spec, Tensor dx) {
        launch1d("max_pool2d_backward", Kernel.MAX_POOL2D_BACKWARD, x.numel(),
                windowArgs(args().ptr(addr(x)).ptr(addr(dy)).ptr(addr(dx)).i32(x.dim(0)).i32(x.dim(1)).i32(x.dim(2))
                        .i32(x.dim(3)).i32(dy.dim(2)).i32(dy.dim(3)), spec), x, dy, dx);
    }

    @Override
    public void avgPool2d(Tensor x, Pool2dSpec spec, Tensor y) {
        launch1d("avg_pool2d", Kernel.AVG_POOL2D, y.numel(), windowArgs(args().ptr(addr(x)).ptr(addr(y))
                .i32(x.dim(0) * x.dim(1)).i32(x.dim(2)).i32(x.dim(3)).i32(y.dim(2)).i32(y.dim(3)), spec), x, y);
    }

    @Override
    public void avgPool2dBackward(Tensor dy, Pool2dSpec spec, Tensor dx) {
        launch1d("avg_pool2d_backward", Kernel.AVG_POOL2D_BACKWARD, dx.numel(), windowArgs(args().ptr(addr(dy))
                .ptr(addr(dx)).i32(dx.dim(0) * dx.dim(1)).i32(dx.dim(2)).i32(dx.dim(3)).i32(dy.dim(2)).i32(dy.dim(3)),
                spec), dy, dx);
    }

    /** The window arguments every pooling kernel ends with: kernel, stride and padding, rows then columns. */
    private static KernelArgs windowArgs(KernelArgs a, Pool2dSpec spec) {
        return a.i32(spec.kernelH()).i32(spec.kernelW()).i32(spec.strideH()).i32(spec.strideW()).i32(spec.padH())
                .i32(spec.padW());
    }

    @Override
    public void adaptiveAvgPool2d(Tensor x, Tensor y) {
        launch1d("adaptive_avg_pool2d", Kernel.ADAPTIVE_AVG_POOL2D, y.numel(), args().ptr(addr(x)).ptr(addr(y))
                .i32(x.dim(0) * x.dim(1)).i32(x.dim(2)).i32(x.dim(3)).i32(y.dim(2)).i32(y.dim(3)), x, y);
    }

    @Override
    public void adaptiveAvgPool2dBackward(Tensor dy, Tensor dx) {
        launch1d("adaptive_avg_pool2d_backward", Kernel.ADAPTIVE_AVG_POOL2D_BACKWARD, dx.numel(),
                args().ptr(addr(dy)).ptr(addr(dx)).i32(dx.dim(0) * dx.dim(1)).i32(dx.dim(2)).i32(dx.dim(3))
                        .i32(dy.dim(2)).i32(dy.dim(3)), dy, dx);
    }

    // ---- layer normalisation ------------------------------------------------------------------------

    /** One block per row. */
    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor invStd) {
        int rows = (int) mean.numel(), size = (int) weight.numel();
        guard("layer_norm", () -> kernels.launchBlocks(Kernel.LAYER_NORM, rows, CudaKernels.BLOCK, args()
                .ptr(addr(x)).ptr(addr(weight)).ptr(addr(bias)).f32(eps).ptr(addr(y)).ptr(addr(mean))
                .ptr(addr(invStd)).i32(size)), x, weight);
    }

    /** dx with one block per row; the parameter gradients with one thread per column. */
    @Override
    public void layerNormBackward(Tensor x, Tensor dy, Tensor weight, Tensor mean, Tensor invStd, Tensor dx,
                                  Tensor dweight, Tensor dbias) {
        int rows = (int) mean.numel(), size = (int) weight.numel();
        guard("layer_norm_backward", () -> {
            kernels.launchBlocks(Kernel.LAYER_NORM_BACKWARD_DATA, rows, CudaKernels.BLOCK, args().ptr(addr(x))
                    .ptr(addr(dy)).ptr(addr(weight)).ptr(addr(mean)).ptr(addr(invStd)).ptr(addr(dx)).i32(size));
            kernels.launch1d(Kernel.LAYER_NORM_BACKWARD_PARAMS, size, args().ptr(addr(x)).ptr(addr(dy))
                    .ptr(addr(mean)).ptr(addr(invStd)).ptr(addr(dweight)).ptr(addr(dbias)).i32(rows).i32(size));
        }, x, dy, weight);
    }

    // ---- dropout ------------------------------------------------------------------------------------

    @Override
    public void dropoutMask(long seed, float p, Tensor mask) {
        long n = mask.numel();
        launch1d("dropout", Kernel.DROPOUT_MASK, n, args().i64(seed).f32(p).ptr(addr(mask)).i64(n), mask);
    }

    // ---- classification loss ------------------------------------------------------------------------

    @Override
    public void softmax(Tensor logits, Tensor probs) {
        launch1d("softmax", Kernel.SOFTMAX_ROWS, logits.dim(0), args().ptr(addr(logits)).ptr(addr(probs))
                .i32(logits.dim(0)).i32(logits.dim(1)), logits, probs);
    }

    @Override
    public void crossEntropy(Tensor logits, int[] targets, Tensor probs, Tensor loss) {
        softmax(logits, probs);
        guard("cross_entropy", () -> withTargets(targets, t -> kernels.launchBlocks(Kernel.CROSS_ENTROPY, 1, 1,
                args().ptr(addr(logits)).ptr(t).ptr(addr(loss)).i32(logits.dim(0)).i32(logits.dim(1)))), logits);
    }

    @Override
    public void crossEntropyBackward(Tensor probs, int[] targets, float gradScale, Tensor dlogits) {
        guard("cross_entropy_backward", () -> withTargets(targets, t -> kernels.launch1d(
                Kernel.CROSS_ENTROPY_BACKWARD, probs.numel(), args().ptr(addr(probs)).ptr(t).f32(gradScale)
                        .ptr(addr(dlogits)).i32(probs.dim(0)).i32(probs.dim(1)))), probs);
    }

    private interface DeviceIntsUse {
        void run(long address);
    }

    /** Runs {@code use} with the targets in a temporary device int array. */
    private void withTargets(int[] targets, DeviceIntsUse use) {
        CachingAllocator.Block block = allocator.allocate((long) targets.length * Integer.BYTES);
        try {
            staging.upload(targets, block.address());
            use.run(block.address());
        } finally {
            allocator.free(block); // stream order: the kernel reads it before any later reuse
        }
    }

    // ---- elementwise losses -------------------------------------------------------------------------

    @Override
    public void binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor loss) {
        meanOfTerms("binary_cross_entropy_with_logits", Kernel.BINARY_CROSS_ENTROPY_WITH_LOGITS_PARTIALS, logits,
                target, loss);
    }

    @Override
    public void binaryCrossEntropyWithLogitsBackward(Tensor logits, Tensor target, float gradScale, Tensor dlogits) {
        long n = dlogits.numel();
        launch1d("binary_cross_entropy_with_logits_backward", Kernel.BINARY_CROSS_ENTROPY_WITH_LOGITS_BACKWARD, n,
                args().ptr(addr(logits)).ptr(addr(target)).f32(gradScale).ptr(addr(dlogits)).i64(n), logits, target);
    }

    @Override
    public void mseLoss(Tensor input, Tensor target, Tensor loss) {
        meanOfTerms("mse_loss", Kernel.MSE_LOSS_PARTIALS, input, target, loss);
    }

    @Override
    public void mseLossBackward(Tensor input, Tensor target, float gradScale, Tensor dinput) {
        long n = dinput.numel();
        launch1d("mse_loss_backward", Kernel.MSE_LOSS_BACKWARD, n,
                args().ptr(addr(input)).ptr(addr(target)).f32(gradScale).ptr(addr(dinput)).i64(n), input, target);
    }

    /**
     * A loss's mean in two deterministic stages: a fixed number of blocks each sum their share of
     * the terms into a double, then one block adds those and divides by the element count.
     */
    private void meanOfTerms(String op, Kernel partialsKernel, Tensor x, Tensor target, Tensor loss) {
        guard(op, () -> {
            CachingAllocator.Block partials = allocator.allocate(CudaKernels.SUM_BLOCKS * Double.BYTES);
            try {
                kernels.launchBlocks(partialsKernel, CudaKernels.SUM_BLOCKS, CudaKernels.BLOCK,
                        args().ptr(addr(x)).ptr(addr(target)).ptr(partials.address()).i64(x.numel()));
                kernels.launchBlocks(Kernel.MEAN_OF_PARTIALS, 1, CudaKernels.BLOCK, args().ptr(partials.address())
                        .ptr(addr(loss)).i32(CudaKernels.SUM_BLOCKS).i64(x.numel()));
            } finally {
                allocator.free(partials);
            }
        }, x, target);
    }

    // ---- optimiser ----------------------------------------------------------------------------------

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum,
                        float weightDecay, boolean firstStep) {
        sgdStepAll(List.of(param), List.of(grad), Collections.singletonList(momentumBuffer), lr, momentum, weightDecay,
                firstStep);
    }

    /** One sgd_momentum_multi launch updates every tensor; see {@link SgdTables} for its inputs. */
    @Override
    public void sgdStepAll(List<Tensor> params, List<Tensor> grads, List<Tensor> momentumBuffers, float lr,
                           float momentum, float weightDecay, boolean firstStep) {
        int count = params.size();
        long[] table = new long[4 * count + 1];
        long total = 0;
        for (int t = 0; t < count; t++) {
            Tensor buf = momentumBuffers.get(t);
            table[t] = addr(params.get(t));
            table[count + t] = addr(grads.get(t));
            table[2 * count + t] = buf == null ? 0 : addr(buf);
            table[3 * count + t] = total;
            total += params.get(t).numel();
        }
        table[4 * count] = total;
        long elements = total;
        guard("sgd_step of " + count + " tensors, " + total + " elements", () -> {
            if (elements == 0) {
                return;
            }
            long tables = sgdTables.table(table);
            kernels.launch1d(Kernel.SGD_MOMENTUM_MULTI, elements, args().ptr(tables)
                    .ptr(tables + (long) count * Long.BYTES).ptr(tables + 2L * count * Long.BYTES)
                    .ptr(tables + 3L * count * Long.BYTES).i32(count).f32(lr).f32(momentum).f32(weightDecay)
                    .i32(firstStep ? 1 : 0));
        });
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** The device address of a tensor of this backend. */
    private static long addr(Tensor t) {
        return ((CudaStorage) t.storage()).address();
    }

    private void launch1d(String op, Kernel kernel, long n, KernelArgs args, Tensor... shapes) {
        guard(op, () -> kernels.launch1d(kernel, n, args), shapes);
    }

    /** Runs {@code body}, turning a CUDA error into an IllegalStateException naming op and shapes. */
    private void guard(String op, Runnable body, Tensor... shapes) {
        guarded(op, () -> {
            body.run();
            return null;
        }, shapes);
    }

    private <T> T guarded(String op, Supplier<T> body, Tensor... shapes) {
        try {
            T result = body.get();
            if (SYNCHRONOUS) {
                driver.synchronize();
            }
            return result;
        } catch (CudaException e) {
            StringBuilder s = new StringBuilder(op).append(" on ").append(device);
            for (int i = 0; i < shapes.length; i++) {
                s.append(i == 0 ? ", shapes " : ", ").append(shapes[i].shape());
            }
            throw new IllegalStateException(s.append(": ").append(e.getMessage()).toString(), e);
        }
    }
}
