package org.covidct.app.metrics;

/**
 * Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", 2017): one
 * temperature T fitted on validation, after which a score becomes {@code sigmoid(margin / T)},
 * where the margin is the logit difference {@code l1 - l0} the score came from
 * ({@link Prediction#covidProbability}: score = sigmoid(l1 - l0)). T keeps the scores' order, so
 * (up to rounding) no threshold's partition and no AUC changes; it only moves the probabilities, and
 * the report keeps its predictions and thresholds on the unscaled scores.
 *
 * <p>The margin is recovered from the score as {@code log(p) - log1p(-p)}. A score of exactly 0 or
 * 1 has lost its margin to rounding; margins are clipped to {@code +/-} {@link #MAX_MARGIN}, the
 * margin of the largest double below 1, so those scores count as that margin.
 *
 * <p>T minimises the mean negative log-likelihood {@code NLL(T) = mean(softplus(-s_i * d_i / T))}
 * (s_i = +1 for COVID, -1 for NonCOVID, d_i the margins) over {@code [MIN_TEMPERATURE,
 * MAX_TEMPERATURE]}. The NLL is convex in u = 1/T, so its derivative in u is non-decreasing and T
 * is found by bisecting that derivative's sign over u until the bracket is two adjacent doubles;
 * where the minimum lies beyond the range, T is the nearer end ({@link #atBound()}). When every
 * margin is 0 the NLL does not depend on T, and T is 1.
 *
 * @param temperature the fitted T
 * @param nllBefore the validation NLL at T = 1
 * @param nllAfter the validation NLL at the fitted T
 * @param atBound whether T is an end of the searched range
 */
public record TemperatureScaling(double temperature, double nllBefore, double nllAfter, boolean atBound) {
    public static final double MIN_TEMPERATURE = 0.01;
    public static final double MAX_TEMPERATURE = 100;
    /** The margin of {@code Math.nextDown(1.0)}, about 36.74. */
    public static final double MAX_MARGIN = Math.log(Math.nextDown(1.0)) - Math.log1p(-Math.nextDown(1.0));

    /** Fits T to validation {@code scores} (probabilities of COVID) and their {@code targets}. */
    public static TemperatureScaling fit(int[] targets, double[] scores) {
        if (targets.length != scores.length) {
            throw new IllegalArgumentException(targets.length + " targets but " + scores.length + " scores");
        }
        if (targets.length == 0) {
            throw new IllegalArgumentException("temperature scaling: no validation samples");
        }
        double[] signedMargins = new double[targets.length];
        boolean allZero = true;
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] != 0 && targets[i] != 1) {
                throw new IllegalArgumentException("target must be 0 or 1, got " + targets[i]);
            }
            signedMargins[i] = (targets[i] == 1 ? 1 : -1) * margin(scores[i]);
            allZero &= signedMargins[i] == 0;
        }
        double before = nll(signedMargins, 1.0);
        if (allZero) {
            return new TemperatureScaling(1.0, before, before, false);
        }
        double lo = 1 / MAX_TEMPERATURE, hi = 1 / MIN_TEMPERATURE;
        double u;
        boolean atBound = true;
        if (slope(signedMargins, lo) >= 0) {
            u = lo;
        } else if (slope(signedMargins, hi) <= 0) {
            u = hi;
        } else {
            atBound = false;
            while (true) {
                double mid = lo + (hi - lo) / 2;
                if (mid <= lo || mid >= hi) {
                    break;
                }
                if (slope(signedMargins, mid) < 0) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            u = lo + (hi - lo) / 2;
        }
        double t = 1 / u;
        return new TemperatureScaling(t, before, nll(signedMargins, t), atBound);
    }

    /** {@code score} as the fitted temperature makes it: {@code sigmoid(margin(score) / T)}. */
    public double apply(double score) {
        return sigmoid(margin(score) / temperature);
    }

    /** Every score of {@code scores}, scaled. */
    public double[] apply(double[] scores) {
        double[] out = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            out[i] = apply(scores[i]);
        }
        return out;
    }

    /** The logit {@code log(p / (1 - p))} of a probability, clipped to {@code +/-MAX_MARGIN}. */
    public static double margin(double score) {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("score must be a probability in [0, 1], got " + score);
        }
        double d = Math.log(score) - Math.log1p(-score);
        return Math.max(-MAX_MARGIN, Math.min(MAX_MARGIN, d));
    }

    /** The mean NLL at temperature {@code t} of margins already multiplied by each sample's sign. */
    static double nll(double[] signedMargins, double t) {
        double sum = 0;
        for (double m : signedMargins) {
            sum += softplus(-m / t);
        }
        return sum / signedMargins.length;
    }

    /** The NLL's derivative in u = 1/T, times the sample count: {@code sum(-m * sigmoid(-m * u))}. */
    private static double slope(double[] signedMargins, double u) {
        double sum = 0;
        for (double m : signedMargins) {
            sum += -m * sigmoid(-m * u);
        }
        return sum;
    }

    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    private static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
