package org.covidct.app.metrics;

import java.util.Objects;

/**
 * The choices behind a {@link TestReport}.
 *
 * @param resamples bootstrap resamples, at least {@link #MIN_RESAMPLES}
 * @param seed the bootstrap's seed
 * @param rule how the operating point's threshold is chosen on validation
 * @param fitTemperature whether to fit a temperature on validation and report the test set's
 *     calibration under it as well
 */
public record TestReportOptions(int resamples, long seed, ThresholdRule rule, boolean fitTemperature) {
    public static final int MIN_RESAMPLES = 1000;

    public TestReportOptions {
        if (resamples < MIN_RESAMPLES) {
            throw new IllegalArgumentException("bootstrap resamples must be at least " + MIN_RESAMPLES + ", got "
                    + resamples);
        }
        Objects.requireNonNull(rule, "rule");
    }

    /** 1000 resamples from {@code seed}, Youden's J, and a fitted temperature. */
    public static TestReportOptions defaults(long seed) {
        return new TestReportOptions(MIN_RESAMPLES, seed, new ThresholdRule.Youden(), true);
    }
}
