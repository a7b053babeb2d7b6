package org.covidct.app.metrics;

import java.util.List;

/**
 * The names of the binary classifier's two classes, by label: 0 the negative class, 1 the positive
 * one, whose probability is the score. The metrics name the classes with them, as sklearn's
 * {@code target_names}.
 *
 * @param negative the name of label 0
 * @param positive the name of label 1
 */
public record ClassNames(String negative, String positive) {
    /** COVID-CT's class folders, which the tutorial's reports name. */
    public static final ClassNames COVID_CT = new ClassNames("CT_NonCOVID", "CT_COVID");

    /** Checks that both names are given, not empty and not the same. */
    public ClassNames {
        if (negative == null || positive == null || negative.isEmpty() || positive.isEmpty()
                || negative.equals(positive)) {
            throw new IllegalArgumentException("two distinct class names are needed, got '" + negative + "' and '"
                    + positive + "'");
        }
    }

    /** The names of a list of two, label order. */
    public static ClassNames of(List<String> names) {
        if (names.size() != 2) {
            throw new IllegalArgumentException("a binary classifier has two classes, got " + names);
        }
        return new ClassNames(names.get(0), names.get(1));
    }

    /** The two names, label order. */
    public List<String> list() {
        return List.of(negative, positive);
    }

    /** The name of {@code label}, 0 or 1. */
    public String of(int label) {
        return switch (label) {
            case Prediction.NON_COVID -> negative;
            case Prediction.COVID -> positive;
            default -> throw new IllegalArgumentException("label must be 0 or 1, got " + label);
        };
    }
}
