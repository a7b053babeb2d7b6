package org.covidct.tensor.cpu;

/**
 * Losses that average a function of each (input, target) pair: binary cross-entropy with logits
 * and mean squared error. Each term is computed in double and summed in double, block by block in
 * a fixed order, so the loss does not depend on the thread count.
 */
final class CpuElementwiseLoss {
    /** Elements per partial sum. */
    private static final int BLOCK = 1 << 15;

    private CpuElementwiseLoss() {
    }

    /** The loss of one element; {@code x} and {@code t} as doubles. */
    private interface Term {
        double of(double x, double t);
    }

    /** max(x, 0) - x t + log(1 + exp(-|x|)): exp never sees a positive argument, so nothing overflows. */
    static float binaryCrossEntropyWithLogits(float[] logits, float[] target) {
        return mean(logits, target, (x, t) -> Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x))));
    }

    static float mseLoss(float[] input, float[] target) {
        return mean(input, target, (x, t) -> (x - t) * (x - t));
    }

    private static float mean(float[] x, float[] t, Term term) {
        int blocks = Math.ceilDiv(x.length, BLOCK);
        double[] partial = new double[blocks];
        Parallel.forRange(blocks, 1, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                double s = 0;
                for (int i = b * BLOCK, end = Math.min(x.length, i + BLOCK); i < end; i++) {
                    s += term.of(x[i], t[i]);
                }
                partial[b] = s;
            }
        });
        double s = 0;
        for (double p : partial) {
            s += p;
        }
        return (float) (s / x.length);
    }

    /** (sigmoid(x) - t) * gradScale, in double. */
    static void binaryCrossEntropyWithLogitsBackward(float[] logits, float[] target, float gradScale,
                                                     float[] dlogits) {
        Parallel.forRange(dlogits.length, CpuBackend.ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                double sigmoid = 1.0 / (1.0 + Math.exp(-(double) logits[i]));
                dlogits[i] = (float) ((sigmoid - target[i]) * gradScale);
            }
        });
    }

    /** (x - t) * (2 gradScale), in float. */
    static void mseLossBackward(float[] input, float[] target, float gradScale, float[] dinput) {
        float scale = 2f * gradScale;
        Parallel.forRange(dinput.length, CpuBackend.ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                dinput[i] = (input[i] - target[i]) * scale;
            }
        });
    }
}
