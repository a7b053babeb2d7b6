package org.covidct.app.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RocAucProperties {

    record Sample(int target, double score) {}

    /** Scores on a small integer grid, so ties within and across classes are common. */
    @Provide
    Arbitrary<List<Sample>> gridSamples() {
        Arbitrary<Sample> s = Combinators.combine(Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(-8, 8)).as((t, k) -> new Sample(t, k));
        return s.list().ofMinSize(1).ofMaxSize(80);
    }

    /** Probabilities, sometimes from a handful of repeated values. */
    @Provide
    Arbitrary<List<Sample>> probabilitySamples() {
        Arbitrary<Double> score = Arbitraries.oneOf(
                Arbitraries.doubles().between(0, 1),
                Arbitraries.of(0.0, 0.25, 0.5, 0.5000000596046448, 1.0));
        Arbitrary<Sample> s = Combinators.combine(Arbitraries.integers().between(0, 1), score).as(Sample::new);
        return s.list().ofMinSize(1).ofMaxSize(150);
    }

    /** The Mann-Whitney U statistic over n0*n1, ties counted 1/2: the naive O(n^2) reference. */
    static double mannWhitney(List<Sample> samples) {
        double u = 0;
        long n0 = 0, n1 = 0;
        for (Sample p : samples) {
            if (p.target() == 1) {
                n1++;
                for (Sample q : samples) {
                    if (q.target() == 0) {
                        u += p.score() > q.score() ? 1.0 : p.score() == q.score() ? 0.5 : 0.0;
                    }
                }
            } else {
                n0++;
            }
        }
        return u / ((double) n0 * n1);
    }

    static int[] targets(List<Sample> samples) {
        return samples.stream().mapToInt(Sample::target).toArray();
    }

    static double[] scores(List<Sample> samples, DoubleUnaryOperator f) {
        return samples.stream().mapToDouble(s -> f.applyAsDouble(s.score())).toArray();
    }

    static boolean bothClasses(List<Sample> samples) {
        return samples.stream().anyMatch(s -> s.target() == 0) && samples.stream().anyMatch(s -> s.target() == 1);
    }

    @Property
    void aucIsTheMannWhitneyStatistic(@ForAll("gridSamples") List<Sample> grid,
            @ForAll("probabilitySamples") List<Sample> probabilities) {
        for (List<Sample> samples : List.of(grid, probabilities)) {
            RocAuc auc = RocAuc.of(targets(samples), scores(samples, x -> x));
            if (bothClasses(samples)) {
                RocAuc.Defined d = assertInstanceOf(RocAuc.Defined.class, auc);
                assertEquals(mannWhitney(samples), d.auc(), 1e-12);
            } else {
                assertInstanceOf(RocAuc.Undefined.class, auc);
            }
        }
    }

    @Property
    void aucLiesInTheUnitIntervalAndTheCurveRunsFromCornerToCorner(@ForAll("probabilitySamples") List<Sample> samples) {
        RocAuc auc = RocAuc.of(targets(samples), scores(samples, x -> x));
        auc.value().ifPresent(v -> assertTrue(v >= 0 && v <= 1, "auc " + v));
        auc.curve().ifPresent(c -> {
            double[] fpr = c.fpr(), tpr = c.tpr();
            assertEquals(0.0, fpr[0]);
            assertEquals(0.0, tpr[0]);
            assertEquals(1.0, fpr[fpr.length - 1]);
            assertEquals(1.0, tpr[tpr.length - 1]);
            for (int i = 1; i < fpr.length; i++) {
                assertTrue(fpr[i] >= fpr[i - 1] && tpr[i] >= tpr[i - 1]);
            }
        });
    }

    @Property
    void strictlyIncreasingTransformsChangeNothingButTheThresholds(@ForAll("gridSamples") List<Sample> samples) {
        RocAuc base = RocAuc.of(targets(samples), scores(samples, x -> x));
        List<DoubleUnaryOperator> transforms = List.of(
                x -> Math.exp(x / 3.0), x -> x * x * x + 5 * x, x -> 1 / (1 + Math.exp(-x)), x -> 1000 * x - 7);
        for (DoubleUnaryOperator f : transforms) {
            RocAuc t = RocAuc.of(targets(samples), scores(samples, f));
            assertEquals(base.value(), t.value());
            if (base instanceof RocAuc.Defined b && t instanceof RocAuc.Defined d) {
                assertArrayEquals(b.roc().fpr(), d.roc().fpr());
                assertArrayEquals(b.roc().tpr(), d.roc().tpr());
            }
        }
    }

    @Property
    void reversingTheScoresGivesOneMinusTheAuc(@ForAll("probabilitySamples") List<Sample> samples) {
        RocAuc up = RocAuc.of(targets(samples), scores(samples, x -> x));
        RocAuc down = RocAuc.of(targets(samples), scores(samples, x -> -x));
        if (up instanceof RocAuc.Defined u && down instanceof RocAuc.Defined d) {
            assertEquals(1.0, u.auc() + d.auc(), 1e-12);
        }
    }

    @Property
    void sampleOrderDoesNotMatter(@ForAll("probabilitySamples") List<Sample> samples, @ForAll long seed) {
        List<Sample> shuffled = new ArrayList<>(samples);
        Collections.shuffle(shuffled, new Random(seed));
        assertEquals(RocAuc.of(targets(samples), scores(samples, x -> x)).value(),
                RocAuc.of(targets(shuffled), scores(shuffled, x -> x)).value());
    }

    @Property
    void droppingIntermediatePointsKeepsTheArea(@ForAll("gridSamples") List<Sample> samples) {
        if (!bothClasses(samples)) {
            return;
        }
        RocCurve all = RocCurve.of(targets(samples), scores(samples, x -> x), false);
        RocCurve dropped = RocCurve.of(targets(samples), scores(samples, x -> x), true);
        assertTrue(dropped.size() <= all.size());
        assertEquals(all.auc(), dropped.auc(), 1e-12);
    }

    @Property
    void softmaxScoreIsFiniteAndComplementary(@ForAll float a, @ForAll float b) {
        if (!Float.isFinite(a) || !Float.isFinite(b)) {
            return;
        }
        double p = Prediction.covidProbability(a, b);
        assertTrue(p >= 0 && p <= 1, "p " + p);
        assertEquals(1.0, p + Prediction.covidProbability(b, a), 1e-15);
        assertEquals(a == b ? 0 : (b > a ? 1 : 0), Prediction.argmax(a, b));
    }
}
