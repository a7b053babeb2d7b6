package org.covidct.tensor.cpu;

import org.covidct.tensor.Backend;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Device;
import org.covidct.tensor.GeluApproximation;
import org.covidct.tensor.Pool2dSpec;
import org.covidct.tensor.Storage;
import org.covidct.tensor.Tensor;

/**
 * The CPU backend: float arrays on the heap, kernels in plain Java spread over {@link Parallel}'s
 * pool. Simple elementwise kernels live here; each larger family has a class of its own. Where
 * several kernels compute one op, the backend's {@link CpuKernelPaths} choose.
 */
public final class CpuBackend implements Backend {
    private static final CpuBackend INSTANCE = new CpuBackend(CpuKernelPaths.DEFAULT);
    /** Elementwise loops below this many elements run on the calling thread. */
    static final int ELEMENTWISE_GRAIN = 1 << 15;
    /** Freed tensor arrays for reuse, at most a quarter of the heap. */
    private static final CpuArrayPool POOL = new CpuArrayPool(Runtime.getRuntime().maxMemory() / 4);
    /**
     * When set (the test suites set it), every output array starts as NaN, so that a kernel that
     * leaves part of its output unwritten fails its tests instead of passing on zeroed memory.
     */
    static final boolean POISON_OUTPUTS = Boolean.getBoolean("covidct.cpu.poisonOutputs");

    static {
        if (!CpuKernelPaths.VECTOR_API_PRESENT) {
            System.getLogger(CpuBackend.class.getName()).log(System.Logger.Level.WARNING,
                    "the jdk.incubator.vector module is not in this JVM, so the CPU backend runs its scalar kernels,"
                    + " 3 to 5 times slower; start java with --add-modules jdk.incubator.vector");
        }
    }

    private final CpuKernelPaths paths;
    /** paths.vectorApi(), which every elementwise loop reads. */
    private final boolean vectorApi;

    /**
     * A backend that runs the kernels {@code paths} choose, on tensors of {@link Device#CPU}; tests
     * build one to reach a path. The device's own backend is {@link #instance()}.
     */
    CpuBackend(CpuKernelPaths paths) {
        this.paths = paths;
        this.vectorApi = paths.vectorApi();
    }

    /** The backend of {@link Device#CPU}, with the fastest kernels this JVM has. */
    public static CpuBackend instance() {
        return INSTANCE;
    }

    /** The array behind a CPU tensor. */
    static float[] data(Tensor t) {
        return ((CpuStorage) t.storage()).data();
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Storage allocate(long numel) {
        checkSize(numel);
        return new CpuStorage(POOL.take((int) numel), POOL);
    }

    @Override
    public Storage allocateOutput(long numel) {
        checkSize(numel);
        float[] a = POOL.takeUninitialized((int) numel);
        if (POISON_OUTPUTS) {
            java.util.Arrays.fill(a, Float.NaN);
        }
        return new CpuStorage(a, POOL);
    }

    private static void checkSize(long numel) {
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("CPU tensors hold at most 2^31 - 9 elements, asked for " + numel);
        }
    }

    @Override
    public Storage upload(float[] host) {
        return new CpuStorage(host.clone());
    }

    @Override
    public void download(Tensor src, float[] host) {
        System.arraycopy(data(src), 0, host, 0, host.length);
    }

    @Override
    public void fill(Tensor dst, float value) {
        java.util.Arrays.fill(data(dst), value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        float[] s = data(src);
        System.arraycopy(s, 0, data(dst), 0, s.length);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        float[] x = data(a), y = data(b), o = data(out);
        Parallel.forRange(o.length, ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                o[i] = x[i] + y[i];
            }
        });
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        float[] x = data(a), y = data(b), o = data(out);
        Parallel.forRange(o.length, ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                o[i] = x[i] * y[i];
            }
        });
    }

    @Override
    public void scale(Tensor a, float alpha, Tensor out) {
        float[] x = data(a), o = data(out);
        Parallel.forRange(o.length, ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                o[i] = alpha * x[i];
            }
        });
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        float[] a = data(x), o = data(y);
        Parallel.forRange(o.length, ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                o[i] += alpha * a[i];
            }
        });
    }

    @Override
    public void relu(Tensor x, Tensor out) {
        float[] a = data(x), o = data(out);
        Parallel.forRange(o.length, ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                o[i] = Math.max(a[i], 0f);
            }
        });
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        float[] out = data(y), g = data(dy), o = data(dx);
        Parallel.forRange(o.length, ELEMENTWISE_GRAIN, (from, to) -> {
            if (vectorApi) {
                SimdElementwise.reluBackward(out, g, o, from, to);
                return;
            }
            for (int i = from; i < to; i++) {
                o[i] = out[i] > 0f ? g[i] : 0f;
            }
        });
    }

    @Override
    public void clamp(Tensor x, float min, float max, Tensor out) {
        CpuActivations.clamp(data(x), min, max, data(out), vectorApi);
    }

    @Override
    public void clampBackward(Tensor y, Tensor dy, float min, float max, Tensor dx) {
        float[] out = data(y), g = data(dy), o = data(dx);
        Parallel.forRange(o.length, ELEMENTWISE_GRAIN, (from, to) -> {
            if (vectorApi) {
                SimdElementwise.clampBackward(out, g, min, max, o, from, to);
                return;
            }
            for (int i = from; i < to; i++) {
                o[i] = out[i] > min && out[i] < max ? g[i] : 0f;
            }
        });
    }

    @Override
    public void sigmoid(Tensor x, Tensor out) {
        CpuActivations.sigmoid(data(x), data(out), vectorApi);
    }

    @Override
    public void sigmoidBackward(Tensor y, Tensor dy, Tensor dx) {
        CpuActivations.sigmoidBackward(data(y), data(dy), data(dx));
    }

    @Override
    public void tanh(Tensor x, Tensor out) {
        CpuActivations.tanh(data(x), data(out), vectorApi);
    }

    @Override
    public void tanhBackward(Tensor y, Tensor dy, Tensor dx) {
        CpuActivations.tanhBackward(data(y), data(dy), data(dx));
    }

    @Override
    public void gelu(Tensor x, GeluApproximation approximation, Tensor out) {
        CpuActivations.gelu(data(x), approximation, data(out), vectorApi);
    }

    @Override
    public void geluBackward(Tensor x, Tensor dy, GeluApproximation approximation, Tensor dx) {
        CpuActivations.geluBackward(data(x), data(dy), approximation, data(dx), vectorApi);
    }

    @Override
    public void exp(Tensor x, Tensor out) {
        CpuActivations.exp(data(x), data(out), vectorApi);
    }

    @Override
    public void log(Tensor x, Tensor out) {
        CpuActivations.log(data(x), data(out), vectorApi);
    }

    @Override
    public void logBackward(Tensor x, Tensor dy, Tensor dx) {
        CpuActivations.logBackward(data(x), data(dy), data(dx));
    }

    @Override
    public void sum(Tensor x, Tensor out) {
        data(out)[0] = (float) CpuReductions.sum(data(x));
    }

    @Override
    public void sumPerChannel(Tensor x, Tensor out) {
        CpuReductions.sumPerChannel(data(x), x.dim(0), x.dim(1), x.shape().sizeFrom(2), data(out), vectorApi);
    }

    @Override
    public void argmaxRows(Tensor x, int[] out) {
        CpuReductions.argmaxRows(data(x), x.dim(0), x.dim(1), out);
    }

    @Override
    public void matmul(Tensor a, boolean transposeA, Tensor b, boolean transposeB, Tensor out) {
        int m = out.dim(0), n = out.dim(1), k = transposeA ? a.dim(0) : a.dim(1);
        Sgemm.sgemm(transposeA, transposeB, m, n, k, 1f, data(a), 0, a.dim(1), data(b), 0, b.dim(1),
                0f, data(out), 0, n);
    }

    @Override
    public void linear(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        int n = x.dim(0), in = x.dim(1), outFeatures = weight.dim(0);
        float[] o = data(y);
        if (bias != null) {
            float[] b = data(bias);
            for (int r = 0; r < n; r++) {
                System.arraycopy(b, 0, o, r * outFeatures, outFeatures);
            }
        }
        Sgemm.sgemm(false, true, n, outFeatures, in, 1f, data(x), 0, in, data(weight), 0, in,
                bias != null ? 1f : 0f, o, 0, outFeatures);
    }

    @Override
    public void conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec, Tensor y) {
        conv2dClamped(x, weight, bias, spec, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, y);
    }

    /** Clamps each output while it is in cache, rather than in a second pass over y. */
    @Override
    public void conv2dClamped(Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec, float min, float max,
                              Tensor y) {
        if (spec.groups() > 1) {
            CpuGroupedConv2d.forward(x, weight, bias, spec, min, max, y, vectorApi);
        } else {
            CpuConv2d.forward(x, weight, bias, spec, min, max, y, paths);
        }
    }

    @Override
    public void conv2dBackwardData(Tensor dy, Tensor weight, Conv2dSpec spec, Tensor dx) {
        if (spec.groups() > 1) {
            CpuGroupedConv2d.backwardData(dy, weight, spec, dx, vectorApi);
        } else {
            CpuConv2d.backwardData(dy, weight, spec, dx, paths);
        }
    }

    @Override
    public void conv2dBackwardWeight(Tensor dy, Tensor x, Conv2dSpec spec, Tensor dw) {
        if (spec.groups() > 1) {
            CpuGroupedConv2d.backwardWeight(dy, x, spec, dw, vectorApi);
        } else {
            CpuConv2d.backwardWeight(dy, x, spec, dw, paths);
        }
    }

    @Override
    public void pad2d(Tensor x, int top, int left, Tensor y) {
        CpuPadding.pad(x, top, left, y);
    }

    @Override
    public void pad2dBackward(Tensor dy, int top, int left, Tensor dx) {
        CpuPadding.crop(dy, top, left, dx);
    }

    @Override
    public void batchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                  float momentum, float eps, Tensor y, Tensor saveMean, Tensor saveInvStd) {
        CpuBatchNorm.training(x, gamma, beta, runningMean, runningVar, momentum, eps, y, saveMean, saveInvStd,
                vectorApi);
    }

    @Override
    public void batchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   float eps, Tensor y) {
        CpuBatchNorm.inference(x, gamma, beta, runningMean, runningVar, eps, y);
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor mean, Tensor invStd,
                                  boolean batchStatistics, Tensor dx, Tensor dgamma, Tensor dbeta) {
        CpuBatchNorm.backward(x, dy, gamma, mean, invStd, batchStatistics, dx, dgamma, dbeta, vectorApi);
    }

    @Override
    public void maxPool2d(Tensor x, Pool2dSpec spec, Tensor y) {
        CpuPooling.maxPool(x, spec, y, vectorApi && VectorWarmUp.compiled());
    }

    @Override
    public void maxPool2dBackward(Tensor x, Tensor dy, Pool2dSpec spec, Tensor dx) {
        CpuPooling.maxPoolBackward(x, dy, spec, dx);
    }

    @Override
    public void adaptiveAvgPool2d(Tensor x, Tensor y) {
        CpuPooling.adaptiveAvgPool(x, y);
    }

    @Override
    public void adaptiveAvgPool2dBackward(Tensor dy, Tensor dx) {
        CpuPooling.adaptiveAvgPoolBackward(dy, dx);
    }

    @Override
    public void avgPool2d(Tensor x, Pool2dSpec spec, Tensor y) {
        CpuAvgPooling.forward(x, spec, y);
    }

    @Override
    public void avgPool2dBackward(Tensor dy, Pool2dSpec spec, Tensor dx) {
        CpuAvgPooling.backward(dy, spec, dx);
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor invStd) {
        CpuLayerNorm.forward(x, weight, bias, eps, y, mean, invStd, vectorApi);
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor dy, Tensor weight, Tensor mean, Tensor invStd, Tensor dx,
                                  Tensor dweight, Tensor dbias) {
        CpuLayerNorm.backward(x, dy, weight, mean, invStd, dx, dweight, dbias);
    }

    @Override
    public void dropoutMask(long seed, float p, Tensor mask) {
        float[] m = data(mask);
        float keep = 1f / (1f - p);
        Parallel.forRange(m.length, ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                m[i] = CounterRng.uniform(seed, i) < p ? 0f : keep;
            }
        });
    }

    @Override
    public void softmax(Tensor logits, Tensor probs) {
        CpuLoss.softmax(data(logits), logits.dim(0), logits.dim(1), data(probs));
    }

    @Override
    public void crossEntropy(Tensor logits, int[] targets, Tensor probs, Tensor loss) {
        data(loss)[0] = CpuLoss.crossEntropy(data(logits), logits.dim(0), logits.dim(1), targets, data(probs));
    }

    @Override
    public void crossEntropyBackward(Tensor probs, int[] targets, float gradScale, Tensor dlogits) {
        CpuLoss.crossEntropyBackward(data(probs), probs.dim(0), probs.dim(1), targets, gradScale, data(dlogits));
    }

    @Override
    public void binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor loss) {
        data(loss)[0] = CpuElementwiseLoss.binaryCrossEntropyWithLogits(data(logits), data(target));
    }

    @Override
    public void binaryCrossEntropyWithLogitsBackward(Tensor logits, Tensor target, float gradScale, Tensor dlogits) {
        CpuElementwiseLoss.binaryCrossEntropyWithLogitsBackward(data(logits), data(target), gradScale, data(dlogits));
    }

    @Override
    public void mseLoss(Tensor input, Tensor target, Tensor loss) {
        data(loss)[0] = CpuElementwiseLoss.mseLoss(data(input), data(target));
    }

    @Override
    public void mseLossBackward(Tensor input, Tensor target, float gradScale, Tensor dinput) {
        CpuElementwiseLoss.mseLossBackward(data(input), data(target), gradScale, data(dinput));
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum,
                        float weightDecay, boolean firstStep) {
        float[] p = data(param), g = data(grad), buf = momentumBuffer == null ? null : data(momentumBuffer);
        Parallel.forRange(p.length, ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                float d = g[i] + weightDecay * p[i];
                if (buf != null && momentum != 0f) {
                    d = firstStep ? d : momentum * buf[i] + d;
                    buf[i] = d;
                }
                p[i] -= lr * d;
            }
        });
    }
}
