package org.covidct.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Label-smoothed cross-entropy against its definition, evaluated in double by naive loops:
 * loss = -(1/N) sum_i sum_c q_ic log softmax(z_i)_c with q = (1 - eps) onehot + eps / C, and its
 * gradient against central finite differences of that definition.
 */
class LabelSmoothingPropertiesTest {
    private record Case(float[] logits, int[] targets, int n, int classes) {
    }

    private static Case draw(long seed, int n, int classes) {
        Random rng = new Random(seed);
        float[] z = new float[n * classes];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (rng.nextGaussian() * 4);
        }
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = rng.nextInt(classes);
        }
        return new Case(z, t, n, classes);
    }

    private static double definition(double[] z, int[] targets, int n, int classes, double eps) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, z[i * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(z[i * classes + c] - max);
            }
            double lse = max + Math.log(sum);
            for (int c = 0; c < classes; c++) {
                double q = (c == targets[i] ? 1 - eps : 0) + eps / classes;
                total -= q * (z[i * classes + c] - lse);
            }
        }
        return total / n;
    }

    private static double[] widen(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    @Property(tries = 60)
    void lossAndGradientFollowTheDefinition(@ForAll long seed, @ForAll @IntRange(min = 1, max = 7) int n,
            @ForAll @IntRange(min = 2, max = 6) int classes, @ForAll @FloatRange(min = 0f, max = 1f) float eps) {
        Case c = draw(seed, n, classes);
        Variable logits = Variable.withGrad(Tensor.of(c.logits(), n, classes));
        Variable loss = new CrossEntropyLoss(eps).forward(logits, c.targets());
        double[] z = widen(c.logits());
        double expected = definition(z, c.targets(), n, classes, eps);
        assertEquals(expected, loss.item(), 1e-5 * Math.max(1, Math.abs(expected)), "loss");

        loss.backward();
        float[] grad = logits.grad().toArray();
        double h = 1e-4;
        for (int i = 0; i < z.length; i++) {
            double saved = z[i];
            z[i] = saved + h;
            double up = definition(z, c.targets(), n, classes, eps);
            z[i] = saved - h;
            double down = definition(z, c.targets(), n, classes, eps);
            z[i] = saved;
            assertEquals((up - down) / (2 * h), grad[i], 1e-6, "d loss / d logit " + i);
        }
    }

    @Property(tries = 30)
    void smoothingZeroIsThePlainLossBitForBit(@ForAll long seed, @ForAll @IntRange(min = 1, max = 7) int n,
            @ForAll @IntRange(min = 2, max = 6) int classes) {
        Case c = draw(seed, n, classes);
        Variable plainLogits = Variable.withGrad(Tensor.of(c.logits(), n, classes));
        Variable smoothLogits = Variable.withGrad(Tensor.of(c.logits(), n, classes));
        Variable plain = new CrossEntropyLoss().forward(plainLogits, c.targets());
        Variable smooth = new CrossEntropyLoss(0f).forward(smoothLogits, c.targets());
        assertEquals(plain.item(), smooth.item());
        plain.backward();
        smooth.backward();
        assertArrayEquals(plainLogits.grad().toArray(), smoothLogits.grad().toArray());
    }

    @Test
    void smoothingOutsideZeroToOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(1.5f));
        assertEquals("CrossEntropyLoss: label smoothing 1.5 must be in [0, 1]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(Float.NaN));
    }
}
