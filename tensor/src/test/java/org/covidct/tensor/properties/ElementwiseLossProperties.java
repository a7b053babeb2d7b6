package org.covidct.tensor.properties;

import static org.covidct.tensor.properties.PropertySupport.FD_STEP;
import static org.covidct.tensor.properties.PropertySupport.FORWARD_TOL;
import static org.covidct.tensor.properties.PropertySupport.GRADIENT_TOL;
import static org.covidct.tensor.properties.PropertySupport.assertClose;
import static org.covidct.tensor.properties.PropertySupport.centralDifferences;
import static org.covidct.tensor.properties.PropertySupport.toDouble;
import static org.covidct.tensor.properties.PropertySupport.uniform;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * Binary cross-entropy with logits and mean squared error against their definitions in double
 * ({@link NaiveGeneralOps}): the mean loss, also over more elements than one partial sum holds, and
 * the gradients against central finite differences of the loss.
 */
class ElementwiseLossProperties {

    @Property(tries = 50)
    void lossesMatchNaive(@ForAll @IntRange(min = 1, max = 100_000) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = uniform(rnd, n, -15, 15);
        float[] probabilities = uniform(rnd, n, 0, 1);
        float[] target = uniform(rnd, n, -15, 15);
        try (TensorScope scope = TensorScope.open()) {
            Tensor xt = Tensor.of(x, n);
            assertClose("binary_cross_entropy_with_logits of " + n, Ops.binaryCrossEntropyWithLogits(xt,
                    Tensor.of(probabilities, n)).item(), NaiveGeneralOps.binaryCrossEntropyWithLogits(toDouble(x),
                    toDouble(probabilities)), FORWARD_TOL);
            assertClose("mse_loss of " + n, Ops.mseLoss(xt, Tensor.of(target, n)).item(),
                    NaiveGeneralOps.mseLoss(toDouble(x), toDouble(target)), FORWARD_TOL);
        }
    }

    /** The backward kernels take dloss / numel: the gradient of the mean for dloss = 1. */
    @Property(tries = 50)
    void gradients(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 6) int cols,
                   @ForAll long seed) {
        Random rnd = new Random(seed);
        int n = rows * cols;
        float[] x = uniform(rnd, n, -6, 6);
        float[] probabilities = uniform(rnd, n, 0, 1);
        float[] target = uniform(rnd, n, -3, 3);
        double[] xd = toDouble(x), pd = toDouble(probabilities), td = toDouble(target);
        String shape = "[" + rows + ", " + cols + "]";
        try (TensorScope scope = TensorScope.open()) {
            Tensor xt = Tensor.of(x, rows, cols);
            assertClose("binary_cross_entropy_with_logits " + shape + " dlogits",
                    Ops.binaryCrossEntropyWithLogitsBackward(xt, Tensor.of(probabilities, rows, cols), 1f / n).toArray(),
                    centralDifferences(xd, unused -> NaiveGeneralOps.binaryCrossEntropyWithLogits(xd, pd), FD_STEP),
                    GRADIENT_TOL);
            assertClose("mse_loss " + shape + " dx",
                    Ops.mseLossBackward(xt, Tensor.of(target, rows, cols), 1f / n).toArray(),
                    centralDifferences(xd, unused -> NaiveGeneralOps.mseLoss(xd, td), FD_STEP), GRADIENT_TOL);
        }
    }
}
