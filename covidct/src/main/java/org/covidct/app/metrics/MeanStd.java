package org.covidct.app.metrics;

import java.util.Collection;

/**
 * The mean and the sample standard deviation of a metric over repeated runs, such as one
 * configuration trained with several seeds. The deviation divides by n - 1, as
 * {@code numpy.std(ddof=1)} and pandas' {@code std} do, and is NaN for a single value. Both come from
 * two passes, the deviation from each value's difference to the mean.
 *
 * @param count how many values
 * @param mean  their mean
 * @param std   their sample standard deviation; NaN when {@code count} is 1
 */
public record MeanStd(int count, double mean, double std) {
    /** The mean and sample standard deviation of {@code values}, which must hold at least one finite number. */
    public static MeanStd of(Collection<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("mean and standard deviation of no values");
        }
        double sum = 0;
        for (Double v : values) {
            if (v == null || !Double.isFinite(v)) {
                throw new IllegalArgumentException("mean and standard deviation of " + values + ": " + v
                        + " is not a finite number");
            }
            sum += v;
        }
        int n = values.size();
        double mean = sum / n;
        if (n == 1) {
            return new MeanStd(1, mean, Double.NaN);
        }
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return new MeanStd(n, mean, Math.sqrt(squares / (n - 1)));
    }

    /** Whether there is a deviation: two values or more. */
    public boolean hasStd() {
        return count > 1;
    }
}
