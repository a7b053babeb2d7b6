package org.covidct.app.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * What the tutorial's {@code compute_metrics} returns: accuracy, sensitivity (recall of the
 * positive class, COVID), specificity (recall of the negative class, NonCOVID), ROC AUC, the
 * confusion matrix, the classification report (which names the classes) and the mean loss, which
 * the caller computes (the tutorial averages the per-batch losses).
 */
public record MetricsReport(
        double accuracy,
        double sensitivity,
        double specificity,
        RocAuc rocAuc,
        ConfusionMatrix confusionMatrix,
        ClassificationReport classificationReport,
        double loss) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String RULE = "------------------------------------------------------------------------------";

    /** The metrics of {@code predictions}, naming the classes as COVID-CT does. */
    public static MetricsReport compute(List<Prediction> predictions, double meanLoss) {
        return compute(predictions, meanLoss, ClassNames.COVID_CT);
    }

    /** The metrics of {@code predictions}, naming the classes {@code names}. */
    public static MetricsReport compute(List<Prediction> predictions, double meanLoss, ClassNames names) {
        if (predictions.isEmpty()) {
            throw new IllegalArgumentException("no predictions");
        }
        int n = predictions.size();
        int[] targets = new int[n];
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            targets[i] = predictions.get(i).target();
            scores[i] = predictions.get(i).score();
        }
        ConfusionMatrix cm = ConfusionMatrix.of(predictions);
        ClassificationReport report = ClassificationReport.of(cm, names);
        return new MetricsReport(report.accuracy(), report.sensitivity(), report.specificity(),
                RocAuc.of(targets, scores), cm, report, meanLoss);
    }

    public long sampleCount() {
        return confusionMatrix.total();
    }

    /**
     * JSON with sklearn's names: accuracy, sensitivity, specificity, roc_auc (null when undefined,
     * with roc_auc_undefined_reason), confusion_matrix [[TN, FP], [FN, TP]], loss,
     * classification_report (its output_dict form) and roc_curve (fpr, tpr, thresholds; null when
     * undefined).
     */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toJsonTree());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ObjectNode toJsonTree() {
        ObjectNode root = JSON.createObjectNode();
        root.put("num_samples", sampleCount());
        root.put("accuracy", accuracy);
        root.put("sensitivity", sensitivity);
        root.put("specificity", specificity);
        switch (rocAuc) {
            case RocAuc.Defined d -> root.put("roc_auc", d.auc());
            case RocAuc.Undefined u -> {
                root.putNull("roc_auc");
                root.put("roc_auc_undefined_reason", u.reason());
            }
        }
        ArrayNode cm = root.putArray("confusion_matrix");
        for (long[] row : confusionMatrix.toArray()) {
            ArrayNode r = cm.addArray();
            for (long v : row) {
                r.add(v);
            }
        }
        root.put("loss", loss);
        root.set("classification_report", JSON.valueToTree(classificationReport.toMap()));
        switch (rocAuc) {
            case RocAuc.Defined d -> {
                ObjectNode curve = root.putObject("roc_curve");
                putArray(curve, "fpr", d.roc().fpr());
                putArray(curve, "tpr", d.roc().tpr());
                putArray(curve, "thresholds", d.roc().thresholds());
            }
            case RocAuc.Undefined u -> root.putNull("roc_curve");
        }
        return root;
    }

    private static void putArray(ObjectNode node, String name, double[] values) {
        ArrayNode a = node.putArray(name);
        for (double v : values) {
            a.add(v);
        }
    }

    /**
     * The tutorial's test printout ("Test Performance": accuracy, sensitivity, specificity, area
     * under ROC to three places), then the loss, the confusion matrix as numpy prints it and
     * sklearn's text classification report.
     */
    public String formatTable() {
        return block("------------------- Test Performance --------------------------------------", "")
                + "Loss \t " + PythonFormat.repr(loss) + "\n\n"
                + confusionMatrixHeading(classificationReport.names()) + "\n"
                + confusionMatrix.format() + "\n\n"
                + classificationReport.formatText();
    }

    /** The line above a printed confusion matrix, naming its rows and columns. */
    static String confusionMatrixHeading(ClassNames names) {
        return "Confusion Matrix (rows: true, columns: predicted; " + names.negative() + ", " + names.positive() + ")";
    }

    /** The training loop's per-epoch printout of the validation metrics, as the tutorial prints it. */
    public String formatEpochTable(int epoch, int iteration) {
        String head = "------------------ Epoch " + epoch + " Iteration " + iteration
                + "--------------------------------------";
        return block(head, "Val Loss \t " + PythonFormat.repr(loss) + "\n");
    }

    private String block(String head, String extraLine) {
        return head + "\n"
                + "Accuracy \t " + PythonFormat.fixed(accuracy, 3) + "\n"
                + "Sensitivity \t " + PythonFormat.fixed(sensitivity, 3) + "\n"
                + "Specificity \t " + PythonFormat.fixed(specificity, 3) + "\n"
                + "Area Under ROC \t " + rocAuc.format(3) + "\n"
                + extraLine
                + RULE + "\n";
    }
}
