package org.covidct.app.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.covidct.app.io.AtomicOutput;
import org.covidct.app.metrics.MetricsReport;
import org.covidct.app.metrics.Prediction;
import org.covidct.app.metrics.RocAuc;
import org.covidct.app.metrics.TestReport;
import org.covidct.app.metrics.TestReportOptions;
import org.covidct.app.report.Plots;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.data.DataLoader;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.Split;
import org.covidct.nn.data.image.ImageDecodeException;
import org.covidct.nn.data.image.ImageDecoder;
import org.covidct.nn.data.image.RgbImage;
import org.covidct.nn.data.image.Transforms;
import org.covidct.nn.io.ConsoleProgress;
import org.covidct.tensor.Device;

/**
 * The end of a run: the best checkpoint evaluated on the validation and test splits, their score
 * CSVs, the test metrics, and the plots (ROC, confusion matrix, misclassified scores, training
 * curves, sample montage).
 */
final class RunReport {
    private static final int MONTAGE_PER_CLASS = 8;

    private RunReport() {
    }

    static Trainer.RunResult finish(TrainConfig config, RunDirectory run, RunData data, Trainer.ModelFactory models,
                                    Device device, PrintStream log, Trainer.StepListener steps) throws IOException {
        Evaluation val;
        Evaluation test;
        TrainConfig best = config.withWeights(run.bestCheckpoint().toString());
        try (Module model = Sequential.fuseForInference(models.create(best, new Generator(config.seed())));
             DataLoader valData = evalLoader(config, data.samples(Split.VAL), device);
             DataLoader testData = evalLoader(config, data.samples(Split.TEST), device)) {
            model.to(device);
            boolean flip = config.recipe().testTimeFlip();
            val = Evaluation.run(model, valData, null, data.classes(), flip);
            test = Evaluation.run(model, testData, new ConsoleProgress().begin("test", testData.numBatches()),
                    data.classes(), flip);
        }
        steps.before(RunStep.SCORES, config.epochs());
        ScoresCsv.write(run.valScores(), val.paths(), val.predictions());
        ScoresCsv.write(run.testScores(), test.paths(), test.predictions());
        // Intervals, calibration and the threshold chosen on validation: for the test entry only.
        TestReport report = TestReport.compute(test.metrics(), test.predictions(), val.predictions(),
                TestReportOptions.defaults(config.seed()));
        ObjectNode summary = Trainer.JSON.createObjectNode();
        summary.set("val", val.metrics().toJsonTree());
        summary.set("test", report.toJsonTree());
        steps.before(RunStep.TEST_METRICS, config.epochs());
        AtomicOutput.text(run.testMetrics(), Trainer.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
        log.print(report.formatTable());
        steps.before(RunStep.PLOTS, config.epochs());
        plots(run, test, data);
        return new Trainer.RunResult(run.root(), test);
    }

    private static DataLoader evalLoader(TrainConfig config, List<Sample> samples, Device device) {
        return DataLoader.builder(samples, Transforms.eval(config.imageSize(), Trainer.NORMALIZE))
                .batchSize(config.batchSize())
                .shuffle(false).seed(config.seed()).workers(config.workers()).skipUnreadable(true).device(device)
                .build();
    }

    private static void plots(RunDirectory run, Evaluation test, RunData data) throws IOException {
        List<String> classNames = data.modelClassNames();
        MetricsReport m = test.metrics();
        if (m.rocAuc() instanceof RocAuc.Defined d) {
            Plots.rocCurve(d.roc().fpr(), d.roc().tpr(), m.rocAuc().format(3), run.plots().resolve("roc_curve.png"));
        }
        var cm = m.confusionMatrix();
        Plots.confusionMatrix(new long[][] {{cm.tn(), cm.fp()}, {cm.fn(), cm.tp()}}, classNames,
                run.plots().resolve("confusion_matrix.png"));
        List<Double> fp = new ArrayList<>();
        List<Double> fn = new ArrayList<>();
        for (Prediction p : test.predictions()) {
            if (!p.correct()) {
                (p.target() == Prediction.COVID ? fn : fp).add(p.score());
            }
        }
        Plots.misclassifiedHistogram(toArray(fp), toArray(fn), classNames.get(Prediction.COVID),
                run.plots().resolve("misclassified_scores.png"));

        JsonNode epochs = Trainer.JSON.readTree(Files.readString(run.metrics())).get("epochs");
        int n = epochs.size();
        double[] trainLoss = new double[n], valLoss = new double[n], trainAcc = new double[n], valAcc = new double[n];
        for (int i = 0; i < n; i++) {
            JsonNode e = epochs.get(i);
            trainLoss[i] = e.get("train_loss").asDouble();
            valLoss[i] = e.get("val").get("loss").asDouble();
            trainAcc[i] = 100 * e.get("train_accuracy").asDouble();
            valAcc[i] = 100 * e.get("val").get("accuracy").asDouble();
        }
        Plots.curves("Losses", "Cross-entropy loss", List.of("Train loss", "Validation_loss"),
                List.of(trainLoss, valLoss), run.plots().resolve("losses.png"));
        Plots.curves("Accuracies", "Accuracy (%)", List.of("Train Accuracy", "Valid Accuracy"),
                List.of(trainAcc, valAcc), run.plots().resolve("accuracies.png"));

        List<List<BufferedImage>> rows = new ArrayList<>();
        for (int label : List.of(Prediction.NON_COVID, Prediction.COVID)) {
            List<BufferedImage> row = new ArrayList<>();
            for (Sample s : data.samples(Split.TRAIN)) {
                if (s.label() == label && row.size() < MONTAGE_PER_CLASS) {
                    try {
                        row.add(toBufferedImage(ImageDecoder.decodeRgb(s.path())));
                    } catch (ImageDecodeException e) {
                        // reported when training skipped it
                    }
                }
            }
            rows.add(row);
        }
        Plots.montage(classNames, rows, 128, run.plots().resolve("samples.png"));
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static BufferedImage toBufferedImage(RgbImage img) {
        BufferedImage out = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
        byte[] p = img.pixels();
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int i = 3 * (y * img.width() + x);
                out.setRGB(x, y, (p[i] & 0xff) << 16 | (p[i + 1] & 0xff) << 8 | (p[i + 2] & 0xff));
            }
        }
        return out;
    }
}
