package org.covidct.app.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.covidct.app.io.AtomicOutput;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The run's PNG plots: the ROC curve, the confusion matrix, the scores of misclassified images,
 * the reliability diagram, the training curves and a montage of sample images. Charts use
 * JFreeChart; the two grids are drawn directly, since they are images rather than charts. Every
 * file is written atomically.
 */
public final class Plots {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** The ROC curve with the AUC in its legend, and the chance diagonal. */
    public static void rocCurve(double[] fpr, double[] tpr, String aucLabel, Path out) throws IOException {
        XYSeries curve = new XYSeries("ROC (AUC " + aucLabel + ")", false, true);
        for (int i = 0; i < fpr.length; i++) {
            curve.add(fpr[i], tpr[i]);
        }
        XYSeries chance = new XYSeries("chance", false, true);
        chance.add(0, 0);
        chance.add(1, 1);
        XYSeriesCollection data = new XYSeriesCollection(curve);
        data.addSeries(chance);
        JFreeChart chart = ChartFactory.createXYLineChart("ROC curve", "False positive rate", "True positive rate",
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.getDomainAxis().setRange(0, 1);
        plot.getRangeAxis().setRange(0, 1.02);
        plot.getRenderer().setSeriesPaint(1, Color.GRAY);
        plot.getRenderer().setSeriesStroke(1, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 6f}, 0f));
        save(chart, out);
    }

    /**
     * A reliability diagram: for each series (the raw scores, say, and the temperature-scaled ones),
     * each non-empty bin's observed frequency of the positive class {@code positive} (COVID) against
     * its mean predicted probability, beside the diagonal of perfect calibration.
     */
    public static void reliabilityDiagram(List<String> names, List<double[]> meanConfidence,
                                          List<double[]> observedFrequency, String positive, Path out)
            throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (int s = 0; s < names.size(); s++) {
            XYSeries xy = new XYSeries(names.get(s), false, true);
            double[] x = meanConfidence.get(s), y = observedFrequency.get(s);
            if (x.length != y.length) {
                throw new IllegalArgumentException("reliability diagram " + names.get(s) + ": " + x.length
                        + " confidences but " + y.length + " frequencies");
            }
            for (int i = 0; i < x.length; i++) {
                xy.add(x[i], y[i]);
            }
            data.addSeries(xy);
        }
        XYSeries diagonal = new XYSeries("perfectly calibrated", false, true);
        diagonal.add(0, 0);
        diagonal.add(1, 1);
        data.addSeries(diagonal);
        JFreeChart chart = ChartFactory.createXYLineChart("Reliability diagram",
                "Mean predicted probability of " + positive, "Observed frequency of " + positive, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        plot.getDomainAxis().setRange(0, 1);
        plot.getRangeAxis().setRange(0, 1.02);
        int last = names.size();
        plot.getRenderer().setSeriesPaint(last, Color.GRAY);
        ((XYLineAndShapeRenderer) plot.getRenderer()).setSeriesShapesVisible(last, false);
        plot.getRenderer().setSeriesStroke(last, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 6f}, 0f));
        save(chart, out);
    }

    /** Line charts of per-epoch values, one series per entry, sharing the epoch axis. */
    public static void curves(String title, String yLabel, List<String> names, List<double[]> series, Path out)
            throws IOException {
        JFreeChart chart = ChartFactory.createXYLineChart(title, "Epoch", yLabel, epochSeries(names, series),
                PlotOrientation.VERTICAL, true, false, false);
        chart.getXYPlot().setRenderer(new XYLineAndShapeRenderer(true, true));
        ((NumberAxis) chart.getXYPlot().getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        save(chart, out);
    }

    /** Each series' values at epochs 1, 2, ..., counted from 1 as the training log counts them. */
    static XYSeriesCollection epochSeries(List<String> names, List<double[]> series) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (int s = 0; s < names.size(); s++) {
            XYSeries xy = new XYSeries(names.get(s));
            double[] v = series.get(s);
            for (int i = 0; i < v.length; i++) {
                xy.add(i + 1, v[i]);
            }
            data.addSeries(xy);
        }
        return data;
    }

    /**
     * A histogram of the probabilities of the positive class {@code positive} (COVID) of misclassified
     * images, with the 0.5 boundary in mind.
     */
    public static void misclassifiedHistogram(double[] falsePositiveScores, double[] falseNegativeScores,
                                              String positive, Path out) throws IOException {
        HistogramDataset data = new HistogramDataset();
        if (falsePositiveScores.length > 0) {
            data.addSeries("false positives (" + falsePositiveScores.length + ")", falsePositiveScores, 20, 0, 1);
        }
        if (falseNegativeScores.length > 0) {
            data.addSeries("false negatives (" + falseNegativeScores.length + ")", falseNegativeScores, 20, 0, 1);
        }
        JFreeChart chart = ChartFactory.createHistogram("Scores of misclassified images", positive + " probability",
                "Images", data, PlotOrientation.VERTICAL, true, false, false);
        chart.getXYPlot().getDomainAxis().setRange(0, 1);
        save(chart, out);
    }

    /** A heat map of a confusion matrix (rows: true class, columns: predicted) with its counts. */
    public static void confusionMatrix(long[][] counts, List<String> labels, Path out) throws IOException {
        int n = labels.size();
        int cell = 140, left = 150, top = 70;
        BufferedImage img = canvas(left + n * cell + 40, top + n * cell + 70);
        Graphics2D g = img.createGraphics();
        antialias(g);
        long max = 1;
        for (long[] row : counts) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("Confusion matrix", left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                float shade = counts[r][c] / (float) max;
                g.setColor(new Color(1f - 0.8f * shade, 1f - 0.55f * shade, 1f - 0.2f * shade));
                g.fillRect(left + c * cell, top + r * cell, cell, cell);
                g.setColor(Color.DARK_GRAY);
                g.drawRect(left + c * cell, top + r * cell, cell, cell);
                g.setColor(shade > 0.6f ? Color.WHITE : Color.BLACK);
                centred(g, Long.toString(counts[r][c]), left + c * cell + cell / 2, top + r * cell + cell / 2);
            }
            g.setColor(Color.BLACK);
            centred(g, labels.get(r), left / 2, top + r * cell + cell / 2);
            centred(g, labels.get(r), left + r * cell + cell / 2, top + n * cell + 20);
        }
        centred(g, "predicted", left + n * cell / 2, top + n * cell + 50);
        centred(g, "true", left / 2, top - 15);
        g.dispose();
        write(img, out);
    }

    /** Rows of thumbnails, one row per class, each row headed by its label. */
    public static void montage(List<String> rowLabels, List<List<BufferedImage>> rows, int thumb, Path out)
            throws IOException {
        int cols = rows.stream().mapToInt(List::size).max().orElse(0);
        int left = 130;
        BufferedImage img = canvas(left + Math.max(1, cols) * (thumb + 4), rows.size() * (thumb + 4) + 4);
        Graphics2D g = img.createGraphics();
        antialias(g);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        for (int r = 0; r < rows.size(); r++) {
            int y = 4 + r * (thumb + 4);
            g.setColor(Color.BLACK);
            centred(g, rowLabels.get(r), left / 2, y + thumb / 2);
            List<BufferedImage> row = rows.get(r);
            for (int c = 0; c < row.size(); c++) {
                g.drawImage(row.get(c), left + c * (thumb + 4), y, thumb, thumb, null);
            }
        }
        g.dispose();
        write(img, out);
    }

    private static BufferedImage canvas(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    private static void antialias(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    }

    private static void centred(Graphics2D g, String text, int cx, int cy) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(text, cx - fm.stringWidth(text) / 2, cy + (fm.getAscent() - fm.getDescent()) / 2);
    }

    private static void save(JFreeChart chart, Path out) throws IOException {
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getRenderer().setSeriesStroke(0, new BasicStroke(2f));
        write(chart.createBufferedImage(WIDTH, HEIGHT), out);
    }

    private static void write(BufferedImage img, Path out) throws IOException {
        AtomicOutput.png(out, img);
    }
}
