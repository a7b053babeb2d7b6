package org.covidct.tensor.properties;

import static org.covidct.tensor.properties.PropertySupport.FD_STEP;
import static org.covidct.tensor.properties.PropertySupport.FORWARD_TOL;
import static org.covidct.tensor.properties.PropertySupport.GRADIENT_TOL;
import static org.covidct.tensor.properties.PropertySupport.assertClose;
import static org.covidct.tensor.properties.PropertySupport.centralDifferences;
import static org.covidct.tensor.properties.PropertySupport.dot;
import static org.covidct.tensor.properties.PropertySupport.toDouble;
import static org.covidct.tensor.properties.PropertySupport.uniform;

import java.util.Random;
import java.util.function.ToDoubleFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * Layer normalisation over the trailing dimensions against {@link NaiveGeneralOps#layerNorm}: forward
 * on rows far from zero mean and on rows longer than a task's share, and every gradient (input,
 * weight, bias) against central finite differences of L = sum(dy * layer_norm(x)).
 */
class LayerNormProperties {

    @Provide
    Arbitrary<Float> epsilons() {
        return Arbitraries.of(1e-5f, 1e-3f, 0.1f);
    }

    /** x [rows / 2, 2, size] normalised over its last dimension, or [rows, size / 2, 2] over its last two. */
    private static int[][] shapes(int rows, int size, boolean twoDims) {
        return twoDims && size % 2 == 0 ? new int[][] {{rows, size / 2, 2}, {size / 2, 2}}
                : new int[][] {{rows, size}, {size}};
    }

    @Property(tries = 60)
    void forwardMatchesNaive(@ForAll @IntRange(min = 1, max = 9) int rows, @ForAll @IntRange(min = 1, max = 3000) int size,
                             @ForAll @IntRange(min = -50, max = 50) int offset, @ForAll boolean twoDims,
                             @ForAll("epsilons") float eps, @ForAll long seed) {
        Random rnd = new Random(seed);
        int[][] dims = shapes(rows, size, twoDims);
        float[] x = uniform(rnd, rows * size, offset - 2, offset + 2);
        float[] w = uniform(rnd, size, -2, 2);
        float[] b = uniform(rnd, size, -1, 1);
        try (TensorScope scope = TensorScope.open()) {
            Ops.LayerNormOutput out = Ops.layerNorm(Tensor.of(x, dims[0]), Tensor.of(w, dims[1]), Tensor.of(b, dims[1]),
                    eps);
            assertClose("layer_norm x[" + rows + ", " + size + "] mean ~" + offset + " eps " + eps, out.y().toArray(),
                    NaiveGeneralOps.layerNorm(toDouble(x), rows, size, toDouble(w), toDouble(b), eps), FORWARD_TOL);
        }
    }

    @Property(tries = 40)
    void gradients(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 4, max = 8) int size,
                   @ForAll boolean twoDims, @ForAll("epsilons") float eps, @ForAll long seed) {
        Random rnd = new Random(seed);
        int[][] dims = shapes(rows, size, twoDims);
        float[] x = uniform(rnd, rows * size, -2, 2);
        float[] w = uniform(rnd, size, -2, 2);
        float[] b = uniform(rnd, size, -1, 1);
        float[] dy = uniform(rnd, x.length, -1, 1);
        double[] xd = toDouble(x), wd = toDouble(w), bd = toDouble(b), dyd = toDouble(dy);
        ToDoubleFunction<double[]> loss = unused -> dot(dyd, NaiveGeneralOps.layerNorm(xd, rows, size, wd, bd, eps));
        String what = "layer_norm x[" + rows + ", " + size + "] eps " + eps;
        try (TensorScope scope = TensorScope.open()) {
            Tensor xt = Tensor.of(x, dims[0]), wt = Tensor.of(w, dims[1]);
            Ops.LayerNormOutput out = Ops.layerNorm(xt, wt, Tensor.of(b, dims[1]), eps);
            Ops.LayerNormGrads g = Ops.layerNormBackward(xt, Tensor.of(dy, dims[0]), wt, out.mean(), out.invStd());
            assertClose(what + " dx", g.dx().toArray(), centralDifferences(xd, loss, FD_STEP), GRADIENT_TOL);
            assertClose(what + " dweight", g.dweight().toArray(), centralDifferences(wd, loss, FD_STEP), GRADIENT_TOL);
            assertClose(what + " dbias", g.dbias().toArray(), centralDifferences(bd, loss, FD_STEP), GRADIENT_TOL);
        }
    }
}
