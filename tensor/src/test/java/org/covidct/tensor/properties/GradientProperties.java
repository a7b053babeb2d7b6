package org.covidct.tensor.properties;

import static org.covidct.tensor.properties.PropertySupport.FD_STEP;
import static org.covidct.tensor.properties.PropertySupport.FORWARD_TOL;
import static org.covidct.tensor.properties.PropertySupport.GRADIENT_TOL;
import static org.covidct.tensor.properties.PropertySupport.assertClose;
import static org.covidct.tensor.properties.PropertySupport.assertWithinSumBound;
import static org.covidct.tensor.properties.PropertySupport.awayFromZero;
import static org.covidct.tensor.properties.PropertySupport.centralDifferences;
import static org.covidct.tensor.properties.PropertySupport.distinctShuffled;
import static org.covidct.tensor.properties.PropertySupport.dot;
import static org.covidct.tensor.properties.PropertySupport.ints;
import static org.covidct.tensor.properties.PropertySupport.product;
import static org.covidct.tensor.properties.PropertySupport.toDouble;
import static org.covidct.tensor.properties.PropertySupport.uniform;

import java.util.Arrays;
import java.util.Random;
import java.util.function.ToDoubleFunction;
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

/**
 * The analytic float32 gradients of the backward kernels agree with central finite differences of
 * L(inputs) = sum(dy * f(inputs)), evaluated in double precision with {@link NaiveOps}, for every
 * input and parameter of each op.
 */
class GradientProperties {

    private static void check(String what, Tensor analytic, double[] numeric) {
        assertClose(what, analytic.toArray(), numeric, GRADIENT_TOL);
    }

    // ---- convolution ------------------------------------------------------------------------------

    @Property(tries = 40)
    void conv2dGradients(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int c,
                         @ForAll @IntRange(min = 1, max = 3) int k,
                         @ForAll @IntRange(min = 1, max = 3) int r, @ForAll @IntRange(min = 1, max = 3) int s,
                         @ForAll @IntRange(min = 0, max = 4) int extraH, @ForAll @IntRange(min = 0, max = 4) int extraW,
                         @ForAll @IntRange(min = 1, max = 3) int strideH, @ForAll @IntRange(min = 1, max = 3) int strideW,
                         @ForAll @IntRange(min = 0, max = 2) int padH, @ForAll @IntRange(min = 0, max = 2) int padW,
                         @ForAll long seed) {
        int h = Math.max(1, r - 2 * padH) + extraH;
        int w = Math.max(1, s - 2 * padW) + extraW;
        Conv2dSpec spec = new Conv2dSpec(strideH, strideW, padH, padW);
        int p = NaiveOps.convOut(h, r, strideH, padH);
        int q = NaiveOps.convOut(w, s, strideW, padW);
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * c * h * w, -1, 1);
        float[] wt = uniform(rnd, k * c * r * s, -1, 1);
        float[] b = uniform(rnd, k, -1, 1);
        float[] dy = uniform(rnd, n * k * p * q, -1, 1);
        double[] xd = toDouble(x), wd = toDouble(wt), bd = toDouble(b), dyd = toDouble(dy);
        ToDoubleFunction<double[]> loss =
                unused -> dot(dyd, NaiveOps.conv2d(xd, n, c, h, w, wd, k, r, s, bd, strideH, strideW, padH, padW));
        String what = "conv2d x[" + n + "," + c + "," + h + "," + w + "] w[" + k + "," + c + "," + r + "," + s + "] "
                + spec;
        try (TensorScope scope = TensorScope.open()) {
            Tensor dyT = Tensor.of(dy, n, k, p, q);
            check(what + " dx", Ops.conv2dBackwardData(dyT, Tensor.of(wt, k, c, r, s), Shape.of(n, c, h, w), spec),
                    centralDifferences(xd, loss, FD_STEP));
            check(what + " dw", Ops.conv2dBackwardWeight(dyT, Tensor.of(x, n, c, h, w), Shape.of(k, c, r, s), spec),
                    centralDifferences(wd, loss, FD_STEP));
            check(what + " dbias", Ops.sumPerChannel(dyT), centralDifferences(bd, loss, FD_STEP));
        }
    }

    /**
     * Wider channels, larger images and batches than finite differences can afford (the blocked gemm,
     * the per-image parallel split of the weight gradient): the backward kernels against the naive
     * adjoint loops, which {@link #conv2dGradients} ties to finite differences.
     */
    @Property(tries = 12)
    void conv2dLargerBackwardMatchesNaiveAdjoint(@ForAll @IntRange(min = 1, max = 5) int n,
                                                 @ForAll @IntRange(min = 1, max = 20) int c,
                                                 @ForAll @IntRange(min = 1, max = 20) int k,
                                                 @ForAll("oddKernels") int kernel,
                                                 @ForAll @IntRange(min = 0, max = 16) int extra,
                                                 @ForAll @IntRange(min = 1, max = 2) int stride,
                                                 @ForAll @IntRange(min = 0, max = 3) int pad, @ForAll long seed) {
        int h = Math.max(1, kernel - 2 * pad) + extra;
        int w = h + 1;
        Conv2dSpec spec = Conv2dSpec.of(stride, pad);
        int p = NaiveOps.convOut(h, kernel, stride, pad);
        int q = NaiveOps.convOut(w, kernel, stride, pad);
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * c * h * w, -1, 1);
        float[] wt = uniform(rnd, k * c * kernel * kernel, -1, 1);
        float[] dy = uniform(rnd, n * k * p * q, -1, 1);
        double[][] expected = NaiveOps.conv2dBackward(toDouble(x), n, c, h, w, toDouble(wt), k, kernel, kernel,
                toDouble(dy), stride, stride, pad, pad);
        String what = "conv2d x[" + n + "," + c + "," + h + "," + w + "] w[" + k + "," + c + "," + kernel + ","
                + kernel + "] " + spec;
        try (TensorScope scope = TensorScope.open()) {
            Tensor dyT = Tensor.of(dy, n, k, p, q);
            check(what + " dx", Ops.conv2dBackwardData(dyT, Tensor.of(wt, k, c, kernel, kernel),
                    Shape.of(n, c, h, w), spec), expected[0]);
            check(what + " dw", Ops.conv2dBackwardWeight(dyT, Tensor.of(x, n, c, h, w),
                    Shape.of(k, c, kernel, kernel), spec), expected[1]);
        }
    }

    @Provide
    Arbitrary<Integer> oddKernels() {
        return Arbitraries.of(1, 3, 5, 7);
    }

    // ---- dense layers -----------------------------------------------------------------------------

    @Property(tries = 40)
    void linearGradients(@ForAll @IntRange(min = 1, max = 6) int n, @ForAll @IntRange(min = 1, max = 8) int in,
                         @ForAll @IntRange(min = 1, max = 6) int out, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * in, -1, 1);
        float[] wt = uniform(rnd, out * in, -1, 1);
        float[] b = uniform(rnd, out, -1, 1);
        float[] dy = uniform(rnd, n * out, -1, 1);
        double[] xd = toDouble(x), wd = toDouble(wt), bd = toDouble(b), dyd = toDouble(dy);
        ToDoubleFunction<double[]> loss =
                unused -> dot(dyd, NaiveOps.linear(xd, n, in, wd, out, bd));
        String what = "linear x[" + n + "," + in + "] w[" + out + "," + in + "]";
        try (TensorScope scope = TensorScope.open()) {
            Tensor dyT = Tensor.of(dy, n, out);
            check(what + " dx", Ops.matmul(dyT, false, Tensor.of(wt, out, in), false),
                    centralDifferences(xd, loss, FD_STEP));
            check(what + " dw", Ops.matmul(dyT, true, Tensor.of(x, n, in), false),
                    centralDifferences(wd, loss, FD_STEP));
            check(what + " dbias", Ops.sumPerChannel(dyT), centralDifferences(bd, loss, FD_STEP));
        }
    }

    /**
     * C = op(A) op(B): dA is dC op(B)^T, or its transpose op(B) dC^T when A is stored transposed; dB
     * is op(A)^T dC, or dC^T op(A) when B is stored transposed.
     */
    @Property(tries = 40)
    void matmulGradients(@ForAll @IntRange(min = 1, max = 7) int m, @ForAll @IntRange(min = 1, max = 7) int k,
                         @ForAll @IntRange(min = 1, max = 7) int n, @ForAll boolean transA,
                         @ForAll boolean transB, @ForAll long seed) {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        Random rnd = new Random(seed);
        float[] a = uniform(rnd, aRows * aCols, -1, 1);
        float[] b = uniform(rnd, bRows * bCols, -1, 1);
        float[] dc = uniform(rnd, m * n, -1, 1);
        double[] ad = toDouble(a), bd = toDouble(b), dcd = toDouble(dc);
        ToDoubleFunction<double[]> loss =
                unused -> dot(dcd, NaiveOps.matmul(ad, aRows, aCols, transA, bd, bRows, bCols, transB));
        String what = "matmul a[" + aRows + "," + aCols + "]" + (transA ? "^T" : "") + " b[" + bRows + "," + bCols + "]"
                + (transB ? "^T" : "");
        try (TensorScope scope = TensorScope.open()) {
            Tensor aT = Tensor.of(a, aRows, aCols);
            Tensor bT = Tensor.of(b, bRows, bCols);
            Tensor dcT = Tensor.of(dc, m, n);
            Tensor da = transA ? Ops.matmul(bT, transB, dcT, true) : Ops.matmul(dcT, false, bT, !transB);
            Tensor db = transB ? Ops.matmul(dcT, true, aT, transA) : Ops.matmul(aT, !transA, dcT, false);
            check(what + " da", da, centralDifferences(ad, loss, FD_STEP));
            check(what + " db", db, centralDifferences(bd, loss, FD_STEP));
        }
    }

    // ---- batch normalisation ----------------------------------------------------------------------

    @Provide
    Arbitrary<Float> epsilons() {
        return Arbitraries.of(1e-5f, 1e-3f, 0.1f);
    }

    @Property(tries = 40)
    void batchNormTrainingGradients(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 4) int c,
                                    @ForAll @IntRange(min = 1, max = 4) int h, @ForAll @IntRange(min = 1, max = 4) int w,
                                    @ForAll("epsilons") float eps, @ForAll long seed) {
        Assume.that(n * h * w >= 4);
        int hw = h * w;
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * c * hw, -2, 2);
        float[] gamma = awayFromZero(rnd, c, 0.5f, 2);
        float[] beta = uniform(rnd, c, -1, 1);
        float[] dy = uniform(rnd, x.length, -1, 1);
        double[] xd = toDouble(x), gd = toDouble(gamma), bd = toDouble(beta), dyd = toDouble(dy);
        ToDoubleFunction<double[]> loss =
                unused -> dot(dyd, NaiveOps.batchNormTraining(xd, n, c, hw, gd, bd, eps).y());
        String what = "batch_norm training x[" + n + "," + c + "," + h + "," + w + "] eps=" + eps;
        try (TensorScope scope = TensorScope.open()) {
            Tensor xT = Tensor.of(x, n, c, h, w);
            Tensor gammaT = Tensor.of(gamma, c);
            Ops.BatchNormOutput fwd = Ops.batchNormTraining(xT, gammaT, Tensor.of(beta, c), Tensor.zeros(Device.CPU, c),
                    Tensor.full(Device.CPU, 1f, c), 0.1f, eps);
            Ops.BatchNormGrads g = Ops.batchNormBackward(xT, Tensor.of(dy, n, c, h, w), gammaT, fwd.mean(),
                    fwd.invStd(), true);
            check(what + " dx", g.dx(), centralDifferences(xd, loss, FD_STEP));
            check(what + " dgamma", g.dgamma(), centralDifferences(gd, loss, FD_STEP));
            check(what + " dbeta", g.dbeta(), centralDifferences(bd, loss, FD_STEP));
        }
    }

    @Property(tries = 40)
    void batchNormEvalGradients(@ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 4) int c,
                                @ForAll @IntRange(min = 1, max = 4) int h, @ForAll @IntRange(min = 1, max = 4) int w,
                                @ForAll("epsilons") float eps, @ForAll long seed) {
        int hw = h * w;
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * c * hw, -2, 2);
        float[] gamma = awayFromZero(rnd, c, 0.5f, 2);
        float[] beta = uniform(rnd, c, -1, 1);
        float[] rm = uniform(rnd, c, -1, 1);
        float[] rv = uniform(rnd, c, 0.1f, 2);
        float[] dy = uniform(rnd, x.length, -1, 1);
        float[] invStd = new float[c];
        for (int i = 0; i < c; i++) {
            invStd[i] = (float) (1 / Math.sqrt((double) rv[i] + eps));
        }
        double[] xd = toDouble(x), gd = toDouble(gamma), bd = toDouble(beta), dyd = toDouble(dy);
        double[] rmd = toDouble(rm), rvd = toDouble(rv);
        ToDoubleFunction<double[]> loss =
                unused -> dot(dyd, NaiveOps.batchNormEval(xd, n, c, hw, gd, bd, rmd, rvd, eps));
        String what = "batch_norm eval x[" + n + "," + c + "," + h + "," + w + "] eps=" + eps;
        try (TensorScope scope = TensorScope.open()) {
            Ops.BatchNormGrads g = Ops.batchNormBackward(Tensor.of(x, n, c, h, w), Tensor.of(dy, n, c, h, w),
                    Tensor.of(gamma, c), Tensor.of(rm, c), Tensor.of(invStd, c), false);
            check(what + " dx", g.dx(), centralDifferences(xd, loss, FD_STEP));
            check(what + " dgamma", g.dgamma(), centralDifferences(gd, loss, FD_STEP));
            check(what + " dbeta", g.dbeta(), centralDifferences(bd, loss, FD_STEP));
        }
    }

    /**
     * Planes longer than the blocks the backward sums run in, with means far from zero, in training
     * and in eval mode: against the analytic gradient evaluated in double.
     */
    @Property(tries = 40)
    void batchNormBackwardMatchesAnalyticGradientOnLongPlanes(@ForAll @IntRange(min = 1, max = 3) int n,
                                                               @ForAll @IntRange(min = 1, max = 3) int c,
                                                               @ForAll @IntRange(min = 1, max = 1300) int plane,
                                                               @ForAll @IntRange(min = -50, max = 50) int offset,
                                                               @ForAll boolean batchStatistics, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * c * plane, offset - 1, offset + 1);
        float[] dy = uniform(rnd, x.length, -1, 1);
        float[] gamma = awayFromZero(rnd, c, 0.5f, 2);
        float[] mean = uniform(rnd, c, offset - 0.1f, offset + 0.1f), invStd = uniform(rnd, c, 0.5f, 2);
        double count = (double) n * plane;
        double[] dx = new double[x.length], dgamma = new double[c], dbeta = new double[c];
        // Sums of the absolute values of the terms each result is computed from.
        double[] dxTerms = new double[x.length], dgammaTerms = new double[c], dbetaTerms = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < n; i++) {
                for (int j = (i * c + ch) * plane; j < (i * c + ch + 1) * plane; j++) {
                    double term = dy[j] * (x[j] - (double) mean[ch]) * invStd[ch];
                    sumDy += dy[j];
                    sumDyXhat += term;
                    dbetaTerms[ch] += Math.abs(dy[j]);
                    dgammaTerms[ch] += Math.abs(term);
                }
            }
            dgamma[ch] = sumDyXhat;
            dbeta[ch] = sumDy;
            for (int i = 0; i < n; i++) {
                for (int j = (i * c + ch) * plane; j < (i * c + ch + 1) * plane; j++) {
                    double xhat = (x[j] - (double) mean[ch]) * invStd[ch];
                    double projected = batchStatistics ? (sumDy + xhat * sumDyXhat) / count : 0;
                    dx[j] = gamma[ch] * (double) invStd[ch] * (dy[j] - projected);
                    double projectedTerms = batchStatistics
                            ? (dbetaTerms[ch] + Math.abs(xhat) * dgammaTerms[ch]) / count : 0;
                    dxTerms[j] = Math.abs(gamma[ch] * (double) invStd[ch]) * (Math.abs(dy[j]) + projectedTerms);
                }
            }
        }
        String what = "batch_norm backward x[" + n + "," + c + "," + plane + "] mean ~" + offset
                + (batchStatistics ? " training" : " eval");
        try (TensorScope scope = TensorScope.open()) {
            Ops.BatchNormGrads g = Ops.batchNormBackward(Tensor.of(x, n, c, plane, 1), Tensor.of(dy, n, c, plane, 1),
                    Tensor.of(gamma, c), Tensor.of(mean, c), Tensor.of(invStd, c), batchStatistics);
            // dx subtracts the projection from dy, and the sums over up to 3900 values may cancel:
            // each is bounded against its terms' magnitude (a one-element plane's dx is nearly dy - dy).
            assertWithinSumBound(what + " dx", g.dx().toArray(), dx, dxTerms, FORWARD_TOL);
            assertWithinSumBound(what + " dgamma", g.dgamma().toArray(), dgamma, dgammaTerms, FORWARD_TOL);
            assertWithinSumBound(what + " dbeta", g.dbeta().toArray(), dbeta, dbetaTerms, FORWARD_TOL);
        }
    }

    // ---- elementwise ------------------------------------------------------------------------------

    @Provide
    Arbitrary<int[]> shapes() {
        return Arbitraries.integers().between(1, 5).list().ofMinSize(1).ofMaxSize(4)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Inputs at least 1e-2 away from the kink at 0. */
    @Property(tries = 50)
    void reluGradient(@ForAll("shapes") int[] dims, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = awayFromZero(rnd, product(dims), 1e-2f, 2);
        float[] dy = uniform(rnd, x.length, -1, 1);
        double[] xd = toDouble(x), dyd = toDouble(dy);
        try (TensorScope scope = TensorScope.open()) {
            Tensor y = Ops.relu(Tensor.of(x, dims));
            check("relu " + Arrays.toString(dims) + " dx", Ops.reluBackward(y, Tensor.of(dy, dims)),
                    centralDifferences(xd, unused -> dot(dyd, NaiveOps.relu(xd)), FD_STEP));
        }
    }

    @Property(tries = 50)
    void addMulScaleGradients(@ForAll("shapes") int[] dims, @ForAll @FloatRange(min = -3, max = 3) float alpha,
                              @ForAll long seed) {
        Random rnd = new Random(seed);
        int numel = product(dims);
        float[] a = uniform(rnd, numel, -2, 2);
        float[] b = uniform(rnd, numel, -2, 2);
        float[] dy = uniform(rnd, numel, -1, 1);
        double[] ad = toDouble(a), bd = toDouble(b), dyd = toDouble(dy);
        String shape = Arrays.toString(dims);
        try (TensorScope scope = TensorScope.open()) {
            Tensor aT = Tensor.of(a, dims);
            Tensor bT = Tensor.of(b, dims);
            Tensor dyT = Tensor.of(dy, dims);
            // add: both inputs receive dy unchanged.
            ToDoubleFunction<double[]> addLoss = unused -> dot(dyd, NaiveOps.add(ad, bd));
            check("add " + shape + " da", Ops.copy(dyT), centralDifferences(ad, addLoss, FD_STEP));
            check("add " + shape + " db", Ops.copy(dyT), centralDifferences(bd, addLoss, FD_STEP));
            // mul: each input receives dy times the other.
            ToDoubleFunction<double[]> mulLoss = unused -> dot(dyd, NaiveOps.mul(ad, bd));
            check("mul " + shape + " da", Ops.mul(dyT, bT), centralDifferences(ad, mulLoss, FD_STEP));
            check("mul " + shape + " db", Ops.mul(dyT, aT), centralDifferences(bd, mulLoss, FD_STEP));
            // scale: alpha times dy.
            check("scale " + shape + " by " + alpha + " da", Ops.scale(dyT, alpha),
                    centralDifferences(ad, unused -> dot(dyd, NaiveOps.scale(ad, alpha)), FD_STEP));
        }
    }

    // ---- pooling ----------------------------------------------------------------------------------

    /** Distinct values 0.01 apart, so no window has a tie and the maximum is differentiable. */
    @Property(tries = 50)
    void maxPool2dGradient(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int c,
                           @ForAll @IntRange(min = 1, max = 3) int kh, @ForAll @IntRange(min = 1, max = 3) int kw,
                           @ForAll @IntRange(min = 1, max = 3) int sh, @ForAll @IntRange(min = 1, max = 3) int sw,
                           @ForAll @IntRange(min = 0, max = 5) int extraH, @ForAll @IntRange(min = 0, max = 5) int extraW,
                           @ForAll long seed) {
        int h = kh + extraH;
        int w = kw + extraW;
        int p = (h - kh) / sh + 1;
        int q = (w - kw) / sw + 1;
        Random rnd = new Random(seed);
        float[] x = distinctShuffled(rnd, n * c * h * w, 0.01f);
        float[] dy = uniform(rnd, n * c * p * q, -1, 1);
        double[] xd = toDouble(x), dyd = toDouble(dy);
        Pool2dSpec spec = new Pool2dSpec(kh, kw, sh, sw);
        try (TensorScope scope = TensorScope.open()) {
            check("max_pool2d [" + n + "," + c + "," + h + "," + w + "] " + spec + " dx",
                    Ops.maxPool2dBackward(Tensor.of(x, n, c, h, w), Tensor.of(dy, n, c, p, q), spec),
                    centralDifferences(xd,
                            unused -> dot(dyd, NaiveOps.maxPool2d(xd, n, c, h, w, kh, kw, sh, sw)), FD_STEP));
        }
    }

    /**
     * Where a window holds ties (values from a set of three), the whole gradient goes to its first
     * maximum in row-major order, as the kernel's contract says.
     */
    @Property(tries = 50)
    void maxPool2dBackwardRoutesTiesToFirstMaximum(@ForAll @IntRange(min = 1, max = 2) int n,
                                                   @ForAll @IntRange(min = 1, max = 3) int c,
                                                   @ForAll @IntRange(min = 1, max = 3) int kh,
                                                   @ForAll @IntRange(min = 1, max = 3) int kw,
                                                   @ForAll @IntRange(min = 1, max = 3) int sh,
                                                   @ForAll @IntRange(min = 1, max = 3) int sw,
                                                   @ForAll @IntRange(min = 0, max = 5) int extraH,
                                                   @ForAll @IntRange(min = 0, max = 5) int extraW,
                                                   @ForAll long seed) {
        int h = kh + extraH;
        int w = kw + extraW;
        int p = (h - kh) / sh + 1;
        int q = (w - kw) / sw + 1;
        Random rnd = new Random(seed);
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextInt(3);
        }
        float[] dy = uniform(rnd, n * c * p * q, -1, 1);
        Pool2dSpec spec = new Pool2dSpec(kh, kw, sh, sw);
        try (TensorScope scope = TensorScope.open()) {
            check("max_pool2d [" + n + "," + c + "," + h + "," + w + "] " + spec + " with ties, x "
                            + Arrays.toString(x) + " dx",
                    Ops.maxPool2dBackward(Tensor.of(x, n, c, h, w), Tensor.of(dy, n, c, p, q), spec),
                    NaiveOps.maxPool2dBackward(toDouble(x), toDouble(dy), n, c, h, w, kh, kw, sh, sw));
        }
    }

    @Property(tries = 50)
    void adaptiveAvgPool2dGradient(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int c,
                                   @ForAll @IntRange(min = 1, max = 8) int h, @ForAll @IntRange(min = 1, max = 8) int w,
                                   @ForAll @IntRange(min = 1, max = 8) int outH,
                                   @ForAll @IntRange(min = 1, max = 8) int outW, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * c * h * w, -2, 2);
        float[] dy = uniform(rnd, n * c * outH * outW, -1, 1);
        double[] xd = toDouble(x), dyd = toDouble(dy);
        try (TensorScope scope = TensorScope.open()) {
            check("adaptive_avg_pool2d [" + n + "," + c + "," + h + "," + w + "] to " + outH + "x" + outW + " dx",
                    Ops.adaptiveAvgPool2dBackward(Tensor.of(dy, n, c, outH, outW), Shape.of(n, c, h, w)),
                    centralDifferences(xd,
                            unused -> dot(dyd, NaiveOps.adaptiveAvgPool2d(xd, n, c, h, w, outH, outW)), FD_STEP));
        }
    }

    // ---- classification loss ----------------------------------------------------------------------

    @Property(tries = 50)
    void crossEntropyGradient(@ForAll @IntRange(min = 1, max = 6) int rows, @ForAll @IntRange(min = 1, max = 8) int cols,
                              @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] logits = uniform(rnd, rows * cols, -3, 3);
        int[] targets = ints(rnd, rows, cols);
        double[] ld = toDouble(logits);
        try (TensorScope scope = TensorScope.open()) {
            Ops.CrossEntropyOutput out = Ops.crossEntropy(Tensor.of(logits, rows, cols), targets);
            check("cross_entropy [" + rows + "," + cols + "] targets " + Arrays.toString(targets) + " dlogits",
                    Ops.crossEntropyBackward(out.probs(), targets, 1f / rows),
                    centralDifferences(ld, unused -> NaiveOps.crossEntropy(ld, rows, cols, targets), FD_STEP));
        }
    }
}
