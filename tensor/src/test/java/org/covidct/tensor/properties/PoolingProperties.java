package org.covidct.tensor.properties;

import static org.covidct.tensor.properties.PropertySupport.FD_STEP;
import static org.covidct.tensor.properties.PropertySupport.FORWARD_TOL;
import static org.covidct.tensor.properties.PropertySupport.GRADIENT_TOL;
import static org.covidct.tensor.properties.PropertySupport.assertClose;
import static org.covidct.tensor.properties.PropertySupport.centralDifferences;
import static org.covidct.tensor.properties.PropertySupport.distinctShuffled;
import static org.covidct.tensor.properties.PropertySupport.dot;
import static org.covidct.tensor.properties.PropertySupport.toDouble;
import static org.covidct.tensor.properties.PropertySupport.uniform;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Pool2dSpec;
import org.covidct.tensor.Shape;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * Average pooling and padded max pooling against {@link NaiveGeneralOps#pool2d}: forward, and the
 * gradient against central finite differences of L = sum(dy * pool(x)), for every window, stride
 * and padding up to half the window.
 */
class PoolingProperties {

    /** A pooling case: n*c planes of h x w, the window, stride and padding. */
    private record Case(int n, int c, int h, int w, Pool2dSpec spec) {
        static Case of(int n, int c, int kh, int kw, int sh, int sw, int padH, int padW, int extraH, int extraW) {
            int ph = Math.min(padH, kh / 2), pw = Math.min(padW, kw / 2);
            return new Case(n, c, Math.max(1, kh - 2 * ph) + extraH, Math.max(1, kw - 2 * pw) + extraW,
                    new Pool2dSpec(kh, kw, sh, sw, ph, pw));
        }

        int numel() {
            return n * c * h * w;
        }

        Shape shape() {
            return Shape.of(n, c, h, w);
        }

        Shape outShape() {
            return Shape.of(n, c, spec.outH(h), spec.outW(w));
        }

        double[] naive(double[] x, boolean average) {
            return NaiveGeneralOps.pool2d(x, n * c, h, w, spec.kernelH(), spec.kernelW(), spec.strideH(),
                    spec.strideW(), spec.padH(), spec.padW(), average);
        }

        @Override
        public String toString() {
            return "[" + n + "," + c + "," + h + "," + w + "] " + spec;
        }
    }

    @Property(tries = 60)
    void avgPool2dMatchesNaive(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int c,
                               @ForAll @IntRange(min = 1, max = 4) int kh, @ForAll @IntRange(min = 1, max = 4) int kw,
                               @ForAll @IntRange(min = 1, max = 3) int sh, @ForAll @IntRange(min = 1, max = 3) int sw,
                               @ForAll @IntRange(min = 0, max = 2) int ph, @ForAll @IntRange(min = 0, max = 2) int pw,
                               @ForAll @IntRange(min = 0, max = 6) int extraH,
                               @ForAll @IntRange(min = 0, max = 6) int extraW, @ForAll long seed) {
        Case g = Case.of(n, c, kh, kw, sh, sw, ph, pw, extraH, extraW);
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, g.numel(), -2, 2);
        float[] dy = uniform(rnd, (int) g.outShape().numel(), -1, 1);
        double[] xd = toDouble(x), dyd = toDouble(dy);
        try (TensorScope scope = TensorScope.open()) {
            Tensor y = Ops.avgPool2d(Tensor.of(x, g.shape().dims()), g.spec());
            assertClose("avg_pool2d " + g, y.toArray(), g.naive(xd, true), FORWARD_TOL);
            assertClose("avg_pool2d " + g + " dx",
                    Ops.avgPool2dBackward(Tensor.of(dy, g.outShape().dims()), g.shape(), g.spec()).toArray(),
                    centralDifferences(xd, unused -> dot(dyd, g.naive(xd, true)), FD_STEP), GRADIENT_TOL);
        }
    }

    /**
     * Distinct values 0.01 apart, so that no window has a tie and the maximum is differentiable, all
     * below -1: a padded cell that counted as a zero would win every window it is in.
     */
    @Property(tries = 60)
    void paddedMaxPool2dMatchesNaive(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int c,
                                     @ForAll @IntRange(min = 1, max = 4) int kh, @ForAll @IntRange(min = 1, max = 4) int kw,
                                     @ForAll @IntRange(min = 1, max = 3) int sh, @ForAll @IntRange(min = 1, max = 3) int sw,
                                     @ForAll @IntRange(min = 0, max = 2) int ph, @ForAll @IntRange(min = 0, max = 2) int pw,
                                     @ForAll @IntRange(min = 0, max = 6) int extraH,
                                     @ForAll @IntRange(min = 0, max = 6) int extraW, @ForAll long seed) {
        Case g = Case.of(n, c, kh, kw, sh, sw, ph, pw, extraH, extraW);
        Random rnd = new Random(seed);
        float[] x = distinctShuffled(rnd, g.numel(), 0.01f);
        for (int i = 0; i < x.length; i++) {
            x[i] -= 0.01f * x.length + 1;
        }
        float[] dy = uniform(rnd, (int) g.outShape().numel(), -1, 1);
        double[] xd = toDouble(x), dyd = toDouble(dy);
        try (TensorScope scope = TensorScope.open()) {
            Tensor xt = Tensor.of(x, g.shape().dims());
            assertClose("max_pool2d " + g, Ops.maxPool2d(xt, g.spec()).toArray(), g.naive(xd, false), FORWARD_TOL);
            assertClose("max_pool2d " + g + " dx",
                    Ops.maxPool2dBackward(xt, Tensor.of(dy, g.outShape().dims()), g.spec()).toArray(),
                    centralDifferences(xd, unused -> dot(dyd, g.naive(xd, false)), FD_STEP), GRADIENT_TOL);
        }
    }
}
