package org.covidct.app.metrics;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * sklearn.metrics.roc_auc_score with its curve, or the reason it is undefined. sklearn raises
 * "Only one class present in y_true" when the targets hold a single class; this type says so
 * explicitly instead of carrying NaN.
 */
public sealed interface RocAuc {
    String ONE_CLASS = "AUC undefined: only one class present";

    /** Both classes present: the area and the curve it was taken from (drop_intermediate=True). */
    record Defined(double auc, RocCurve roc) implements RocAuc {}

    record Undefined(String reason) implements RocAuc {}

    static RocAuc of(int[] targets, double[] scores) {
        if (targets.length != scores.length) {
            throw new IllegalArgumentException(targets.length + " targets but " + scores.length + " scores");
        }
        boolean seen0 = false, seen1 = false;
        for (int t : targets) {
            seen0 |= t == 0;
            seen1 |= t == 1;
        }
        if (!(seen0 && seen1)) {
            for (int t : targets) {
                if (t != 0 && t != 1) {
                    throw new IllegalArgumentException("target must be 0 or 1, got " + t);
                }
            }
            return new Undefined(ONE_CLASS);
        }
        RocCurve curve = RocCurve.of(targets, scores, true);
        return new Defined(curve.auc(), curve);
    }

    /** The area, empty when undefined. */
    default OptionalDouble value() {
        return this instanceof Defined d ? OptionalDouble.of(d.auc()) : OptionalDouble.empty();
    }

    /** The curve, empty when undefined. */
    default Optional<RocCurve> curve() {
        return this instanceof Defined d ? Optional.of(d.roc()) : Optional.empty();
    }

    /** The AUC to {@code digits} places as Python prints it, or the reason it is undefined. */
    default String format(int digits) {
        return switch (this) {
            case Defined d -> PythonFormat.fixed(d.auc(), digits);
            case Undefined u -> u.reason();
        };
    }
}
