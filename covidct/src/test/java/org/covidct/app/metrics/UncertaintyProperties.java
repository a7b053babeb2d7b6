package org.covidct.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

class UncertaintyProperties {
    private static final int RESAMPLES = 1000;

    /** A calibrated group: n samples of score k/n, k of them COVID. */
    record Group(int k, int n) {}

    /** Scores on a small grid, so ties within and across classes are common; predictions mixed. */
    @Provide
    Arbitrary<List<Prediction>> gridPredictions() {
        Arbitrary<Prediction> p = Combinators.combine(Arbitraries.integers().between(0, 1),
                        Arbitraries.integers().between(0, 1), Arbitraries.integers().between(0, 10))
                .as((t, y, k) -> new Prediction(t, y, k / 10.0));
        return p.list().ofMinSize(1).ofMaxSize(60);
    }

    /** At least 20 samples of each class, scores loosely related to the class. */
    @Provide
    Arbitrary<List<Prediction>> twentyOfEach() {
        Arbitrary<Double> u = Arbitraries.doubles().between(0, 1);
        Arbitrary<Prediction> pos = u.map(s -> Prediction.fromScore(Math.min(1, 0.3 + 0.7 * s), 1));
        Arbitrary<Prediction> neg = u.map(s -> Prediction.fromScore(0.7 * s, 0));
        return Combinators.combine(pos.list().ofMinSize(20).ofMaxSize(60), neg.list().ofMinSize(20).ofMaxSize(60))
                .as((a, b) -> {
                    List<Prediction> all = new ArrayList<>(a);
                    all.addAll(b);
                    return all;
                });
    }

    @Provide
    Arbitrary<List<Group>> calibratedGroups() {
        return Arbitraries.integers().between(2, 30).flatMap(n -> Arbitraries.integers().between(1, n - 1)
                .map(k -> new Group(k, n))).list().ofMinSize(1).ofMaxSize(12);
    }

    static int[] targets(List<Prediction> ps) {
        return ps.stream().mapToInt(Prediction::target).toArray();
    }

    static double[] scores(List<Prediction> ps) {
        return ps.stream().mapToDouble(Prediction::score).toArray();
    }

    static List<ConfidenceInterval> all(MetricIntervals m) {
        return List.of(m.accuracy(), m.sensitivity(), m.specificity(), m.precision(), m.f1(), m.rocAuc());
    }

    @Property(tries = 100)
    void intervalsAreOrderedWithinTheUnitIntervalAndRepeatable(@ForAll("gridPredictions") List<Prediction> ps,
                                                               @ForAll long seed) {
        MetricIntervals m = new StratifiedBootstrap(RESAMPLES, seed).intervals(ps);
        for (ConfidenceInterval ci : all(m)) {
            if (ci instanceof ConfidenceInterval.Defined d) {
                assertTrue(0 <= d.lower() && d.lower() <= d.upper() && d.upper() <= 1, d.toString());
            }
        }
        boolean covid = ps.stream().anyMatch(p -> p.target() == 1), nonCovid = ps.stream().anyMatch(p -> p.target() == 0);
        assertEquals(covid, m.sensitivity() instanceof ConfidenceInterval.Defined);
        assertEquals(nonCovid, m.specificity() instanceof ConfidenceInterval.Defined);
        assertEquals(covid && nonCovid, m.rocAuc() instanceof ConfidenceInterval.Defined);
        assertEquals(m, new StratifiedBootstrap(RESAMPLES, seed).intervals(ps), "the same seed draws the same resamples");
    }

    /**
     * Accuracy, sensitivity, specificity and the AUC are means over the samples (the AUC over pairs
     * drawn independently from the two fixed-size classes), so the mean of their resampled values is
     * the point estimate itself. A percentile interval can then miss it only if at least 975 of the
     * 1000 resampled values fall on one side of their own mean, which with 20 or more samples of
     * each class does not happen in practice. (Precision and F1 are ratios and have no such
     * guarantee.)
     */
    @Property(tries = 50)
    void intervalsOfMeanLikeMetricsHoldThePointEstimate(@ForAll("twentyOfEach") List<Prediction> ps, @ForAll long seed) {
        MetricsReport point = MetricsReport.compute(ps, 0);
        MetricIntervals m = new StratifiedBootstrap(RESAMPLES, seed).intervals(ps);
        assertTrue(((ConfidenceInterval.Defined) m.accuracy()).contains(point.accuracy()));
        assertTrue(((ConfidenceInterval.Defined) m.sensitivity()).contains(point.sensitivity()));
        assertTrue(((ConfidenceInterval.Defined) m.specificity()).contains(point.specificity()));
        assertTrue(((ConfidenceInterval.Defined) m.rocAuc()).contains(point.rocAuc().value().orElseThrow()));
        DeLongAuc d = DeLongAuc.of(targets(ps), scores(ps));
        assertEquals(point.rocAuc().value().orElseThrow(), d.auc(), 1e-12, "DeLong's AUC is sklearn's");
        assertTrue(d.interval95().contains(d.auc()));
    }

    @Property(tries = 100)
    void rankPreservingTransformsKeepTheAucIntervals(@ForAll("gridPredictions") List<Prediction> ps, @ForAll long seed) {
        List<DoubleUnaryOperator> transforms = List.of(x -> x * x * x + 5 * x, x -> Math.exp(3 * x), x -> 1000 * x - 7);
        MetricIntervals base = new StratifiedBootstrap(RESAMPLES, seed).intervals(ps);
        ConfidenceInterval baseDeLong = DeLongAuc.interval(targets(ps), scores(ps));
        for (DoubleUnaryOperator f : transforms) {
            List<Prediction> moved = ps.stream()
                    .map(p -> new Prediction(p.target(), p.predicted(), f.applyAsDouble(p.score()))).toList();
            assertEquals(base, new StratifiedBootstrap(RESAMPLES, seed).intervals(moved));
            assertEquals(baseDeLong, DeLongAuc.interval(targets(moved), scores(moved)));
        }
    }

    @Property
    void theCountedAucIsSklearnsArea(@ForAll("gridPredictions") List<Prediction> ps) {
        if (!(RocAuc.of(targets(ps), scores(ps)) instanceof RocAuc.Defined d)) {
            return;
        }
        ScoreGroups groups = new ScoreGroups(scores(ps));
        long[] pos = new long[groups.groups()];
        long[] neg = new long[groups.groups()];
        for (int i = 0; i < ps.size(); i++) {
            (ps.get(i).target() == 1 ? pos : neg)[groups.groupOf(i)]++;
        }
        assertEquals(d.auc(), ScoreGroups.auc(pos, neg), 1e-12);
    }

    /** DeLong's placements straight from the kernel psi, a double loop. */
    @Property
    void deLongMidranksEqualTheDoubleLoopDefinition(@ForAll("gridPredictions") List<Prediction> ps) {
        double[] x = ps.stream().filter(p -> p.target() == 1).mapToDouble(Prediction::score).toArray();
        double[] y = ps.stream().filter(p -> p.target() == 0).mapToDouble(Prediction::score).toArray();
        if (x.length < 2 || y.length < 2) {
            assertInstanceOf(ConfidenceInterval.Undefined.class, DeLongAuc.interval(targets(ps), scores(ps)));
            return;
        }
        int m = x.length, n = y.length;
        double[] v10 = new double[m];
        double[] v01 = new double[n];
        double auc = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double psi = x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
                v10[i] += psi / n;
                v01[j] += psi / m;
                auc += psi / ((double) m * n);
            }
        }
        double s10 = 0, s01 = 0;
        for (double v : v10) {
            s10 += (v - auc) * (v - auc) / (m - 1);
        }
        for (double v : v01) {
            s01 += (v - auc) * (v - auc) / (n - 1);
        }
        DeLongAuc d = DeLongAuc.of(targets(ps), scores(ps));
        assertEquals(auc, d.auc(), 1e-12);
        assertEquals(s10 / m + s01 / n, d.variance(), 1e-12);
    }

    /** In every bin the mean score equals the COVID fraction, whichever groups share the bin. */
    @Property
    void calibratedScoresHaveNoCalibrationError(@ForAll("calibratedGroups") List<Group> groups) {
        List<Prediction> ps = calibrated(groups, 1.0);
        Calibration c = Calibration.of(targets(ps), scores(ps));
        assertEquals(0.0, c.expectedCalibrationError(), 1e-12);
        double brier = 0;
        for (Group g : groups) {
            double v = (double) g.k() / g.n();
            brier += g.n() * v * (1 - v);
        }
        assertEquals(brier / ps.size(), c.brierScore(), 1e-12, "the Brier score of calibrated scores is mean v(1-v)");
        assertEquals(ps.size(), c.bins().stream().mapToLong(Calibration.Bin::count).sum());
    }

    @Property
    void calibrationErrorIsAWeightedMeanOfBinGaps(@ForAll("gridPredictions") List<Prediction> ps) {
        Calibration c = Calibration.of(targets(ps), scores(ps));
        double maxGap = c.bins().stream().filter(b -> !b.isEmpty())
                .mapToDouble(b -> Math.abs(b.observedFrequency() - b.meanConfidence())).max().orElseThrow();
        assertTrue(c.expectedCalibrationError() >= 0 && c.expectedCalibrationError() <= maxGap + 1e-15);
        assertEquals(ps.size(), c.bins().stream().mapToLong(Calibration.Bin::count).sum());
        for (Calibration.Bin b : c.bins()) {
            if (!b.isEmpty()) {
                // a mean of equal scores can round an ulp past them
                assertTrue(b.meanConfidence() >= b.lower() - 1e-15 && b.meanConfidence() <= b.upper() + 1e-15);
            }
        }
    }

    /** The NLL's slope in 1/T at T = 1 is sum over groups of margin * (n * k/n - k) = 0. */
    @Property
    void calibratedScoresNeedNoTemperature(@ForAll("calibratedGroups") List<Group> groups) {
        List<Prediction> ps = calibrated(groups, 1.0);
        TemperatureScaling t = TemperatureScaling.fit(targets(ps), scores(ps));
        assertEquals(1.0, t.temperature(), 1e-9);
        assertFalse(t.atBound());
        assertEquals(t.nllBefore(), t.nllAfter(), 1e-12);
    }

    /** NLL(T) of margins c * d is NLL(T / c) of margins d, so the fitted temperature is c. */
    @Property
    void sharpenedOrSoftenedScoresGetTheirFactorBack(@ForAll("calibratedGroups") List<Group> groups,
                                                     @ForAll @DoubleRange(min = 0.25, max = 4) double c) {
        if (groups.stream().allMatch(g -> 2 * g.k() == g.n())) {
            return; // every margin 0: any temperature fits
        }
        List<Prediction> ps = calibrated(groups, c);
        TemperatureScaling t = TemperatureScaling.fit(targets(ps), scores(ps));
        assertEquals(c, t.temperature(), 1e-8 * c);
        assertTrue(t.nllAfter() <= t.nllBefore() + 1e-15);
    }

    /** Groups of n samples with score sigmoid(factor * logit(k/n)), k of them COVID. */
    private static List<Prediction> calibrated(List<Group> groups, double factor) {
        List<Prediction> ps = new ArrayList<>();
        for (Group g : groups) {
            double v = (double) g.k() / g.n();
            double score = factor == 1.0 ? v : 1 / (1 + Math.exp(-factor * Math.log(v / (1 - v))));
            for (int i = 0; i < g.n(); i++) {
                ps.add(Prediction.fromScore(score, i < g.k() ? 1 : 0));
            }
        }
        return ps;
    }

    @Property
    void youdensThresholdMaximisesJAndIsTheHighestOfTheBest(@ForAll("gridPredictions") List<Prediction> ps) {
        long pos = ps.stream().filter(p -> p.target() == 1).count(), neg = ps.size() - pos;
        if (pos == 0 || neg == 0) {
            return;
        }
        OperatingPoint point = OperatingPoint.choose(new ThresholdRule.Youden(), ps);
        double chosen = point.threshold();
        double[] candidates = candidates(ps);
        long best = Long.MIN_VALUE;
        for (double t : candidates) {
            best = Math.max(best, youdenTimesPN(ps, t, pos, neg));
        }
        assertEquals(best, youdenTimesPN(ps, chosen, pos, neg), "chosen J is the maximum");
        assertEquals(best <= 0, point.aboveEveryScore(), "above every score exactly when no threshold beats J = 0");
        assertEquals(point.aboveEveryScore(), chosen > Arrays.stream(scores(ps)).max().orElseThrow());
        for (double t : candidates) {
            if (t > chosen) {
                assertTrue(youdenTimesPN(ps, t, pos, neg) < best, "a higher threshold " + t + " reaches the best J");
            }
        }
    }

    @Property
    void aTargetSensitivityIsTheHighestThresholdReachingIt(@ForAll("gridPredictions") List<Prediction> ps,
                                                          @ForAll @DoubleRange(min = 0.01, max = 1) double target) {
        long pos = ps.stream().filter(p -> p.target() == 1).count();
        if (pos == 0 || pos == ps.size()) {
            return;
        }
        OperatingPoint point = OperatingPoint.choose(new ThresholdRule.TargetSensitivity(target), ps);
        double chosen = point.threshold();
        assertFalse(point.aboveEveryScore(), "a target sensitivity above 0 needs a positive prediction");
        assertTrue(sensitivity(ps, chosen, pos) >= target);
        for (double t : candidates(ps)) {
            if (t > chosen) {
                assertTrue(sensitivity(ps, t, pos) < target);
            }
        }
    }

    /** Every distinct score and one above them all. */
    private static double[] candidates(List<Prediction> ps) {
        double[] s = Arrays.stream(scores(ps)).distinct().toArray();
        double[] out = Arrays.copyOf(s, s.length + 1);
        out[s.length] = Arrays.stream(s).max().orElseThrow() + 1;
        return out;
    }

    /** (tpr - fpr) * P * N = tp * N - fp * P, exact. */
    private static long youdenTimesPN(List<Prediction> ps, double t, long pos, long neg) {
        long tp = ps.stream().filter(p -> p.target() == 1 && p.score() >= t).count();
        long fp = ps.stream().filter(p -> p.target() == 0 && p.score() >= t).count();
        return tp * neg - fp * pos;
    }

    private static double sensitivity(List<Prediction> ps, double t, long pos) {
        return (double) ps.stream().filter(p -> p.target() == 1 && p.score() >= t).count() / pos;
    }

    @Property
    void splitMix64BoundedDrawsStayInRange(@ForAll long seed, @ForAll @Size(min = 1, max = 5) List<Integer> bounds) {
        SplitMix64 g = new SplitMix64(seed);
        for (int b : bounds) {
            int bound = Math.max(1, Math.abs(b % 1_000_000) + 1);
            int v = g.nextInt(bound);
            assertTrue(v >= 0 && v < bound);
        }
    }
}
