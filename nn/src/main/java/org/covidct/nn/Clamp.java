package org.covidct.nn;

/**
 * The bounds of a clamping activation, which a {@link Conv2d} can apply to each output as it makes
 * it in inference: ReLU is max(x, 0), the same bits as clamping to [0, infinity], and ReLU6 clamps
 * to [0, 6].
 */
record Clamp(float min, float max) {
    private static final Clamp RELU = new Clamp(0f, Float.POSITIVE_INFINITY);
    private static final Clamp RELU6 = new Clamp(0f, 6f);

    /** The bounds {@code layer} clamps to, or null where it is not a clamping activation or a hook watches it. */
    static Clamp of(Module layer) {
        if (layer.hasForwardHooks()) {
            return null;
        }
        if (layer instanceof ReLU) {
            return RELU;
        }
        return layer instanceof ReLU6 ? RELU6 : null;
    }
}
