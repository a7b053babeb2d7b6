package org.covidct.app.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** A titled grid of equally sized tiles, each with a caption line under it, as the tutorial's galleries. */
public final class GalleryImage {
    private static final int COLUMNS = 5;
    private static final int GAP = 8;
    private static final int TITLE = 36;
    private static final int CAPTION = 20;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private GalleryImage() {
    }

    /** {@code tiles} share one size; {@code captions} has one line per tile. */
    public static BufferedImage draw(String title, List<BufferedImage> tiles, List<String> captions) {
        int side = tiles.isEmpty() ? 64 : Math.max(tiles.get(0).getWidth(), 96);
        int cols = Math.max(1, Math.min(COLUMNS, tiles.size()));
        int rows = Math.max(1, (tiles.size() + COLUMNS - 1) / COLUMNS);
        int width = GAP + cols * (side + GAP);
        int height = TITLE + rows * (side + CAPTION + GAP) + GAP;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(fit(g, title, width - 2 * GAP), GAP, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i < tiles.size(); i++) {
            int x = GAP + (i % COLUMNS) * (side + GAP);
            int y = TITLE + (i / COLUMNS) * (side + CAPTION + GAP);
            g.drawImage(tiles.get(i), x, y, side, side, null);
            g.drawString(fit(g, captions.get(i), side), x, y + side + 14);
        }
        g.dispose();
        return img;
    }

    /** The text, cut with an ellipsis to fit {@code width} pixels. */
    private static String fit(Graphics2D g, String text, int width) {
        FontMetrics fm = g.getFontMetrics();
        if (fm.stringWidth(text) <= width) {
            return text;
        }
        String s = text;
        while (!s.isEmpty() && fm.stringWidth(s + "…") > width) {
            s = s.substring(0, s.length() - 1);
        }
        return s + "…";
    }
}
