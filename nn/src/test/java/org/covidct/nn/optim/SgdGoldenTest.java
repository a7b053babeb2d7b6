package org.covidct.nn.optim;

import static org.covidct.tensor.testing.TensorAssert.GOLDEN_RTOL;
import static org.covidct.tensor.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.covidct.nn.Parameter;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.testing.GoldenFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The optimiser replays torch.optim.SGD's three steps (weight decay, a learning rate changed
 * before the third) and ends with PyTorch's parameter and momentum buffer after every step.
 */
class SgdGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"sgd_step_momentum", "sgd_step_plain"})
    void followsTorchOptimSgd(String fixture) {
        GoldenFile gold = GoldenFile.load("/golden/ops/" + fixture + ".gold");
        Parameter p = new Parameter(gold.tensor("param0"));
        float momentum = gold.scalar("momentum");
        try (Sgd sgd = new Sgd(List.of(p), gold.scalar("lr1"), momentum, gold.scalar("weight_decay"))) {
            for (int k = 1; k <= 3; k++) {
                sgd.setLearningRate(gold.scalar("lr" + k));
                sgd.zeroGrad();
                // The gradient arrives as backward delivers one: d(sum(p * g))/dp = g.
                Functional.sum(Functional.mul(p, Variable.constant(gold.tensor("grad" + k)))).backward();
                sgd.step();
                assertClose(fixture + " parameter after step " + k, gold.floats("param" + k), p.data().toArray(),
                        GOLDEN_RTOL);
                if (momentum != 0f) {
                    assertClose(fixture + " momentum buffer after step " + k, gold.floats("buf" + k),
                            sgd.momentumBuffer(p).toArray(), GOLDEN_RTOL);
                } else {
                    assertNull(sgd.momentumBuffer(p));
                }
            }
        }
    }
}
