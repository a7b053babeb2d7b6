package org.covidct.app.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * sklearn's {@code classification_report(y_true, y_pred, labels=[0, 1], target_names=[negative,
 * positive])}, as a value and in both of its output forms; COVID-CT's target names are
 * {@code ['CT_NonCOVID', 'CT_COVID']}.
 *
 * <p>sklearn names the micro average "accuracy" unless targets and predictions together hold a
 * single class; then it prints a "micro avg" row instead (the tutorial's call, which passes no
 * labels, raises in that case). {@link #microIsAccuracy()} tells which.
 */
public record ClassificationReport(
        ClassMetrics negative,
        ClassMetrics positive,
        double accuracy,
        ClassMetrics microAvg,
        ClassMetrics macroAvg,
        ClassMetrics weightedAvg,
        boolean microIsAccuracy,
        ClassNames names) {

    /** The report of {@code cm} with COVID-CT's class names. */
    public static ClassificationReport of(ConfusionMatrix cm) {
        return of(cm, ClassNames.COVID_CT);
    }

    /** The report of {@code cm}, naming the classes {@code names}. */
    public static ClassificationReport of(ConfusionMatrix cm, ClassNames names) {
        long n = cm.total();
        if (n == 0) {
            throw new IllegalArgumentException("no samples");
        }
        ClassMetrics negative = ClassMetrics.of(cm.tn(), cm.tn() + cm.fn(), cm.negatives());
        ClassMetrics positive = ClassMetrics.of(cm.tp(), cm.tp() + cm.fp(), cm.positives());
        double accuracy = (double) cm.correct() / (double) n;
        // Micro precision and recall are both correct / n; F1 goes through the same formula.
        ClassMetrics micro = new ClassMetrics(accuracy, accuracy, ClassMetrics.f1(accuracy, accuracy), n);
        ClassMetrics macro = new ClassMetrics(
                (negative.precision() + positive.precision()) / 2,
                (negative.recall() + positive.recall()) / 2,
                (negative.f1() + positive.f1()) / 2,
                n);
        double w0 = negative.support(), w1 = positive.support();
        ClassMetrics weighted = new ClassMetrics(
                (negative.precision() * w0 + positive.precision() * w1) / (w0 + w1),
                (negative.recall() * w0 + positive.recall() * w1) / (w0 + w1),
                (negative.f1() * w0 + positive.f1() * w1) / (w0 + w1),
                n);
        boolean bothClassesSeen = (cm.negatives() > 0 || cm.fn() > 0) && (cm.positives() > 0 || cm.fp() > 0);
        return new ClassificationReport(negative, positive, accuracy, micro, macro, weighted, bothClassesSeen, names);
    }

    /** Recall of the positive class (COVID), the tutorial's sensitivity. */
    public double sensitivity() {
        return positive.recall();
    }

    /** Recall of the negative class (NonCOVID), the tutorial's specificity. */
    public double specificity() {
        return negative.recall();
    }

    /** The {@code output_dict=True} form, keys in sklearn's order. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(names.negative(), row(negative));
        m.put(names.positive(), row(positive));
        if (microIsAccuracy) {
            m.put("accuracy", accuracy);
        } else {
            m.put("micro avg", row(microAvg));
        }
        m.put("macro avg", row(macroAvg));
        m.put("weighted avg", row(weightedAvg));
        return m;
    }

    private static Map<String, Object> row(ClassMetrics c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("precision", c.precision());
        m.put("recall", c.recall());
        m.put("f1-score", c.f1());
        m.put("support", c.support());
        return m;
    }

    /** The text form, character for character as sklearn prints it with {@code digits=2}. */
    public String formatText() {
        return formatText(2);
    }

    public String formatText(int digits) {
        // sklearn 1.2 counts in floats when no prediction is right (its multilabel_confusion_matrix
        // starts from np.zeros), and then prints the supports as 98.0.
        boolean floatSupport = accuracy == 0.0;
        int width = Math.max(Math.max(Math.max(names.negative().length(), names.positive().length()),
                "weighted avg".length()), digits);
        StringBuilder sb = new StringBuilder();
        sb.append(right("", width)).append(' ');
        for (String h : new String[] {"precision", "recall", "f1-score", "support"}) {
            sb.append(' ').append(right(h, 9));
        }
        sb.append("\n\n");
        appendRow(sb, names.negative(), negative, width, digits, floatSupport);
        appendRow(sb, names.positive(), positive, width, digits, floatSupport);
        sb.append('\n');
        if (microIsAccuracy) {
            sb.append(right("accuracy", width)).append(' ')
                    .append(' ').append(right("", 9))
                    .append(' ').append(right("", 9))
                    .append(' ').append(right(PythonFormat.fixed(accuracy, digits), 9))
                    .append(' ').append(right(support(microAvg, floatSupport), 9)).append('\n');
        } else {
            appendRow(sb, "micro avg", microAvg, width, digits, floatSupport);
        }
        appendRow(sb, "macro avg", macroAvg, width, digits, floatSupport);
        appendRow(sb, "weighted avg", weightedAvg, width, digits, floatSupport);
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, String name, ClassMetrics c, int width, int digits,
            boolean floatSupport) {
        sb.append(right(name, width)).append(' ');
        for (double v : new double[] {c.precision(), c.recall(), c.f1()}) {
            sb.append(' ').append(right(PythonFormat.fixed(v, digits), 9));
        }
        sb.append(' ').append(right(support(c, floatSupport), 9)).append('\n');
    }

    private static String support(ClassMetrics c, boolean asFloat) {
        return asFloat ? PythonFormat.repr(c.support()) : Long.toString(c.support());
    }

    private static String right(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
