package org.covidct.nn.optim;

import static org.covidct.tensor.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.covidct.nn.Generator;
import org.covidct.nn.Linear;
import org.covidct.nn.Module;
import org.covidct.nn.Parameter;
import org.covidct.nn.ReLU;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/** Gradient accumulation follows the group's mean gradient, and a pass reports the unscaled loss. */
class TrainingStepTest {
    private static final int FEATURES = 6;

    private static Sequential model() {
        Generator gen = new Generator(11);
        return new Sequential(new Linear(FEATURES, 5, true, gen), new ReLU(), new Linear(5, 2, true, gen));
    }

    private static float[] values(Random rnd, int batch) {
        float[] v = new float[batch * FEATURES];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return v;
    }

    private static Tensor images(Random rnd, int batch) {
        return Tensor.of(values(rnd, batch), batch, FEATURES);
    }

    private static List<float[]> parameters(Module m) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : m.parameters()) {
            out.add(p.data().toArray());
        }
        return out;
    }

    /** Two batches of two accumulated into one step move the weights as one batch of four does. */
    @Test
    void aGroupOfBatchesStepsAlongTheirMeanGradient() {
        Random rnd = new Random(4);
        float[] firstValues = values(rnd, 2), secondValues = values(rnd, 2);
        float[] allValues = new float[4 * FEATURES];
        System.arraycopy(firstValues, 0, allValues, 0, firstValues.length);
        System.arraycopy(secondValues, 0, allValues, firstValues.length, secondValues.length);
        Tensor first = Tensor.of(firstValues, 2, FEATURES), second = Tensor.of(secondValues, 2, FEATURES);
        Tensor all = Tensor.of(allValues, 4, FEATURES);
        int[] firstLabels = {0, 1}, secondLabels = {1, 1};
        try (Sequential grouped = model(); Sequential whole = model();
             Sgd groupedSgd = new Sgd(grouped.parameters(), 0.5f, 0.9f, 0f);
             Sgd wholeSgd = new Sgd(whole.parameters(), 0.5f, 0.9f, 0f)) {
            TrainingStep groupedStep = new TrainingStep(grouped, groupedSgd);
            for (int round = 0; round < 2; round++) {
                try (TensorScope scope = TensorScope.open()) {
                    groupedStep.accumulate(first, firstLabels, 2);
                    groupedStep.accumulate(second, secondLabels, 2);
                    groupedStep.step();
                }
                try (TensorScope scope = TensorScope.open()) {
                    new TrainingStep(whole, wholeSgd).accumulate(all, new int[] {0, 1, 1, 1}, 1);
                    wholeSgd.step();
                    wholeSgd.zeroGrad();
                }
            }
            List<float[]> expected = parameters(whole), actual = parameters(grouped);
            for (int i = 0; i < expected.size(); i++) {
                assertClose("parameter " + i + " after two accumulated steps", expected.get(i), actual.get(i), 1e-5);
            }
        }
    }

    @Test
    void aPassReportsTheLogitsAndTheUnscaledLoss() {
        Tensor x = images(new Random(5), 3);
        int[] labels = {1, 0, 1};
        try (Sequential m = model(); Sgd sgd = new Sgd(m.parameters(), 0.1f, 0f, 0f);
             TensorScope scope = TensorScope.open()) {
            float[] logits;
            float loss;
            try (GradMode.Guard g = GradMode.noGrad()) {
                Variable out = m.forward(Variable.constant(x));
                logits = out.data().toArray();
                loss = Functional.crossEntropy(out, labels).item();
            }
            TrainingStep.Pass pass = new TrainingStep(m, sgd).accumulate(x, labels, 4);
            assertArrayEquals(logits, pass.logits().toArray());
            assertEquals(loss, pass.loss().item());
        }
    }

    /** run, as the benchmarks call it: the same batch accumulated k times steps as one pass does. */
    @Test
    void runAccumulatesTheSameBatch() {
        Tensor x = images(new Random(6), 4);
        int[] labels = {0, 1, 0, 1};
        try (Sequential once = model(); Sequential thrice = model();
             Sgd onceSgd = new Sgd(once.parameters(), 0.2f, 0.9f, 0f);
             Sgd thriceSgd = new Sgd(thrice.parameters(), 0.2f, 0.9f, 0f)) {
            TrainingStep.run(once, onceSgd, x, labels, 1);
            TrainingStep.run(thrice, thriceSgd, x, labels, 3);
            List<float[]> expected = parameters(once), actual = parameters(thrice);
            for (int i = 0; i < expected.size(); i++) {
                assertClose("parameter " + i, expected.get(i), actual.get(i), 1e-5);
            }
            assertThrows(IllegalArgumentException.class, () -> TrainingStep.run(once, onceSgd, x, labels, 0));
            assertThrows(IllegalArgumentException.class, () -> new TrainingStep(once, onceSgd).accumulate(x, labels, 0));
        }
    }
}
