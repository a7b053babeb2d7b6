package org.covidct.app.metrics;

/**
 * A two-sided confidence interval of a metric, or the reason it has none (a class absent, too few
 * samples), said explicitly instead of carrying NaN.
 */
public sealed interface ConfidenceInterval {
    /** The interval {@code [lower, upper]}. */
    record Defined(double lower, double upper) implements ConfidenceInterval {
        public Defined {
            if (!(lower <= upper)) {
                throw new IllegalArgumentException("interval bounds out of order: [" + lower + ", " + upper + "]");
            }
        }

        /** Whether {@code value} lies in the closed interval. */
        public boolean contains(double value) {
            return lower <= value && value <= upper;
        }
    }

    /** No interval, and why. */
    record Undefined(String reason) implements ConfidenceInterval {}

    /** "0.776-0.877" to {@code digits} places as Python prints them, or the reason. */
    default String format(int digits) {
        return switch (this) {
            case Defined d -> PythonFormat.fixed(d.lower(), digits) + "-" + PythonFormat.fixed(d.upper(), digits);
            case Undefined u -> u.reason();
        };
    }
}
