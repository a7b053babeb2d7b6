package org.covidct.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.covidct.nn.Parameter;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.testing.GoldenFile;
import org.junit.jupiter.api.Test;

/**
 * AdamW replays torch.optim.AdamW's six steps (weight decay, a learning-rate change, a parameter
 * without a gradient at step 3) and ends each step with torch's parameters, moments and step
 * counts to the bit: the update is torch's CPU arithmetic operation for operation, fused
 * multiply-adds included, so no tolerance is needed, and an error of one ulp anywhere fails.
 */
class AdamWGoldenTest {
    @Test
    void followsTorchOptimAdamWBitForBit() {
        GoldenFile gold = GoldenFile.load("/golden/optim/adamw.gold");
        int count = (int) gold.scalar("params");
        List<Parameter> params = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            params.add(new Parameter(gold.tensor("param0." + i)));
        }
        try (AdamW adamw = new AdamW(params, gold.scalar("lr1"), gold.scalar("beta1"), gold.scalar("beta2"),
                gold.scalar("eps"), gold.scalar("weight_decay"))) {
            for (int k = 1; k <= (int) gold.scalar("steps"); k++) {
                adamw.setLearningRate(gold.scalar("lr" + k));
                adamw.zeroGrad();
                for (int i = 0; i < count; i++) {
                    if (gold.has("grad" + k + "." + i)) {
                        // backward delivers the gradient: d(sum(p * g))/dp = g.
                        Parameter p = params.get(i);
                        Functional.sum(Functional.mul(p, Variable.constant(gold.tensor("grad" + k + "." + i))))
                                .backward();
                    }
                }
                adamw.step();
                for (int i = 0; i < count; i++) {
                    Parameter p = params.get(i);
                    String at = k + "." + i;
                    assertArrayEquals(gold.floats("param" + at), p.data().toArray(), "parameter " + at);
                    assertArrayEquals(gold.floats("exp_avg" + at), adamw.expAvg(p).toArray(), "exp_avg " + at);
                    assertArrayEquals(gold.floats("exp_avg_sq" + at), adamw.expAvgSq(p).toArray(), "exp_avg_sq " + at);
                    assertEquals((long) gold.scalar("step" + at), adamw.steps(p), "step count " + at);
                }
            }
        }
    }
}
