package org.covidct.app.metrics;

/** How an operating point's threshold is chosen on validation scores. */
public sealed interface ThresholdRule {
    /** Youden's J: the threshold that maximises sensitivity + specificity - 1 (tpr - fpr). */
    record Youden() implements ThresholdRule {}

    /** The highest threshold whose sensitivity reaches {@code target}, in (0, 1]. */
    record TargetSensitivity(double target) implements ThresholdRule {
        public TargetSensitivity {
            if (!(target > 0 && target <= 1)) {
                throw new IllegalArgumentException("target sensitivity must be in (0, 1], got " + target);
            }
        }
    }

    /** The rule's name in test_metrics.json. */
    default String key() {
        return switch (this) {
            case Youden y -> "youden";
            case TargetSensitivity t -> "target_sensitivity";
        };
    }

    /** The rule in words, for the printed table and the report. */
    default String describe() {
        return switch (this) {
            case Youden y -> "Youden's J on validation";
            case TargetSensitivity t -> "sensitivity >= " + PythonFormat.repr(t.target()) + " on validation";
        };
    }
}
