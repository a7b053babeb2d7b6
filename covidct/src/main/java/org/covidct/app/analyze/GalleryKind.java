package org.covidct.app.analyze;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Predicate;
import org.covidct.app.metrics.Prediction;

/** The tutorial's four Grad-CAM galleries and the rule that puts a test image in each. */
public enum GalleryKind {
    TRUE_POSITIVES("True positives", "COVID, predicted COVID with a score above 0.9",
            p -> p.target() == Prediction.COVID && p.predicted() == Prediction.COVID && p.score() > 0.9),
    FALSE_POSITIVES("False positives", "NonCOVID, predicted COVID",
            p -> p.target() == Prediction.NON_COVID && p.predicted() == Prediction.COVID),
    TRUE_NEGATIVES("True negatives", "NonCOVID, predicted NonCOVID",
            p -> p.target() == Prediction.NON_COVID && p.predicted() == Prediction.NON_COVID),
    FALSE_NEGATIVES("False negatives", "COVID, predicted NonCOVID",
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

    public String rule() {
        return rule;
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
