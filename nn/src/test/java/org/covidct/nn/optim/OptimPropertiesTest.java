package org.covidct.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.covidct.nn.Parameter;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Device;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;

/** Properties of AdamW, the schedules and the moving average that follow from their definitions. */
class OptimPropertiesTest {
    private static float[] gaussian(Random rng, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextGaussian() * scale);
        }
        return v;
    }

    /** Gives p the gradient g, as backward would. */
    private static void setGrad(Parameter p, float[] g) {
        p.zeroGrad();
        Functional.sum(Functional.mul(p, Variable.constant(Tensor.of(g, g.length)))).backward();
    }

    @Property(tries = 50)
    void adamWithLearningRateZeroMovesNothingEvenWithWeightDecay(@ForAll long seed,
            @ForAll @FloatRange(min = 0f, max = 1f) float weightDecay, @ForAll @IntRange(min = 1, max = 4) int steps) {
        Random rng = new Random(seed);
        float[] start = gaussian(rng, 19, 3);
        Parameter p = new Parameter(Tensor.of(start, start.length));
        try (AdamW adamw = new AdamW(List.of(p), 0f, 0.9f, 0.999f, 1e-8f, weightDecay)) {
            for (int s = 0; s < steps; s++) {
                setGrad(p, gaussian(rng, 19, 10));
                adamw.step();
            }
            assertArrayEquals(start, p.data().toArray(), "decoupled decay is lr * weightDecay, so lr 0 decays nothing");
            assertEquals(steps, adamw.steps(p), "the moments still move");
        }
    }

    /** Adam's first step is lr * g / (|g| + eps') per element: lr in size, against the gradient's sign. */
    @Property(tries = 50)
    void adamsFirstStepMovesEveryWeightByTheLearningRate(@ForAll long seed,
            @ForAll @FloatRange(min = 0.01f, max = 0.5f) float lr) {
        Random rng = new Random(seed);
        float[] start = gaussian(rng, 23, 1);
        float[] g = gaussian(rng, 23, 5);
        for (int i = 0; i < g.length; i++) {
            g[i] = Math.copySign(Math.max(Math.abs(g[i]), 1e-2f), g[i]);
        }
        Parameter p = new Parameter(Tensor.of(start, start.length));
        try (AdamW adamw = new AdamW(List.of(p), lr, 0.9f, 0.999f, 1e-8f, 0f)) {
            setGrad(p, g);
            adamw.step();
            float[] after = p.data().toArray();
            for (int i = 0; i < g.length; i++) {
                double moved = after[i] - start[i];
                assertEquals(-Math.signum(g[i]) * lr, moved, 1e-4 * lr, "element " + i);
            }
        }
    }

    /** A zero gradient at the first step leaves the moments at zero, so only the decoupled decay moves p: p * (1 - lr * wd). */
    @Property(tries = 30)
    void aZeroGradientAtTheFirstStepLeavesOnlyTheDecay(@ForAll long seed,
            @ForAll @FloatRange(min = 0.001f, max = 0.1f) @Scale(5) float lr, @ForAll @FloatRange(min = 0f, max = 0.5f) float wd) {
        float[] start = gaussian(new Random(seed), 11, 2);
        Parameter p = new Parameter(Tensor.of(start, start.length));
        try (AdamW adamw = new AdamW(List.of(p), lr, 0.9f, 0.999f, 1e-8f, wd)) {
            setGrad(p, new float[11]);
            adamw.step();
            float decay = (float) (1 - (double) lr * wd);
            float[] after = p.data().toArray();
            for (int i = 0; i < start.length; i++) {
                assertEquals(start[i] * decay, after[i], "element " + i);
            }
        }
    }

    private static double[] run(LrSchedule schedule, double base, int steps) {
        try (Sgd sgd = new Sgd(List.of(new Parameter(Tensor.zeros(Device.CPU, 1))), (float) base, 0f, 0f)) {
            LrScheduler scheduler = new LrScheduler(sgd, schedule, base, 0);
            double[] lr = new double[steps + 1];
            for (int k = 0; k <= steps; k++) {
                if (k > 0) {
                    scheduler.step();
                }
                lr[k] = scheduler.learningRate();
            }
            return lr;
        }
    }

    /**
     * Warm-up then cosine: the warm-up climbs linearly, the cosine starts at the base rate at the
     * milestone (a step no bigger than one warm-up increment) and falls monotonically to its
     * minimum, reached exactly at the end of its period.
     */
    @Property(tries = 100)
    void warmupThenCosineIsContinuousAtTheMilestone(@ForAll @DoubleRange(min = 1e-5, max = 1) @Scale(7) double base,
            @ForAll @DoubleRange(min = 0.01, max = 1) double startFactor, @ForAll @IntRange(min = 1, max = 20) int warmup,
            @ForAll @IntRange(min = 1, max = 60) int period, @ForAll @DoubleRange(min = 0, max = 1) double minFraction) {
        double etaMin = base * minFraction * 0.5;
        double[] lr = run(new SequentialLr(List.of(new LinearLr(startFactor, 1, warmup),
                new CosineAnnealingLr(period, etaMin)), List.of(warmup)), base, warmup + period);
        double increment = base * (1 - startFactor) / warmup;
        for (int k = 0; k < warmup; k++) {
            assertEquals(base * (startFactor + (1 - startFactor) * k / warmup), lr[k], 1e-12 * base, "warm-up step " + k);
        }
        assertEquals(base, lr[warmup], 2 * Math.ulp(base), "the cosine starts at the base rate");
        assertTrue(lr[warmup] - lr[warmup - 1] <= increment * (1 + 1e-9) + 1e-15, "the jump at the milestone");
        for (int k = warmup + 1; k <= warmup + period; k++) {
            assertTrue(lr[k] <= lr[k - 1], "the cosine falls at step " + k);
            double closed = etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * (k - warmup) / period)) / 2;
            assertEquals(closed, lr[k], 1e-12 * base, "the recursion follows the closed form at step " + k);
        }
        assertEquals(etaMin, lr[warmup + period], "the minimum at the end of the period, exactly");
    }

    /** A scheduler resumed after any number of steps continues with the uninterrupted run's values, bit for bit. */
    @Property(tries = 50)
    void aResumedSchedulerContinuesIdentically(@ForAll @IntRange(min = 0, max = 40) int resumeAt,
            @ForAll @IntRange(min = 1, max = 10) int warmup, @ForAll @IntRange(min = 1, max = 30) int period) {
        LrSchedule schedule = new SequentialLr(List.of(new LinearLr(0.2, 1, warmup), new CosineAnnealingLr(period, 1e-4)),
                List.of(warmup));
        double[] whole = run(schedule, 0.05, 40);
        try (Sgd sgd = new Sgd(List.of(new Parameter(Tensor.zeros(Device.CPU, 1))), 0.05f, 0f, 0f)) {
            LrScheduler resumed = new LrScheduler(sgd, schedule, 0.05, resumeAt);
            for (int k = resumeAt; k <= 40; k++) {
                if (k > resumeAt) {
                    resumed.step();
                }
                assertEquals(whole[k], resumed.learningRate(), "step " + k);
                assertEquals((float) whole[k], sgd.learningRate(), "the optimiser's rate at step " + k);
            }
        }
    }

    /** Decay 0 follows the model; decay 1 keeps the first update's copy forever. */
    @Property(tries = 10)
    void theAverageAtDecayZeroAndOne(@ForAll long seed) {
        Random rng = new Random(seed);
        try (Sequential model = ModelEmaGoldenTest.model(); ModelEma follow = new ModelEma(model, 0f);
             ModelEma frozen = new ModelEma(model, 1f)) {
            Map<String, float[]> first = null;
            for (int k = 0; k < 3; k++) {
                model.stateDict().forEach((name, t) -> {
                    try (Tensor v = Tensor.of(gaussian(rng, (int) t.numel(), 1), t.dims())) {
                        Ops.copyInto(v, t);
                    }
                });
                follow.update(model);
                frozen.update(model);
                model.stateDict().forEach((name, t) -> assertArrayEquals(t.toArray(),
                        follow.state().averaged().get(name).toArray(), name));
                if (first == null) {
                    first = new LinkedHashMap<>();
                    for (String name : model.namedParameters().keySet()) {
                        first.put(name, model.stateDict().get(name).toArray());
                    }
                }
                first.forEach((name, v) -> assertArrayEquals(v, frozen.state().averaged().get(name).toArray(), name));
            }
        }
    }
}
