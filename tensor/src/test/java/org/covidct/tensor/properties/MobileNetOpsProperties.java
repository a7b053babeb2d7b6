package org.covidct.tensor.properties;

import static org.covidct.tensor.properties.PropertySupport.FD_STEP;
import static org.covidct.tensor.properties.PropertySupport.FORWARD_TOL;
import static org.covidct.tensor.properties.PropertySupport.GRADIENT_TOL;
import static org.covidct.tensor.properties.PropertySupport.assertClose;
import static org.covidct.tensor.properties.PropertySupport.awayFromZero;
import static org.covidct.tensor.properties.PropertySupport.centralDifferences;
import static org.covidct.tensor.properties.PropertySupport.dot;
import static org.covidct.tensor.properties.PropertySupport.toDouble;
import static org.covidct.tensor.properties.PropertySupport.uniform;

import java.util.Random;
import java.util.function.ToDoubleFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Shape;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * Grouped and depthwise convolution, asymmetric padding and clamp (ReLU6): forward against
 * {@link NaiveMobileNetOps} in double precision, gradients against central finite differences of
 * L = sum(dy * f(inputs)), and larger backward passes against the naive adjoint loops.
 */
class MobileNetOpsProperties {

    /** A grouped convolution's sizes: c = groups * cg input and k = groups * kg output channels. */
    private record Case(int n, int groups, int cg, int kg, int h, int w, int r, int s, int sh, int sw, int ph, int pw) {
        int c() {
            return groups * cg;
        }

        int k() {
            return groups * kg;
        }

        int p() {
            return NaiveOps.convOut(h, r, sh, ph);
        }

        int q() {
            return NaiveOps.convOut(w, s, sw, pw);
        }

        Conv2dSpec spec() {
            return new Conv2dSpec(sh, sw, ph, pw, groups);
        }

        @Override
        public String toString() {
            return "grouped conv2d x[" + n + "," + c() + "," + h + "," + w + "] w[" + k() + "," + cg + "," + r + "," + s
                    + "] " + spec();
        }
    }

    private static Case grouped(int n, int groups, int cg, int kg, int r, int s, int extraH, int extraW,
                                int sh, int sw, int ph, int pw) {
        return new Case(n, groups, cg, kg, Math.max(1, r - 2 * ph) + extraH, Math.max(1, s - 2 * pw) + extraW,
                r, s, sh, sw, ph, pw);
    }

    @Property(tries = 60)
    void groupedConv2dMatchesNaive(@ForAll @IntRange(min = 1, max = 2) int n,
                                   @ForAll @IntRange(min = 1, max = 4) int groups,
                                   @ForAll @IntRange(min = 1, max = 3) int cg, @ForAll @IntRange(min = 1, max = 3) int kg,
                                   @ForAll @IntRange(min = 1, max = 4) int r, @ForAll @IntRange(min = 1, max = 4) int s,
                                   @ForAll @IntRange(min = 0, max = 6) int extraH,
                                   @ForAll @IntRange(min = 0, max = 6) int extraW,
                                   @ForAll @IntRange(min = 1, max = 3) int sh, @ForAll @IntRange(min = 1, max = 3) int sw,
                                   @ForAll @IntRange(min = 0, max = 2) int ph, @ForAll @IntRange(min = 0, max = 2) int pw,
                                   @ForAll boolean withBias, @ForAll boolean clamped, @ForAll long seed) {
        Case g = grouped(n, groups, cg, kg, r, s, extraH, extraW, sh, sw, ph, pw);
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, g.n * g.c() * g.h * g.w, -1, 1);
        float[] wt = uniform(rnd, g.k() * g.cg * g.r * g.s, -1, 1);
        float[] b = withBias ? uniform(rnd, g.k(), -1, 1) : null;
        double[] expected = NaiveMobileNetOps.groupedConv2d(toDouble(x), g.n, g.c(), g.h, g.w, toDouble(wt), g.k(),
                g.r, g.s, b == null ? null : toDouble(b), g.sh, g.sw, g.ph, g.pw, g.groups);
        try (TensorScope scope = TensorScope.open()) {
            Tensor xT = Tensor.of(x, g.n, g.c(), g.h, g.w), wT = Tensor.of(wt, g.k(), g.cg, g.r, g.s);
            Tensor bT = b == null ? null : Tensor.of(b, g.k());
            Tensor y = clamped ? Ops.conv2dClamped(xT, wT, bT, g.spec(), -0.5f, 0.5f) : Ops.conv2d(xT, wT, bT, g.spec());
            if (clamped) {
                expected = NaiveMobileNetOps.clamp(expected, -0.5, 0.5);
            }
            if (!y.shape().equals(Shape.of(g.n, g.k(), g.p(), g.q()))) {
                throw new AssertionError(g + ": output shape " + y.shape());
            }
            assertClose(g + " bias=" + withBias + (clamped ? " clamped to [-0.5, 0.5]" : ""), y.toArray(), expected,
                    FORWARD_TOL);
        }
    }

    @Property(tries = 40)
    void groupedConv2dGradients(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int groups,
                                @ForAll @IntRange(min = 1, max = 2) int cg, @ForAll @IntRange(min = 1, max = 2) int kg,
                                @ForAll @IntRange(min = 1, max = 3) int r, @ForAll @IntRange(min = 1, max = 3) int s,
                                @ForAll @IntRange(min = 0, max = 3) int extraH, @ForAll @IntRange(min = 0, max = 3) int extraW,
                                @ForAll @IntRange(min = 1, max = 2) int sh, @ForAll @IntRange(min = 1, max = 2) int sw,
                                @ForAll @IntRange(min = 0, max = 1) int ph, @ForAll @IntRange(min = 0, max = 1) int pw,
                                @ForAll long seed) {
        Case g = grouped(n, groups, cg, kg, r, s, extraH, extraW, sh, sw, ph, pw);
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, g.n * g.c() * g.h * g.w, -1, 1);
        float[] wt = uniform(rnd, g.k() * g.cg * g.r * g.s, -1, 1);
        float[] b = uniform(rnd, g.k(), -1, 1);
        float[] dy = uniform(rnd, g.n * g.k() * g.p() * g.q(), -1, 1);
        double[] xd = toDouble(x), wd = toDouble(wt), bd = toDouble(b), dyd = toDouble(dy);
        ToDoubleFunction<double[]> loss = unused -> dot(dyd, NaiveMobileNetOps.groupedConv2d(xd, g.n, g.c(), g.h, g.w,
                wd, g.k(), g.r, g.s, bd, g.sh, g.sw, g.ph, g.pw, g.groups));
        try (TensorScope scope = TensorScope.open()) {
            Tensor dyT = Tensor.of(dy, g.n, g.k(), g.p(), g.q());
            assertClose(g + " dx", Ops.conv2dBackwardData(dyT, Tensor.of(wt, g.k(), g.cg, g.r, g.s),
                    Shape.of(g.n, g.c(), g.h, g.w), g.spec()).toArray(), centralDifferences(xd, loss, FD_STEP), GRADIENT_TOL);
            assertClose(g + " dw", Ops.conv2dBackwardWeight(dyT, Tensor.of(x, g.n, g.c(), g.h, g.w),
                    Shape.of(g.k(), g.cg, g.r, g.s), g.spec()).toArray(), centralDifferences(wd, loss, FD_STEP),
                    GRADIENT_TOL);
            assertClose(g + " dbias", Ops.sumPerChannel(dyT).toArray(), centralDifferences(bd, loss, FD_STEP),
                    GRADIENT_TOL);
        }
    }

    /**
     * Planes tall and wide enough that the depthwise weight gradient reduces its sums over several
     * runs of rows (SimdDepthwise.weightGradient3x3), at stride 1 and 2.
     */
    @Example
    void depthwiseBackwardOnTallPlanes() {
        depthwiseLargerBackwardMatchesNaiveAdjoint(2, 3, 1, 3, 70, 1, 1, 5L);
        depthwiseLargerBackwardMatchesNaiveAdjoint(1, 2, 1, 3, 90, 2, 1, 6L);
    }

    /** MobileNet-like depthwise sizes (many channels, larger planes, stride 2) against the naive adjoints. */
    @Property(tries = 12)
    void depthwiseLargerBackwardMatchesNaiveAdjoint(@ForAll @IntRange(min = 1, max = 4) int n,
                                                    @ForAll @IntRange(min = 1, max = 40) int channels,
                                                    @ForAll @IntRange(min = 1, max = 2) int multiplier,
                                                    @ForAll("oddKernels") int kernel,
                                                    @ForAll @IntRange(min = 0, max = 20) int extra,
                                                    @ForAll @IntRange(min = 1, max = 2) int stride,
                                                    @ForAll @IntRange(min = 0, max = 2) int pad, @ForAll long seed) {
        Case g = grouped(n, channels, 1, multiplier, kernel, kernel, extra, extra + 1, stride, stride, pad, pad);
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, g.n * g.c() * g.h * g.w, -1, 1);
        float[] wt = uniform(rnd, g.k() * g.r * g.s, -1, 1);
        float[] dy = uniform(rnd, g.n * g.k() * g.p() * g.q(), -1, 1);
        double[][] expected = NaiveMobileNetOps.groupedConv2dBackward(toDouble(x), g.n, g.c(), g.h, g.w, toDouble(wt),
                g.k(), g.r, g.s, toDouble(dy), g.sh, g.sw, g.ph, g.pw, g.groups);
        try (TensorScope scope = TensorScope.open()) {
            Tensor dyT = Tensor.of(dy, g.n, g.k(), g.p(), g.q());
            assertClose(g + " dx", Ops.conv2dBackwardData(dyT, Tensor.of(wt, g.k(), 1, g.r, g.s),
                    Shape.of(g.n, g.c(), g.h, g.w), g.spec()).toArray(), expected[0], GRADIENT_TOL);
            assertClose(g + " dw", Ops.conv2dBackwardWeight(dyT, Tensor.of(x, g.n, g.c(), g.h, g.w),
                    Shape.of(g.k(), 1, g.r, g.s), g.spec()).toArray(), expected[1], GRADIENT_TOL);
        }
    }

    @Provide
    Arbitrary<Integer> oddKernels() {
        return Arbitraries.of(1, 3, 5);
    }

    @Property(tries = 40)
    void pad2dForwardAndGradient(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int c,
                                 @ForAll @IntRange(min = 1, max = 5) int h, @ForAll @IntRange(min = 1, max = 5) int w,
                                 @ForAll @IntRange(min = 0, max = 3) int top, @ForAll @IntRange(min = 0, max = 3) int bottom,
                                 @ForAll @IntRange(min = 0, max = 3) int left, @ForAll @IntRange(min = 0, max = 3) int right,
                                 @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n * c * h * w, -1, 1);
        int hp = h + top + bottom, wp = w + left + right;
        float[] dy = uniform(rnd, n * c * hp * wp, -1, 1);
        double[] xd = toDouble(x), dyd = toDouble(dy);
        String what = "pad2d x[" + n + "," + c + "," + h + "," + w + "] by (" + top + "," + bottom + "," + left + ","
                + right + ")";
        try (TensorScope scope = TensorScope.open()) {
            assertClose(what, Ops.pad2d(Tensor.of(x, n, c, h, w), top, bottom, left, right).toArray(),
                    NaiveMobileNetOps.pad2d(xd, n * c, h, w, top, bottom, left, right), 0);
            ToDoubleFunction<double[]> loss = unused -> dot(dyd,
                    NaiveMobileNetOps.pad2d(xd, n * c, h, w, top, bottom, left, right));
            assertClose(what + " dx", Ops.pad2dBackward(Tensor.of(dy, n, c, hp, wp), Shape.of(n, c, h, w), top, left)
                    .toArray(), centralDifferences(xd, loss, FD_STEP), GRADIENT_TOL);
        }
    }

    @Property(tries = 40)
    void clampForwardAndGradient(@ForAll @IntRange(min = 1, max = 40) int size, @ForAll long seed) {
        Random rnd = new Random(seed);
        // Values of both signs and beyond 6, none within 0.01 of a kink, where the derivative jumps.
        float[] x = awayFromZero(rnd, size, 0.01f, 9f);
        for (int i = 0; i < size; i++) {
            if (Math.abs(x[i] - 6f) < 0.01f) {
                x[i] += 0.05f;
            }
        }
        float[] dy = uniform(rnd, size, -1, 1);
        double[] xd = toDouble(x), dyd = toDouble(dy);
        try (TensorScope scope = TensorScope.open()) {
            Tensor y = Ops.clamp(Tensor.of(x, size), 0f, 6f);
            assertClose("relu6 of " + size, y.toArray(), NaiveMobileNetOps.clamp(xd, 0, 6), 0);
            ToDoubleFunction<double[]> loss = unused -> dot(dyd, NaiveMobileNetOps.clamp(xd, 0, 6));
            assertClose("relu6 dx of " + size, Ops.clampBackward(y, Tensor.of(dy, size), 0f, 6f).toArray(),
                    centralDifferences(xd, loss, FD_STEP), GRADIENT_TOL);
        }
    }
}
