package org.covidct.app.gradcam;

import org.covidct.nn.data.image.RgbImage;

/**
 * pytorch-grad-cam's show_cam_on_image(img, mask, use_rgb=True): the map becomes 8-bit levels
 * (truncated), coloured with {@link JetColorMap}, blended 50/50 with the image, divided by the
 * largest value of the blend and truncated back to 8 bits. Arithmetic is float32, as NumPy's.
 */
public final class CamOverlay {
    private CamOverlay() {
    }

    /** {@code map} holds one value in [0, 1] per pixel of {@code image}, row by row. */
    public static RgbImage overlay(RgbImage image, float[] map) {
        int pixels = image.width() * image.height();
        if (map.length != pixels) {
            throw new IllegalArgumentException("overlay: " + map.length + " map values for a " + image.width() + "x"
                    + image.height() + " image");
        }
        byte[] src = image.pixels();
        float[] blend = new float[3 * pixels];
        float max = 0f;
        for (int p = 0; p < pixels; p++) {
            int level = Math.max(0, Math.min(255, (int) (255f * map[p])));
            int heat = JetColorMap.rgb(level);
            for (int c = 0; c < 3; c++) {
                float h = (heat >> (16 - 8 * c) & 0xFF) / 255f;
                float v = 0.5f * h + 0.5f * ((src[3 * p + c] & 0xFF) / 255f);
                blend[3 * p + c] = v;
                max = Math.max(max, v);
            }
        }
        byte[] out = new byte[3 * pixels];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (int) (255f * (blend[i] / max));
        }
        return new RgbImage(image.width(), image.height(), out);
    }
}
