package org.covidct.nn.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which of two classes counts as positive (for sensitivity, specificity and ROC curves).
 *
 * <p>The class names decide it only in two cases, compared ignoring case and the characters
 * {@code _ - .} and space:
 *
 * <ul>
 *   <li>one name is the other with {@code non}, {@code no} or {@code not} put in somewhere: the other
 *       one is positive ({@code CT_COVID} / {@code CT_NonCOVID}, {@code covid} / {@code non-covid},
 *       {@code tumor} / {@code no_tumor});</li>
 *   <li>the names are {@code positive} / {@code negative}, or {@code abnormal} / {@code normal}: the
 *       first of each pair is positive.</li>
 * </ul>
 *
 * Every other pair ({@code cat} / {@code dog}, {@code pneumonia} / {@code normal}, {@code yes} /
 * {@code no}) leaves it open, and the positive class must be named.
 */
public final class PositiveClass {
    private static final Set<String> NEGATIONS = Set.of("non", "no", "not");

    private PositiveClass() {
    }

    /** The label that the names of two classes make positive; empty when they leave it open or there are not two. */
    public static OptionalInt inferred(List<String> classes) {
        if (classes.size() != 2) {
            return OptionalInt.empty();
        }
        String a = normalised(classes.get(0));
        String b = normalised(classes.get(1));
        if (fixedPair(a, b)) {
            return OptionalInt.of(0);
        }
        if (fixedPair(b, a)) {
            return OptionalInt.of(1);
        }
        int prefix = 0;
        while (prefix < a.length() && prefix < b.length() && a.charAt(prefix) == b.charAt(prefix)) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < a.length() - prefix && suffix < b.length() - prefix
                && a.charAt(a.length() - 1 - suffix) == b.charAt(b.length() - 1 - suffix)) {
            suffix++;
        }
        String restA = a.substring(prefix, a.length() - suffix);
        String restB = b.substring(prefix, b.length() - suffix);
        if (restA.isEmpty() && NEGATIONS.contains(restB)) {
            return OptionalInt.of(0);
        }
        if (restB.isEmpty() && NEGATIONS.contains(restA)) {
            return OptionalInt.of(1);
        }
        return OptionalInt.empty();
    }

    /**
     * The positive label of a data set from {@code source} with {@code classes}: the class called
     * {@code name} when a name is given, else the one the names make positive (see the class
     * comment); empty for more than two classes when no name is given.
     *
     * @throws DatasetException when {@code name} is given but there are not exactly two classes or
     *     neither is called so, or when no name is given and the names of two classes leave it open
     */
    public static OptionalInt choose(Path source, List<String> classes, String name) throws DatasetException {
        if (name != null) {
            if (classes.size() != 2) {
                throw new DatasetException(source + ": a positive class is for two classes, and there are "
                        + classes.size() + ": " + String.join(", ", classes));
            }
            int label = classes.indexOf(name);
            if (label < 0) {
                throw new DatasetException(source + ": the positive class '" + name + "' is neither of its classes, '"
                        + classes.get(0) + "' and '" + classes.get(1) + "'");
            }
            return OptionalInt.of(label);
        }
        OptionalInt inferred = inferred(classes);
        if (classes.size() == 2 && inferred.isEmpty()) {
            throw new DatasetException(source + ": the class names '" + classes.get(0) + "' and '" + classes.get(1)
                    + "' do not say which one is positive; name it");
        }
        return inferred;
    }

    private static boolean fixedPair(String positive, String negative) {
        return positive.equals("positive") && negative.equals("negative")
                || positive.equals("abnormal") && negative.equals("normal");
    }

    private static String normalised(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[_\\-. ]", "");
    }
}
