package org.covidct.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.covidct.nn.Parameter;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad hyperparameters and states that do not fit are refused in one line naming the values. */
class OptimBadInputTest {
    private static void refused(String message, Executable action) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, action).getMessage());
    }

    @Test
    void hyperparameters() {
        List<Parameter> none = List.of();
        refused("AdamW: invalid lr 0.1, betas (1.0, 0.999), eps 1.0E-8 or weight decay 0.0",
                () -> new AdamW(none, 0.1f, 1f, 0.999f, 1e-8f, 0f));
        refused("AdamW: invalid lr -1.0, betas (0.9, 0.999), eps 1.0E-8 or weight decay 0.0",
                () -> new AdamW(none, -1f, 0.9f, 0.999f, 1e-8f, 0f));
        refused("LinearLr: start factor 0.0 must be in (0, 1], end factor 1.0 in [0, 1] and total steps 5 >= 1",
                () -> new LinearLr(0, 1, 5));
        refused("CosineAnnealingLr: period 0 must be >= 1 and the minimum 0.0 >= 0", () -> new CosineAnnealingLr(0, 0));
        refused("SequentialLr: 2 schedules need 1 milestones, got []",
                () -> new SequentialLr(List.of(new LinearLr(0.5, 1, 2), new CosineAnnealingLr(3, 0)), List.of()));
        refused("SequentialLr: milestones must be positive and increasing, got [3, 3]",
                () -> new SequentialLr(List.of(new LinearLr(0.5, 1, 2), new LinearLr(1, 0.5, 2),
                        new CosineAnnealingLr(3, 0)), List.of(3, 3)));
    }

    @Test
    void statesThatDoNotFit() {
        Parameter p = new Parameter(Tensor.zeros(Device.CPU, 3));
        Map<String, Parameter> names = Map.of("w", p);
        try (AdamW adamw = new AdamW(List.of(p), 0.1f, 0.9f, 0.999f, 1e-8f, 0f);
             Tensor wrong = Tensor.zeros(Device.CPU, 4); Tensor right = Tensor.zeros(Device.CPU, 3)) {
            refused("AdamW.loadState: state 'exp_avg.w' of shape [4] for a parameter of shape [3]",
                    () -> adamw.loadState(new OptimizerState(AdamW.TYPE, Map.of("exp_avg.w", wrong), Map.of()), names));
            refused("AdamW.loadState: state for 'v', which is not a parameter of the model",
                    () -> adamw.loadState(new OptimizerState(AdamW.TYPE, Map.of("exp_avg.v", right), Map.of()), names));
            refused("AdamW.loadState: 'w' needs exp_avg, exp_avg_sq and a step count together, the state has 2 of them",
                    () -> adamw.loadState(new OptimizerState(AdamW.TYPE, Map.of("exp_avg.w", right),
                            Map.of("w", 3L)), names));
            refused("AdamW.loadState: state 'momentum.w' is none of adamw's slots [exp_avg, exp_avg_sq]",
                    () -> adamw.loadState(new OptimizerState(AdamW.TYPE, Map.of("momentum.w", right), Map.of()), names));
            refused("AdamW.loadState: step count 0 for 'w' (must be >= 1)",
                    () -> adamw.loadState(new OptimizerState(AdamW.TYPE, Map.of(), Map.of("w", 0L)), names));
        }
    }
}
