package org.covidct.app.metrics;

import java.util.List;

/**
 * The 2x2 confusion matrix in sklearn's layout, rows = true label, columns = predicted label:
 * {@code [[TN, FP], [FN, TP]]} with COVID (1) as the positive class. Always 2x2: sklearn's
 * {@code confusion_matrix} without {@code labels} shrinks to 1x1 when a single class occurs; this is
 * its {@code labels=[0, 1]} form.
 */
public record ConfusionMatrix(long tn, long fp, long fn, long tp) {
    public ConfusionMatrix {
        if (tn < 0 || fp < 0 || fn < 0 || tp < 0) {
            throw new IllegalArgumentException("negative count");
        }
    }

    public static ConfusionMatrix of(List<Prediction> predictions) {
        long tn = 0, fp = 0, fn = 0, tp = 0;
        for (Prediction p : predictions) {
            if (p.target() == Prediction.COVID) {
                if (p.predicted() == Prediction.COVID) tp++; else fn++;
            } else {
                if (p.predicted() == Prediction.COVID) fp++; else tn++;
            }
        }
        return new ConfusionMatrix(tn, fp, fn, tp);
    }

    public long total() {
        return tn + fp + fn + tp;
    }

    public long negatives() {
        return tn + fp;
    }

    public long positives() {
        return fn + tp;
    }

    public long correct() {
        return tn + tp;
    }

    /** {@code [[TN, FP], [FN, TP]]}. */
    public long[][] toArray() {
        return new long[][] {{tn, fp}, {fn, tp}};
    }

    /** As numpy prints the array: {@code [[74 24]\n [32 73]]}. */
    public String format() {
        int w = 0;
        for (long v : new long[] {tn, fp, fn, tp}) {
            w = Math.max(w, Long.toString(v).length());
        }
        return "[[" + pad(tn, w) + " " + pad(fp, w) + "]\n [" + pad(fn, w) + " " + pad(tp, w) + "]]";
    }

    private static String pad(long v, int width) {
        String s = Long.toString(v);
        return " ".repeat(width - s.length()) + s;
    }
}
