package org.covidct.app.analyze;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Predicate;
import org.covidct.app.metrics.ClassNames;
import org.covidct.app.metrics.Prediction;

/**
 * The tutorial's four Grad-CAM galleries and the rule that puts a test image in each; the rules'
 * texts name the negative class {@code %1$s} and the positive one {@code %2$s}.
 */
public enum GalleryKind {
    TRUE_POSITIVES("True positives", "%2$s, predicted %2$s with a score above 0.9",
            p -> p.target() == Prediction.COVID && p.predicted() == Prediction.COVID && p.score() > 0.9),
    FALSE_POSITIVES("False positives", "%1$s, predicted %2$s",
            p -> p.target() == Prediction.NON_COVID && p.predicted() == Prediction.COVID),
    TRUE_NEGATIVES("True negatives", "%1$s, predicted %1$s",
            p -> p.target() == Prediction.NON_COVID && p.predicted() == Prediction.NON_COVID),
    FALSE_NEGATIVES("False negatives", "%2$s, predicted %1$s",
            p -> p.target() == Prediction.COVID && p.predicted() == Prediction.NON_COVID);

    private final String title;
    private final String rule;
    private final Predicate<Prediction> member;

    GalleryKind(String title, String rule, Predicate<Prediction> member) {
        this.title = title;
        this.rule = rule;
        this.member = member;
    }

    public String title() {
        return title;
    }

    /** The rule, naming the classes {@code names}: "COVID, predicted COVID with a score above 0.9". */
    public String rule(ClassNames names) {
        return String.format(Locale.ROOT, rule, names.negative(), names.positive());
    }

    /** A file-name form of the title: true_positives. */
    public String fileStem() {
        return name().toLowerCase(Locale.ROOT);
    }

    public List<TestScores.Row> members(List<TestScores.Row> rows) {
        return rows.stream().filter(r -> member.test(r.prediction())).toList();
    }

    /** Up to {@code count} members drawn without replacement, the same ones for the same seed. */
    public List<TestScores.Row> sample(List<TestScores.Row> rows, int count, long seed) {
        List<TestScores.Row> pool = new ArrayList<>(members(rows));
        // one stream per gallery, so that one gallery's draw does not depend on another's size
        Collections.shuffle(pool, new Random(seed * 31 + ordinal()));
        return List.copyOf(pool.subList(0, Math.min(count, pool.size())));
    }
}
