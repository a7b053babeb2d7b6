package org.covidct.tensor.cpu;

/** Row softmax and mean cross-entropy over logits laid out as [rows, classes]. */
final class CpuLoss {
    private CpuLoss() {
    }

    /** Writes the softmax of each row and returns each row's log-sum-exp in {@code lse}. */
    private static void softmax(float[] logits, int rows, int classes, float[] probs, double[] lse) {
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, logits[base + j]);
            }
            double s = 0;
            for (int j = 0; j < classes; j++) {
                s += Math.exp(logits[base + j] - max); // shifted by the max, so exp cannot overflow
            }
            for (int j = 0; j < classes; j++) {
                probs[base + j] = (float) (Math.exp(logits[base + j] - max) / s);
            }
            if (lse != null) {
                lse[r] = max + Math.log(s);
            }
        }
    }

    static void softmax(float[] logits, int rows, int classes, float[] probs) {
        softmax(logits, rows, classes, probs, null);
    }

    static float crossEntropy(float[] logits, int rows, int classes, int[] targets, float[] probs) {
        double[] lse = new double[rows];
        softmax(logits, rows, classes, probs, lse);
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            loss += lse[r] - logits[r * classes + targets[r]];
        }
        return (float) (loss / rows);
    }

    static void crossEntropyBackward(float[] probs, int rows, int classes, int[] targets, float gradScale,
                                     float[] dlogits) {
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            for (int j = 0; j < classes; j++) {
                float onehot = j == targets[r] ? 1f : 0f;
                dlogits[base + j] = (probs[base + j] - onehot) * gradScale;
            }
        }
    }
}
