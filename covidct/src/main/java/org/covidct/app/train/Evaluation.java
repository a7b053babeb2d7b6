package org.covidct.app.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.covidct.app.metrics.ClassNames;
import org.covidct.app.metrics.MetricsReport;
import org.covidct.app.metrics.Prediction;
import org.covidct.nn.Module;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.data.Batch;
import org.covidct.nn.data.DataLoader;
import org.covidct.nn.io.ConsoleProgress;
import org.covidct.tensor.Ops;
import org.covidct.tensor.TensorScope;

/**
 * One pass of a model over a data set in eval mode and without a graph: the per-image predictions
 * (argmax of the two logits, ties to the negative class, and the softmax probability of the
 * positive class), the paths, and the metrics, which name the classes. The loss is the mean over
 * images (the tutorial averages batch means instead, which weighs a short last batch more).
 *
 * <p>With test-time flipping each image's logits are the mean of its own and its mirror image's
 * (left to right), and loss, prediction and score come from that mean.
 */
public record Evaluation(List<Path> paths, List<Prediction> predictions, MetricsReport metrics) {

    /**
     * Evaluates {@code model}, reporting each batch to {@code progress} when it is not null; the
     * metrics name the classes {@code names}.
     */
    public static Evaluation run(Module model, DataLoader loader, ConsoleProgress progress, ClassNames names) {
        return run(model, loader, progress, names, false);
    }

    /**
     * {@link #run(Module, DataLoader, ConsoleProgress, ClassNames)}, averaging each image's logits with
     * its mirror image's when {@code testTimeFlip} is set.
     */
    public static Evaluation run(Module model, DataLoader loader, ConsoleProgress progress, ClassNames names,
                                 boolean testTimeFlip) {
        model.eval();
        List<Path> paths = new ArrayList<>();
        List<Prediction> predictions = new ArrayList<>();
        double lossSum = 0;
        int done = 0;
        try (DataLoader.Epoch epoch = loader.epoch(0); GradMode.Guard noGrad = GradMode.noGrad()) {
            while (epoch.hasNext()) {
                try (Batch batch = epoch.next(); TensorScope scope = TensorScope.open()) {
                    done++;
                    if (batch.size() > 0) {
                        lossSum += evaluate(model, batch, predictions, testTimeFlip);
                        paths.addAll(batch.paths());
                    }
                    if (progress != null) {
                        progress.batchesDone(done, predictions.size(), lossSum / Math.max(1, predictions.size()));
                    }
                }
            }
            epoch.skipped().forEach(reason -> System.err.println("warning: skipped an unreadable image: " + reason));
        }
        double meanLoss = predictions.isEmpty() ? Double.NaN : lossSum / predictions.size();
        return new Evaluation(paths, predictions, MetricsReport.compute(predictions, meanLoss, names));
    }

    /** Adds the batch's predictions; returns its summed loss. */
    private static double evaluate(Module model, Batch batch, List<Prediction> predictions, boolean testTimeFlip) {
        Variable logits = model.forward(Variable.constant(batch.images()));
        if (testTimeFlip) {
            Variable mirrored = model.forward(Variable.constant(MirrorImages.leftToRight(batch.images())));
            logits = Variable.constant(Ops.scale(Ops.add(logits.data(), mirrored.data()), 0.5f));
        }
        float loss = Functional.crossEntropy(logits, batch.labels()).item();
        if (!Float.isFinite(loss)) {
            throw new ArithmeticException("evaluation: the model's loss is " + loss + " on the batch starting "
                    + "with " + batch.paths().get(0) + "; its weights have diverged");
        }
        float[] l = logits.data().toArray();
        for (int i = 0; i < batch.size(); i++) {
            predictions.add(Prediction.fromLogits(l[2 * i], l[2 * i + 1], batch.labels()[i]));
        }
        return (double) loss * batch.size();
    }
}
