package org.covidct.app.metrics;

/**
 * One evaluated sample: its target, the predicted class and the score (probability of the positive
 * class). Labels follow the tutorial: 0 = the negative class (CT_NonCOVID), 1 = the positive class
 * (CT_COVID); a data set with other classes is relabelled so.
 */
public record Prediction(int target, int predicted, double score) {
    /** The negative class's label. */
    public static final int NON_COVID = 0;
    /** The positive class's label. */
    public static final int COVID = 1;

    public Prediction {
        checkLabel(target, "target");
        checkLabel(predicted, "predicted");
        if (!Double.isFinite(score)) {
            // sklearn's roc_curve rejects non-finite scores as well.
            throw new IllegalArgumentException("score must be finite, got " + score);
        }
    }

    /**
     * The tutorial's bookkeeping for one row of model output: {@code argmax} of the logits, a tie
     * going to class 0 as torch.argmax returns the first maximum, and the score
     * {@code softmax(logits)[1]}, computed in double precision (torch computes it in float32, so
     * scores may differ from the tutorial's in the last float bit).
     */
    public static Prediction fromLogits(float nonCovidLogit, float covidLogit, int target) {
        return new Prediction(target, argmax(nonCovidLogit, covidLogit), covidProbability(nonCovidLogit, covidLogit));
    }

    /** A sample known only by its score: predicted COVID when the score exceeds 0.5. */
    public static Prediction fromScore(double score, int target) {
        return new Prediction(target, score > 0.5 ? COVID : NON_COVID, score);
    }

    /** torch.argmax over two logits: the first maximal index, so equal logits give class 0. */
    public static int argmax(float nonCovidLogit, float covidLogit) {
        if (Float.isNaN(nonCovidLogit) || Float.isNaN(covidLogit)) {
            throw new IllegalArgumentException("NaN logit");
        }
        return covidLogit > nonCovidLogit ? COVID : NON_COVID;
    }

    /** softmax([l0, l1])[1] = 1 / (1 + exp(l0 - l1)), arranged so that exp never overflows. */
    public static double covidProbability(float nonCovidLogit, float covidLogit) {
        double d = (double) covidLogit - (double) nonCovidLogit;
        if (Double.isNaN(d)) {
            throw new IllegalArgumentException("logits must be finite, got " + nonCovidLogit + ", " + covidLogit);
        }
        if (d >= 0) {
            return 1.0 / (1.0 + Math.exp(-d));
        }
        double e = Math.exp(d);
        return e / (1.0 + e);
    }

    public boolean correct() {
        return target == predicted;
    }

    private static void checkLabel(int label, String what) {
        if (label != NON_COVID && label != COVID) {
            throw new IllegalArgumentException(what + " must be 0 (the negative class) or 1 (the positive class), got " + label);
        }
    }
}
