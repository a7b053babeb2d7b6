package org.covidct.nn;

import static org.covidct.tensor.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.testing.GoldenFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CrossEntropyLoss with label smoothing against torch's F.cross_entropy(label_smoothing=eps):
 * loss and gradient, on logits with saturated rows. Ours computes the same function by another
 * route (CE plus a weighted sum of the logits, where torch sums log-softmax), so the results
 * agree to float32 rounding, not bit for bit (they differ by up to 2e-7, two ulps): the
 * tolerance is 1e-6 relative for the loss and 1e-6 normwise for the gradient, far below what a
 * wrong smoothing weight gives (a smoothing off by 1% moves the loss by more than 1e-4).
 */
class LabelSmoothingGoldenTest {
    private static final double RTOL = 1e-6;

    @ParameterizedTest
    @ValueSource(strings = {"eps0", "eps0.1", "eps0.25", "eps1"})
    void matchesTorchLossAndGradient(String name) {
        GoldenFile gold = GoldenFile.load("/golden/optim/label_smoothing.gold");
        Variable logits = Variable.withGrad(gold.tensor("logits"));
        Variable loss = new CrossEntropyLoss(gold.scalar(name + ".label_smoothing")).forward(logits, gold.ints("targets"));
        float expected = gold.scalar(name + ".loss");
        assertEquals(expected, loss.item(), RTOL * Math.abs(expected), name + " loss");
        loss.backward();
        assertClose(name + " dlogits", gold.floats(name + ".dlogits"), logits.grad().toArray(), RTOL);
    }
}
