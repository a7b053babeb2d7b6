package org.covidct.nn.gradcam;

/**
 * Bilinear resizing with half-pixel centres, as cv2.resize(INTER_LINEAR) and
 * torch.nn.functional.interpolate(mode="bilinear", align_corners=False) compute it: output pixel
 * {@code i} samples the source at {@code (i + 0.5) * in / out - 0.5}, clamped to the edge pixels,
 * with no anti-aliasing when shrinking.
 */
public final class CamResize {
    private CamResize() {
    }

    /** {@code src} is {@code h} rows of {@code w} values; the result has {@code outH} rows of {@code outW}. */
    public static float[] bilinear(float[] src, int h, int w, int outH, int outW) {
        if (h < 1 || w < 1 || outH < 1 || outW < 1 || src.length != h * w) {
            throw new IllegalArgumentException("bilinear: " + src.length + " values for " + h + "x" + w
                    + " to " + outH + "x" + outW);
        }
        int[] x0 = new int[outW], x1 = new int[outW];
        float[] fx = new float[outW];
        taps(w, outW, x0, x1, fx);
        int[] y0 = new int[outH], y1 = new int[outH];
        float[] fy = new float[outH];
        taps(h, outH, y0, y1, fy);
        float[] out = new float[outH * outW];
        for (int y = 0; y < outH; y++) {
            int r0 = y0[y] * w, r1 = y1[y] * w;
            float ly = fy[y];
            for (int x = 0; x < outW; x++) {
                float lx = fx[x];
                float top = src[r0 + x0[x]] * (1 - lx) + src[r0 + x1[x]] * lx;
                float bottom = src[r1 + x0[x]] * (1 - lx) + src[r1 + x1[x]] * lx;
                out[y * outW + x] = top * (1 - ly) + bottom * ly;
            }
        }
        return out;
    }

    private static void taps(int in, int out, int[] i0, int[] i1, float[] frac) {
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double s = Math.max(0, (i + 0.5) * scale - 0.5);
            int lo = Math.min((int) s, in - 1);
            i0[i] = lo;
            i1[i] = Math.min(lo + 1, in - 1);
            frac[i] = (float) (s - lo);
        }
    }
}
