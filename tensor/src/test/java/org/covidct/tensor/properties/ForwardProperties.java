package org.covidct.tensor.properties;

import static org.covidct.tensor.properties.PropertySupport.FORWARD_TOL;
import static org.covidct.tensor.properties.PropertySupport.assertClose;
import static org.covidct.tensor.properties.PropertySupport.assertWithinSumBound;
import static org.covidct.tensor.properties.PropertySupport.ints;
import static org.covidct.tensor.properties.PropertySupport.product;
import static org.covidct.tensor.properties.PropertySupport.toDouble;
import static org.covidct.tensor.properties.PropertySupport.uniform;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Device;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Pool2dSpec;
import org.covidct.tensor.Shape;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/** Every forward op of {@link Ops} on the CPU agrees with {@link NaiveOps} on random shapes and values. */
class ForwardProperties {

    // ---- convolution ------------------------------------------------------------------------------

    @Property(tries = 50)
    void conv2dMatchesNaive(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int c,
                            @ForAll @IntRange(min = 1, max = 4) int k,
                            @ForAll @IntRange(min = 1, max = 4) int r, @ForAll @IntRange(min = 1, max = 4) int s,
                            @ForAll @IntRange(min = 0, max = 6) int extraH, @ForAll @IntRange(min = 0, max = 6) int extraW,
                            @ForAll @IntRange(min = 1, max = 3) int strideH, @ForAll @IntRange(min = 1, max = 3) int strideW,
                            @ForAll @IntRange(min = 0, max = 2) int padH, @ForAll @IntRange(min = 0, max = 2) int padW,
                            @ForAll boolean withBias, @ForAll long seed) {
        int h = Math.max(1, r - 2 * padH) + extraH;
        int w = Math.max(1, s - 2 * padW) + extraW;
        checkConv2d(n, c, k, h, w, r, s, new Conv2dSpec(strideH, strideW, padH, padW), withBias, seed);
    }

    /** Wider channels and images, to reach the blocked and parallel paths of the kernel. */
    @Property(tries = 15)
    void conv2dLargerMatchesNaive(@ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 24) int c,
                                  @ForAll @IntRange(min = 1, max = 24) int k, @ForAll("oddKernels") int kernel,
                                  @ForAll @IntRange(min = 0, max = 20) int extra,
                                  @ForAll @IntRange(min = 1, max = 2) int stride,
                                  @ForAll @IntRange(min = 0, max = 3) int pad, @ForAll boolean withBias,
                                  @ForAll long seed) {
        int hw = Math.max(1, kernel - 2 * pad) + extra;
        checkConv2d(n, c, k, hw, hw + 1, kernel, kernel, Conv2dSpec.of(stride, pad), withBias, seed);
    }

    @Provide
    Arbitrary<Integer> oddKernels() {
        return Arbitraries.of(1, 3, 5, 7);
    }

    private static void checkConv2d(int n, int c, int k, int h, int w, int r, int s, Conv2dSpec spec,
                                    boolean withBias, long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * c * h * w, -1, 1);
        float[] wt = uniform(rnd, k * c * r * s, -1, 1);
        float[] b = withBias ? uniform(rnd, k, -1, 1) : null;
        double[] expected = NaiveOps.conv2d(toDouble(x), n, c, h, w, toDouble(wt), k, r, s,
                b == null ? null : toDouble(b), spec.strideH(), spec.strideW(), spec.padH(), spec.padW());
        try (TensorScope scope = TensorScope.open()) {
            Tensor y = Ops.conv2d(Tensor.of(x, n, c, h, w), Tensor.of(wt, k, c, r, s),
                    b == null ? null : Tensor.of(b, k), spec);
            int p = NaiveOps.convOut(h, r, spec.strideH(), spec.padH());
            int q = NaiveOps.convOut(w, s, spec.strideW(), spec.padW());
            if (!y.shape().equals(Shape.of(n, k, p, q))) {
                throw new AssertionError("conv2d output shape " + y.shape() + ", expected " + Arrays.toString(
                        new int[] {n, k, p, q}));
            }
            assertClose("conv2d x[" + n + "," + c + "," + h + "," + w + "] w[" + k + "," + c + "," + r + "," + s
                    + "] " + spec + " bias=" + withBias, y.toArray(), expected, FORWARD_TOL);
        }
    }

    // ---- batch normalisation ----------------------------------------------------------------------

    @Provide
    Arbitrary<Float> epsilons() {
        return Arbitraries.of(1e-5f, 1e-3f, 0.1f);
    }

    @Property(tries = 50)
    void batchNormTrainingMatchesNaive(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 5) int c,
                                       @ForAll @IntRange(min = 1, max = 5) int h, @ForAll @IntRange(min = 1, max = 5) int w,
                                       @ForAll("epsilons") float eps, @ForAll long seed) {
        Assume.that(n * h * w >= 2);
        float momentum = 0.1f;
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * c * h * w, -2, 2);
        float[] gamma = uniform(rnd, c, 0.5f, 2);
        float[] beta = uniform(rnd, c, -1, 1);
        float[] rm = uniform(rnd, c, -1, 1);
        float[] rv = uniform(rnd, c, 0.5f, 2);
        NaiveOps.BatchNormTrain e = NaiveOps.batchNormTraining(toDouble(x), n, c, h * w, toDouble(gamma),
                toDouble(beta), eps);
        double[] invStd = new double[c];
        for (int i = 0; i < c; i++) {
            invStd[i] = 1 / Math.sqrt(e.var()[i] + eps);
        }
        try (TensorScope scope = TensorScope.open()) {
            Tensor runningMean = Tensor.of(rm, c);
            Tensor runningVar = Tensor.of(rv, c);
            Ops.BatchNormOutput out = Ops.batchNormTraining(Tensor.of(x, n, c, h, w), Tensor.of(gamma, c),
                    Tensor.of(beta, c), runningMean, runningVar, momentum, eps);
            String what = "batch_norm training x[" + n + "," + c + "," + h + "," + w + "] eps=" + eps;
            assertClose(what + " y", out.y().toArray(), e.y(), FORWARD_TOL);
            assertClose(what + " saved mean", out.mean().toArray(), e.mean(), FORWARD_TOL);
            assertClose(what + " saved invStd", out.invStd().toArray(), invStd, FORWARD_TOL);
            assertClose(what + " running mean", runningMean.toArray(),
                    NaiveOps.runningUpdate(toDouble(rm), e.mean(), momentum), FORWARD_TOL);
            assertClose(what + " running var (unbiased)", runningVar.toArray(),
                    NaiveOps.runningUpdate(toDouble(rv), e.unbiasedVar(), momentum), FORWARD_TOL);
        }
    }

    @Property(tries = 50)
    void batchNormEvalMatchesNaive(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 5) int c,
                                   @ForAll @IntRange(min = 1, max = 5) int h, @ForAll @IntRange(min = 1, max = 5) int w,
                                   @ForAll("epsilons") float eps, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * c * h * w, -2, 2);
        float[] gamma = uniform(rnd, c, -2, 2);
        float[] beta = uniform(rnd, c, -1, 1);
        float[] rm = uniform(rnd, c, -1, 1);
        float[] rv = uniform(rnd, c, 0.05f, 2);
        double[] expected = NaiveOps.batchNormEval(toDouble(x), n, c, h * w, toDouble(gamma), toDouble(beta),
                toDouble(rm), toDouble(rv), eps);
        try (TensorScope scope = TensorScope.open()) {
            Tensor runningMean = Tensor.of(rm, c);
            Tensor runningVar = Tensor.of(rv, c);
            Tensor y = Ops.batchNormInference(Tensor.of(x, n, c, h, w), Tensor.of(gamma, c), Tensor.of(beta, c),
                    runningMean, runningVar, eps);
            String what = "batch_norm eval x[" + n + "," + c + "," + h + "," + w + "] eps=" + eps;
            assertClose(what, y.toArray(), expected, FORWARD_TOL);
            if (!Arrays.equals(runningMean.toArray(), rm) || !Arrays.equals(runningVar.toArray(), rv)) {
                throw new AssertionError(what + ": eval mode changed the running statistics");
            }
        }
    }

    // ---- elementwise ------------------------------------------------------------------------------

    /** Shapes of rank 0 to 4 with dimensions 0 to 6 (empty tensors included). */
    @Provide
    Arbitrary<int[]> smallShapes() {
        return Arbitraries.integers().between(0, 6).list().ofMaxSize(4)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    /** One-dimensional sizes around and above the elementwise parallel grain (2^15). */
    @Provide
    Arbitrary<Integer> largeSizes() {
        return Arbitraries.integers().between(30_000, 200_000);
    }

    @Property(tries = 50)
    void reluMatchesNaive(@ForAll("smallShapes") int[] dims, @ForAll long seed) {
        checkRelu(dims, seed);
    }

    @Property(tries = 8)
    void reluLargeMatchesNaive(@ForAll("largeSizes") int size, @ForAll long seed) {
        checkRelu(new int[] {size}, seed);
    }

    private static void checkRelu(int[] dims, long seed) {
        float[] x = uniform(new Random(seed), product(dims), -1, 1);
        try (TensorScope scope = TensorScope.open()) {
            assertClose("relu " + Arrays.toString(dims), Ops.relu(Tensor.of(x, dims)).toArray(),
                    NaiveOps.relu(toDouble(x)), FORWARD_TOL);
        }
    }

    @Property(tries = 50)
    void addMulScaleMatchNaive(@ForAll("smallShapes") int[] dims, @ForAll @FloatRange(min = -4, max = 4) float alpha,
                               @ForAll long seed) {
        checkElementwise(dims, alpha, seed);
    }

    @Property(tries = 8)
    void addMulScaleLargeMatchNaive(@ForAll("largeSizes") int size, @ForAll @FloatRange(min = -4, max = 4) float alpha,
                                    @ForAll long seed) {
        checkElementwise(new int[] {size}, alpha, seed);
    }

    private static void checkElementwise(int[] dims, float alpha, long seed) {
        Random rnd = new Random(seed);
        int numel = product(dims);
        float[] a = uniform(rnd, numel, -2, 2);
        float[] b = uniform(rnd, numel, -2, 2);
        String shape = Arrays.toString(dims);
        try (TensorScope scope = TensorScope.open()) {
            Tensor ta = Tensor.of(a, dims);
            Tensor tb = Tensor.of(b, dims);
            assertClose("add " + shape, Ops.add(ta, tb).toArray(), NaiveOps.add(toDouble(a), toDouble(b)),
                    FORWARD_TOL);
            assertClose("mul " + shape, Ops.mul(ta, tb).toArray(), NaiveOps.mul(toDouble(a), toDouble(b)),
                    FORWARD_TOL);
            assertClose("scale " + shape + " by " + alpha, Ops.scale(ta, alpha).toArray(),
                    NaiveOps.scale(toDouble(a), alpha), FORWARD_TOL);
        }
    }

    // ---- reductions -------------------------------------------------------------------------------

    @Property(tries = 50)
    void sumMatchesNaive(@ForAll("smallShapes") int[] dims, @ForAll long seed) {
        checkSum(dims, seed);
    }

    @Property(tries = 8)
    void sumLargeMatchesNaive(@ForAll("largeSizes") int size, @ForAll long seed) {
        checkSum(new int[] {size}, seed);
    }

    private static void checkSum(int[] dims, long seed) {
        float[] x = uniform(new Random(seed), product(dims), -1, 1.5f);
        try (TensorScope scope = TensorScope.open()) {
            Tensor s = Ops.sum(Tensor.of(x, dims));
            if (s.rank() != 0) {
                throw new AssertionError("sum of " + Arrays.toString(dims) + " has shape " + s.shape());
            }
            assertClose("sum " + Arrays.toString(dims), s.item(), NaiveOps.sum(toDouble(x)), FORWARD_TOL);
        }
    }

    @Property(tries = 50)
    void sumPerChannelMatchesNaive(@ForAll @IntRange(min = 1, max = 5) int n, @ForAll @IntRange(min = 1, max = 6) int c,
                                   @ForAll("innerDims") int[] inner, @ForAll long seed) {
        checkSumPerChannel(n, c, inner, seed);
    }

    @Provide
    Arbitrary<int[]> innerDims() {
        return Arbitraries.integers().between(1, 5).list().ofMaxSize(2)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Many channels of large planes: the kernel's parallel path. */
    @Property(tries = 8)
    void sumPerChannelLargeMatchesNaive(@ForAll @IntRange(min = 1, max = 4) int n,
                                        @ForAll @IntRange(min = 16, max = 96) int c,
                                        @ForAll @IntRange(min = 256, max = 2048) int inner, @ForAll long seed) {
        checkSumPerChannel(n, c, new int[] {inner}, seed);
    }

    private static void checkSumPerChannel(int n, int c, int[] inner, long seed) {
        int[] dims = new int[2 + inner.length];
        dims[0] = n;
        dims[1] = c;
        System.arraycopy(inner, 0, dims, 2, inner.length);
        float[] x = uniform(new Random(seed), product(dims), -1, 1.5f);
        try (TensorScope scope = TensorScope.open()) {
            assertClose("sum_per_channel " + Arrays.toString(dims), Ops.sumPerChannel(Tensor.of(x, dims)).toArray(),
                    NaiveOps.sumPerChannel(toDouble(x), n, c, product(inner)), FORWARD_TOL);
        }
    }

    @Property(tries = 50)
    void argmaxRowsMatchesNaiveIncludingTies(@ForAll @IntRange(min = 1, max = 8) int rows,
                                             @ForAll @IntRange(min = 1, max = 12) int cols,
                                             @ForAll boolean fewDistinctValues, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = fewDistinctValues ? rnd.nextInt(3) - 1 : rnd.nextFloat() * 4 - 2;
        }
        try (TensorScope scope = TensorScope.open()) {
            int[] actual = Ops.argmaxRows(Tensor.of(x, rows, cols));
            int[] expected = NaiveOps.argmaxRows(toDouble(x), rows, cols);
            if (!Arrays.equals(actual, expected)) {
                throw new AssertionError("argmax [" + rows + "," + cols + "] of " + Arrays.toString(x) + ": got "
                        + Arrays.toString(actual) + ", expected " + Arrays.toString(expected));
            }
        }
    }

    // ---- pooling ----------------------------------------------------------------------------------

    @Property(tries = 50)
    void maxPool2dMatchesNaive(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int c,
                               @ForAll @IntRange(min = 1, max = 3) int kh, @ForAll @IntRange(min = 1, max = 3) int kw,
                               @ForAll @IntRange(min = 1, max = 3) int sh, @ForAll @IntRange(min = 1, max = 3) int sw,
                               @ForAll @IntRange(min = 0, max = 6) int extraH, @ForAll @IntRange(min = 0, max = 6) int extraW,
                               @ForAll long seed) {
        int h = kh + extraH;
        int w = kw + extraW;
        float[] x = uniform(new Random(seed), n * c * h * w, -2, 2);
        Pool2dSpec spec = new Pool2dSpec(kh, kw, sh, sw);
        try (TensorScope scope = TensorScope.open()) {
            Tensor y = Ops.maxPool2d(Tensor.of(x, n, c, h, w), spec);
            assertClose("max_pool2d [" + n + "," + c + "," + h + "," + w + "] " + spec, y.toArray(),
                    NaiveOps.maxPool2d(toDouble(x), n, c, h, w, kh, kw, sh, sw), FORWARD_TOL);
        }
    }

    @Property(tries = 50)
    void adaptiveAvgPool2dMatchesNaive(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int c,
                                       @ForAll @IntRange(min = 1, max = 9) int h, @ForAll @IntRange(min = 1, max = 9) int w,
                                       @ForAll @IntRange(min = 1, max = 8) int outH,
                                       @ForAll @IntRange(min = 1, max = 8) int outW, @ForAll long seed) {
        float[] x = uniform(new Random(seed), n * c * h * w, -2, 2);
        try (TensorScope scope = TensorScope.open()) {
            Tensor y = Ops.adaptiveAvgPool2d(Tensor.of(x, n, c, h, w), outH, outW);
            assertClose("adaptive_avg_pool2d [" + n + "," + c + "," + h + "," + w + "] to " + outH + "x" + outW,
                    y.toArray(), NaiveOps.adaptiveAvgPool2d(toDouble(x), n, c, h, w, outH, outW), FORWARD_TOL);
        }
    }

    // ---- dense layers -----------------------------------------------------------------------------

    @Property(tries = 50)
    void linearMatchesNaive(@ForAll @IntRange(min = 1, max = 10) int n, @ForAll @IntRange(min = 1, max = 12) int in,
                            @ForAll @IntRange(min = 1, max = 10) int out, @ForAll boolean withBias,
                            @ForAll long seed) {
        checkLinear(n, in, out, withBias, seed);
    }

    @Property(tries = 10)
    void linearLargeMatchesNaive(@ForAll @IntRange(min = 1, max = 96) int n, @ForAll @IntRange(min = 100, max = 300) int in,
                                 @ForAll @IntRange(min = 1, max = 300) int out, @ForAll boolean withBias,
                                 @ForAll long seed) {
        checkLinear(n, in, out, withBias, seed);
    }

    private static void checkLinear(int n, int in, int out, boolean withBias, long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * in, -1, 1);
        float[] wt = uniform(rnd, out * in, -1, 1);
        float[] b = withBias ? uniform(rnd, out, -1, 1) : null;
        try (TensorScope scope = TensorScope.open()) {
            Tensor y = Ops.linear(Tensor.of(x, n, in), Tensor.of(wt, out, in), b == null ? null : Tensor.of(b, out));
            assertClose("linear x[" + n + "," + in + "] w[" + out + "," + in + "] bias=" + withBias, y.toArray(),
                    NaiveOps.linear(toDouble(x), n, in, toDouble(wt), out, b == null ? null : toDouble(b)),
                    FORWARD_TOL);
        }
    }

    @Property(tries = 50)
    void matmulMatchesNaive(@ForAll @IntRange(min = 1, max = 9) int m, @ForAll @IntRange(min = 1, max = 9) int k,
                            @ForAll @IntRange(min = 1, max = 9) int n, @ForAll boolean transA,
                            @ForAll boolean transB, @ForAll long seed) {
        checkMatmul(m, k, n, transA, transB, seed);
    }

    /** Sizes past the kernel's cache blocks (64 rows, 128 inner, 256 columns) and parallel threshold. */
    @Property(tries = 12)
    void matmulLargeMatchesNaive(@ForAll @IntRange(min = 1, max = 150) int m, @ForAll @IntRange(min = 1, max = 300) int k,
                                 @ForAll @IntRange(min = 1, max = 300) int n, @ForAll boolean transA,
                                 @ForAll boolean transB, @ForAll long seed) {
        checkMatmul(m, k, n, transA, transB, seed);
    }

    private static void checkMatmul(int m, int k, int n, boolean transA, boolean transB, long seed) {
        Random rnd = new Random(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        float[] a = uniform(rnd, aRows * aCols, -1, 1);
        float[] b = uniform(rnd, bRows * bCols, -1, 1);
        try (TensorScope scope = TensorScope.open()) {
            Tensor c = Ops.matmul(Tensor.of(a, aRows, aCols), transA, Tensor.of(b, bRows, bCols), transB);
            if (!c.shape().equals(Shape.of(m, n))) {
                throw new AssertionError("matmul output shape " + c.shape() + ", expected [" + m + ", " + n + "]");
            }
            assertClose("matmul a[" + aRows + "," + aCols + "]" + (transA ? "^T" : "") + " b[" + bRows + "," + bCols
                    + "]" + (transB ? "^T" : ""), c.toArray(),
                    NaiveOps.matmul(toDouble(a), aRows, aCols, transA, toDouble(b), bRows, bCols, transB),
                    FORWARD_TOL);
        }
    }

    // ---- classification ---------------------------------------------------------------------------

    @Property(tries = 50)
    void softmaxMatchesNaive(@ForAll @IntRange(min = 1, max = 6) int rows, @ForAll @IntRange(min = 1, max = 12) int cols,
                             @ForAll @FloatRange(min = 0.1f, max = 40f) float spread, @ForAll long seed) {
        float[] x = uniform(new Random(seed), rows * cols, -spread, spread);
        try (TensorScope scope = TensorScope.open()) {
            assertClose("softmax [" + rows + "," + cols + "] spread " + spread,
                    Ops.softmax(Tensor.of(x, rows, cols)).toArray(), NaiveOps.softmaxRows(toDouble(x), rows, cols),
                    FORWARD_TOL);
        }
    }

    /**
     * Logits stay within [-2, 2]: for larger spreads a float32 loss close to 0 is limited by the
     * rounding of log(sum exp), whatever the kernel does.
     */
    @Property(tries = 50)
    void crossEntropyMatchesNaive(@ForAll @IntRange(min = 1, max = 8) int rows, @ForAll @IntRange(min = 1, max = 10) int cols,
                                  @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, rows * cols, -2, 2);
        int[] targets = ints(rnd, rows, cols);
        try (TensorScope scope = TensorScope.open()) {
            Ops.CrossEntropyOutput out = Ops.crossEntropy(Tensor.of(x, rows, cols), targets);
            String what = "cross_entropy [" + rows + "," + cols + "] targets " + Arrays.toString(targets);
            if (out.loss().rank() != 0) {
                throw new AssertionError(what + ": loss has shape " + out.loss().shape());
            }
            assertClose(what + " loss", out.loss().item(),
                    NaiveOps.crossEntropy(toDouble(x), rows, cols, targets), FORWARD_TOL);
            assertClose(what + " probs", out.probs().toArray(), NaiveOps.softmaxRows(toDouble(x), rows, cols),
                    FORWARD_TOL);
        }
    }

    // ---- optimiser --------------------------------------------------------------------------------

    @Provide
    Arbitrary<Float> momenta() {
        return Arbitraries.oneOf(Arbitraries.of(0f, 0.9f), Arbitraries.floats().between(0.01f, 0.99f));
    }

    @Provide
    Arbitrary<Float> weightDecays() {
        return Arbitraries.oneOf(Arbitraries.of(0f, 1e-4f), Arbitraries.floats().between(1e-5f, 0.1f).ofScale(6));
    }

    @Provide
    Arbitrary<Float> learningRates() {
        return Arbitraries.floats().between(1e-4f, 0.5f).ofScale(6);
    }

    @Property(tries = 50)
    void sgdStepsMatchNaive(@ForAll @IntRange(min = 1, max = 40) int size,
                            @ForAll("learningRates") float lr, @ForAll("momenta") float momentum,
                            @ForAll("weightDecays") float weightDecay, @ForAll @IntRange(min = 1, max = 4) int steps,
                            @ForAll boolean nullBufferWithoutMomentum, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] p0 = uniform(rnd, size, -2, 2);
        float[] buf0 = uniform(rnd, size, -1, 1); // stale contents the first step must overwrite
        double[] p = toDouble(p0);
        double[] buf = toDouble(buf0);
        boolean nullBuffer = momentum == 0f && nullBufferWithoutMomentum;
        try (TensorScope scope = TensorScope.open()) {
            Tensor param = Tensor.of(p0, size);
            Tensor buffer = nullBuffer ? null : Tensor.of(buf0, size);
            for (int step = 0; step < steps; step++) {
                float[] g = uniform(rnd, size, -1, 1);
                boolean first = step == 0;
                // The terms each result sums: an update that nearly cancels is only as exact as they are.
                double[] bufferTerms = new double[size];
                double[] paramTerms = new double[size];
                for (int i = 0; i < size; i++) {
                    double direction = Math.abs(g[i]) + weightDecay * Math.abs(p[i]);
                    bufferTerms[i] = (first || nullBuffer ? 0 : momentum * Math.abs(buf[i])) + direction;
                    paramTerms[i] = Math.abs(p[i]) + lr * (nullBuffer ? direction : bufferTerms[i]);
                }
                Ops.sgdStep(param, Tensor.of(g, size), buffer, lr, momentum, weightDecay, first);
                NaiveOps.sgdStep(p, toDouble(g), buf, lr, momentum, weightDecay, first);
                String what = "sgd step " + step + " lr=" + lr + " momentum=" + momentum + " wd=" + weightDecay;
                assertWithinSumBound(what + " param", param.toArray(), p, paramTerms, FORWARD_TOL);
                if (buffer != null) {
                    assertWithinSumBound(what + " momentum buffer", buffer.toArray(), buf, bufferTerms, FORWARD_TOL);
                }
            }
        }
    }

    // ---- dropout ----------------------------------------------------------------------------------

    @Property(tries = 50)
    void dropoutMaskHoldsOnlyZeroAndInverseKeep(@ForAll("maskShapes") int[] dims,
                                                @ForAll @FloatRange(min = 0f, max = 0.95f) float p,
                                                @ForAll long seed) {
        double keep = 1.0 / (1.0 - p);
        try (TensorScope scope = TensorScope.open()) {
            float[] m = Ops.dropoutMask(Device.CPU, Shape.of(dims), p, seed).toArray();
            for (int i = 0; i < m.length; i++) {
                if (m[i] != 0f && !(Math.abs(m[i] - keep) <= 1e-6 * keep)) {
                    throw new AssertionError("dropout p=" + p + " seed=" + seed + ": mask[" + i + "] = " + m[i]
                            + ", expected 0 or " + keep);
                }
                if (p == 0f && m[i] == 0f) {
                    throw new AssertionError("dropout p=0 dropped element " + i);
                }
            }
        }
    }

    @Provide
    Arbitrary<int[]> maskShapes() {
        return Arbitraries.integers().between(1, 12).list().ofMinSize(1).ofMaxSize(4)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    @Property(tries = 30)
    void dropoutMaskIsAFunctionOfSeedAndIndex(@ForAll @IntRange(min = 1, max = 5000) int size,
                                              @ForAll @IntRange(min = 0, max = 5000) int otherSize,
                                              @ForAll @FloatRange(min = 0.05f, max = 0.95f) float p,
                                              @ForAll long seed) {
        try (TensorScope scope = TensorScope.open()) {
            float[] a = Ops.dropoutMask(Device.CPU, Shape.of(size), p, seed).toArray();
            float[] b = Ops.dropoutMask(Device.CPU, Shape.of(size), p, seed).toArray();
            if (!Arrays.equals(a, b)) {
                throw new AssertionError("dropout seed " + seed + " p=" + p + ": two masks of " + size + " differ");
            }
            // Element i depends on (seed, i) only: a mask of another size and shape agrees on the common prefix.
            int common = Math.min(size, otherSize);
            float[] c = otherSize == 0 ? new float[0]
                    : Ops.dropoutMask(Device.CPU, Shape.of(1, otherSize, 1), p, seed).toArray();
            if (!Arrays.equals(Arrays.copyOf(a, common), Arrays.copyOf(c, common))) {
                throw new AssertionError("dropout seed " + seed + " p=" + p + ": masks of " + size + " and "
                        + otherSize + " elements differ on their common prefix");
            }
        }
    }

    @Property(tries = 30)
    void differentSeedsGiveDifferentMasks(@ForAll long seed1, @ForAll long seed2,
                                          @ForAll @FloatRange(min = 0.1f, max = 0.9f) float p,
                                          @ForAll @IntRange(min = 1000, max = 4000) int size) {
        Assume.that(seed1 != seed2);
        try (TensorScope scope = TensorScope.open()) {
            float[] a = Ops.dropoutMask(Device.CPU, Shape.of(size), p, seed1).toArray();
            float[] b = Ops.dropoutMask(Device.CPU, Shape.of(size), p, seed2).toArray();
            if (Arrays.equals(a, b)) {
                throw new AssertionError("dropout seeds " + seed1 + " and " + seed2 + " gave the same mask of "
                        + size + " elements, p=" + p);
            }
        }
    }

    /** The kept fraction of 100k elements is within 0.01 of 1 - p (about 6 standard deviations). */
    @Property(tries = 20)
    void dropoutKeepsOneMinusPOfTheElements(@ForAll @FloatRange(min = 0f, max = 0.95f) float p, @ForAll long seed) {
        int size = 100_000;
        try (TensorScope scope = TensorScope.open()) {
            float[] m = Ops.dropoutMask(Device.CPU, Shape.of(size), p, seed).toArray();
            int kept = 0;
            for (float v : m) {
                if (v != 0f) {
                    kept++;
                }
            }
            double fraction = (double) kept / size;
            if (Math.abs(fraction - (1 - p)) > 0.01) {
                throw new AssertionError("dropout p=" + p + " seed=" + seed + ": kept fraction " + fraction
                        + ", expected " + (1 - p) + " +- 0.01");
            }
        }
    }

    /** Consecutive seeds (as a training loop would use) do not give correlated masks. */
    @Property(tries = 10)
    void consecutiveSeedsAreUncorrelated(@ForAll long seed, @ForAll @FloatRange(min = 0.2f, max = 0.8f) float p) {
        Assume.that(seed != Long.MAX_VALUE);
        int size = 100_000;
        try (TensorScope scope = TensorScope.open()) {
            float[] a = Ops.dropoutMask(Device.CPU, Shape.of(size), p, seed).toArray();
            float[] b = Ops.dropoutMask(Device.CPU, Shape.of(size), p, seed + 1).toArray();
            int both = 0;
            for (int i = 0; i < size; i++) {
                if (a[i] != 0f && b[i] != 0f) {
                    both++;
                }
            }
            double fraction = (double) both / size;
            double expected = (1 - p) * (1 - p);
            if (Math.abs(fraction - expected) > 0.01) {
                throw new AssertionError("dropout seeds " + seed + " and " + (seed + 1) + ", p=" + p
                        + ": both kept " + fraction + " of elements, independent masks keep " + expected);
            }
        }
    }
}
