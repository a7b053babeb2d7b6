package org.covidct.app.gradcam;

/**
 * OpenCV's COLORMAP_JET as a 256-entry table: for x = v / 255, blue = clamp(min(4x + 0.5, 2.5 - 4x)),
 * green = clamp(min(4x - 0.5, 3.5 - 4x)), red = clamp(min(4x - 1.5, 4.5 - 4x)), times 255 and
 * rounded half to even. OpenCV computes the same in float32 from a stored table, which differs by
 * one level at a single entry (blue of 159).
 */
public final class JetColorMap {
    private static final int[] RGB = new int[256];

    static {
        for (int v = 0; v < 256; v++) {
            RGB[v] = channel(v, -765, 2295) << 16 | channel(v, -255, 1785) << 8 | channel(v, 255, 1275);
        }
    }

    private JetColorMap() {
    }

    /** The colour of level {@code v} (0 to 255) as 0xRRGGBB. */
    public static int rgb(int v) {
        return RGB[v];
    }

    /** Twice the channel times 255 is min(8v + rise, fall - 8v), in integers, clamped to [0, 510]. */
    private static int channel(int v, int rise, int fall) {
        int twice = Math.max(0, Math.min(510, Math.min(8 * v + rise, fall - 8 * v)));
        return (int) Math.rint(twice / 2.0);
    }
}
