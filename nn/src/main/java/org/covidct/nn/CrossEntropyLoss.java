package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/**
 * nn.CrossEntropyLoss with mean reduction: logits [N, classes] against class indices, with
 * torch's optional label smoothing.
 */
public final class CrossEntropyLoss {
    private final float labelSmoothing;

    /** A mean cross-entropy loss. */
    public CrossEntropyLoss() {
        this(0f);
    }

    /**
     * A mean cross-entropy loss against targets smoothed as torch's {@code label_smoothing}: each
     * row's target is {@code 1 - labelSmoothing} on its class plus {@code labelSmoothing / classes}
     * on every class.
     *
     * @throws IllegalArgumentException unless {@code 0 <= labelSmoothing <= 1}
     */
    public CrossEntropyLoss(float labelSmoothing) {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing " + labelSmoothing
                    + " must be in [0, 1]");
        }
        this.labelSmoothing = labelSmoothing;
    }

    public float labelSmoothing() {
        return labelSmoothing;
    }

    public Variable forward(Variable logits, int[] targets) {
        return Functional.crossEntropy(logits, targets, labelSmoothing);
    }
}
