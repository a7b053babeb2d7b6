package org.covidct.nn.io.tflite;

/**
 * A tensor's affine quantization, real = scale * (q - zero_point): one (scale, zero point) for the
 * whole tensor, or one per index of dimension {@code axis} (per-channel). An empty zero-point list
 * means zeros.
 */
public record Quantization(float[] scales, long[] zeroPoints, int axis) {
    /** A copy: tensors that refer to the same vector in the file share one array. */
    @Override
    public float[] scales() {
        return scales.clone();
    }

    /** A copy, as {@link #scales()} is. */
    @Override
    public long[] zeroPoints() {
        return zeroPoints.clone();
    }

    public boolean perChannel() {
        return scales.length > 1;
    }

    public float scale(int i) {
        return scales[i];
    }

    public long zeroPoint(int i) {
        return zeroPoints.length == 0 ? 0 : zeroPoints[i];
    }

    /** Why this quantization cannot apply to a tensor of {@code shape}, or null when it can. */
    String problemWith(int[] shape) {
        if (zeroPoints.length != 0 && zeroPoints.length != scales.length) {
            return scales.length + " scales but " + zeroPoints.length + " zero points";
        }
        for (float s : scales) {
            if (!Float.isFinite(s)) {
                return "a scale of " + s;
            }
        }
        if (perChannel() && (axis < 0 || axis >= shape.length || shape[axis] != scales.length)) {
            return scales.length + " per-channel scales along dimension " + axis + " of shape "
                    + TfliteTensor.shapeText(shape);
        }
        return null;
    }
}
