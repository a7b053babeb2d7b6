package org.covidct.app.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * The test set's metrics with what the per-epoch validation metrics leave out, because it costs a
 * bootstrap or needs the validation set: 95% confidence intervals (a {@link StratifiedBootstrap} for
 * every metric, {@link DeLongAuc} for the AUC as well), the {@link Calibration} of the scores,
 * optionally under a {@link TemperatureScaling} fitted on validation, and the metrics at a second
 * {@link OperatingPoint} whose threshold is chosen on validation, beside the tutorial's 0.5.
 *
 * <p>Both operating points are bootstrapped with the same seed, so they are compared on the same
 * resamples. Without validation predictions (or with one class in them) there is no temperature
 * and no chosen operating point, and the report says why.
 */
public final class TestReport {
    /** The metrics at the chosen threshold, on validation where it was chosen and on test. */
    public record ChosenPoint(OperatingPoint point, ConfusionMatrix validation, ConfusionMatrix test,
                              MetricIntervals testIntervals) {
    }

    private final MetricsReport metrics;
    private final TestReportOptions options;
    private final MetricIntervals intervals;
    private final ConfidenceInterval rocAucDeLong;
    private final DeLongAuc deLong;
    private final Calibration calibration;
    private final TemperatureScaling temperature;
    private final Calibration scaledCalibration;
    private final String noTemperatureReason;
    private final ChosenPoint chosen;
    private final String noChosenPointReason;

    private TestReport(MetricsReport metrics, TestReportOptions options, MetricIntervals intervals,
                       ConfidenceInterval rocAucDeLong, DeLongAuc deLong, Calibration calibration,
                       TemperatureScaling temperature, Calibration scaledCalibration, String noTemperatureReason,
                       ChosenPoint chosen, String noChosenPointReason) {
        this.metrics = metrics;
        this.options = options;
        this.intervals = intervals;
        this.rocAucDeLong = rocAucDeLong;
        this.deLong = deLong;
        this.calibration = calibration;
        this.temperature = temperature;
        this.scaledCalibration = scaledCalibration;
        this.noTemperatureReason = noTemperatureReason;
        this.chosen = chosen;
        this.noChosenPointReason = noChosenPointReason;
    }

    /**
     * The report of {@code test}, whose metrics are {@code metrics}; {@code validation} may be null
     * (then there is no temperature and no chosen threshold).
     */
    public static TestReport compute(MetricsReport metrics, List<Prediction> test, List<Prediction> validation,
                                     TestReportOptions options) {
        if (test.size() != metrics.sampleCount()) {
            throw new IllegalArgumentException("the metrics count " + metrics.sampleCount()
                    + " samples but there are " + test.size() + " test predictions");
        }
        int[] targets = test.stream().mapToInt(Prediction::target).toArray();
        double[] scores = test.stream().mapToDouble(Prediction::score).toArray();
        StratifiedBootstrap bootstrap = new StratifiedBootstrap(options.resamples(), options.seed());
        ClassNames names = metrics.classificationReport().names();
        MetricIntervals intervals = bootstrap.intervals(test, names);
        ConfidenceInterval rocAucDeLong = DeLongAuc.interval(targets, scores);
        DeLongAuc deLong = rocAucDeLong instanceof ConfidenceInterval.Defined ? DeLongAuc.of(targets, scores) : null;
        Calibration calibration = Calibration.of(targets, scores);

        TemperatureScaling temperature = null;
        Calibration scaled = null;
        String noTemperature = null;
        ChosenPoint chosen = null;
        String noChosen = null;
        if (validation == null || validation.isEmpty()) {
            noTemperature = "no validation predictions";
            noChosen = "no validation predictions";
        } else {
            if (options.fitTemperature()) {
                temperature = TemperatureScaling.fit(validation.stream().mapToInt(Prediction::target).toArray(),
                        validation.stream().mapToDouble(Prediction::score).toArray());
                scaled = Calibration.of(targets, temperature.apply(scores));
            } else {
                noTemperature = "not requested";
            }
            long valPositives = validation.stream().filter(p -> p.target() == Prediction.COVID).count();
            if (valPositives == 0 || valPositives == validation.size()) {
                noChosen = "the validation set holds one class only";
            } else {
                OperatingPoint point = OperatingPoint.choose(options.rule(), validation);
                List<Prediction> relabelled = point.relabel(test);
                chosen = new ChosenPoint(point, point.confusionMatrix(validation), ConfusionMatrix.of(relabelled),
                        bootstrap.intervals(relabelled, names));
            }
        }
        return new TestReport(metrics, options, intervals, rocAucDeLong, deLong, calibration, temperature, scaled,
                noTemperature, chosen, noChosen);
    }

    public MetricsReport metrics() {
        return metrics;
    }

    public TestReportOptions options() {
        return options;
    }

    /** The bootstrap intervals at the tutorial's threshold (argmax, score > 0.5). */
    public MetricIntervals intervals() {
        return intervals;
    }

    public ConfidenceInterval rocAucDeLong() {
        return rocAucDeLong;
    }

    /** DeLong's AUC and variance, where defined. */
    public Optional<DeLongAuc> deLong() {
        return Optional.ofNullable(deLong);
    }

    public Calibration calibration() {
        return calibration;
    }

    public Optional<TemperatureScaling> temperature() {
        return Optional.ofNullable(temperature);
    }

    /** The test set's calibration under the fitted temperature, where one was fitted. */
    public Optional<Calibration> scaledCalibration() {
        return Optional.ofNullable(scaledCalibration);
    }

    /** Why there is no temperature; empty when there is one. */
    public Optional<String> noTemperatureReason() {
        return Optional.ofNullable(noTemperatureReason);
    }

    public Optional<ChosenPoint> chosen() {
        return Optional.ofNullable(chosen);
    }

    /** Why there is no chosen operating point; empty when there is one. */
    public Optional<String> noChosenPointReason() {
        return Optional.ofNullable(noChosenPointReason);
    }

    /**
     * The test split's entry of test_metrics.json: {@link MetricsReport#toJsonTree()} with the
     * intervals, calibration, temperature and operating points added (the keys are listed in TestReportJson).
     */
    public ObjectNode toJsonTree() {
        return TestReportJson.tree(this);
    }

    /** The console's test table with the intervals beside the values (laid out by TestReportTable). */
    public String formatTable() {
        return TestReportTable.format(this);
    }
}
