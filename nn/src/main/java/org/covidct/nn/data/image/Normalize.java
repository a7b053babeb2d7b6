package org.covidct.nn.data.image;

import java.util.Arrays;

/**
 * torchvision's {@code ToTensor} followed by {@code Normalize(mean, std)}: an RGB byte {@code v} of
 * channel {@code c} becomes {@code (v / 255f - mean[c]) / std[c]}, computed in float32 as torchvision
 * does. The tutorial uses mean 0 and std 1, which leaves {@code v / 255f}.
 */
public record Normalize(float[] mean, float[] std) {
    /** The tutorial's {@code Normalize(mean=[0,0,0], std=[1,1,1])}. */
    public static final Normalize TUTORIAL = new Normalize(new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f});

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

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /**
     * Writes {@code image} (which must be {@code size x size}) as a normalised CHW tensor to
     * {@code out} from {@code offset}, mirrored left to right when {@code flip} is set.
     */
    public void toTensor(RgbImage image, boolean flip, float[] out, int offset) {
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
                    int sx = flip ? w - 1 - x : x;
                    float v = (px[(row + sx) * 3 + c] & 0xFF) / 255f;
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
