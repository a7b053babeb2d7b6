package org.covidct.nn.data.image;

import java.util.Arrays;

/**
 * torchvision's {@code ToTensor} followed by {@code Normalize(mean, std)}: an RGB byte {@code v} of
 * channel {@code c} becomes {@code (v / 255f - mean[c]) / std[c]}, computed in float32 as torchvision
 * does.
 *
 * @param mean the mean of each of the three channels, subtracted
 * @param std the standard deviation of each of the three channels, divided by; finite and non-zero
 */
public record Normalize(float[] mean, float[] std) {
    /**
     * {@code Normalize(mean=[0,0,0], std=[1,1,1])}, which leaves {@code ToTensor}'s {@code v / 255f}:
     * the COVID-CT tutorial's choice.
     */
    public static final Normalize TUTORIAL = new Normalize(new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f});

    /** Checks and copies the arrays. */
    public Normalize {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("Normalize: need 3 means and 3 stds, got "
                    + mean.length + " and " + std.length);
        }
        for (float s : std) {
            if (!(s != 0f) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("Normalize: std must be finite and non-zero, got "
                        + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** A copy of the means. */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the standard deviations. */
    @Override
    public float[] std() {
        return std.clone();
    }

    /**
     * Writes {@code image} as a normalised channel-major (CHW) tensor, {@code 3 * width * height}
     * floats, to {@code out} from {@code offset}.
     */
    public void toTensor(RgbImage image, float[] out, int offset) {
        int w = image.width();
        int h = image.height();
        int plane = w * h;
        byte[] px = image.pixels();
        for (int c = 0; c < 3; c++) {
            float m = mean[c];
            float s = std[c];
            int base = offset + c * plane;
            for (int y = 0; y < h; y++) {
                int row = y * w;
                for (int x = 0; x < w; x++) {
                    float v = (px[(row + x) * 3 + c] & 0xFF) / 255f;
                    out[base + row + x] = (v - m) / s;
                }
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalize n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalize[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
