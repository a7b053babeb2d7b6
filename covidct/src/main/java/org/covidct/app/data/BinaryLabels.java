package org.covidct.app.data;

import java.util.ArrayList;
import java.util.List;
import org.covidct.app.metrics.ClassNames;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;

/**
 * The classifier's labels for a data set: it tells two classes apart, label 1 being the positive
 * class (whose probability is the score) and 0 the other, whatever order the layout numbers them in.
 */
public final class BinaryLabels {
    private BinaryLabels() {
    }

    /** Refuses a data set of other than two classes, naming it and its classes. */
    public static void requireTwoClasses(LabelledDataset dataset) throws DatasetException {
        if (dataset.classes().size() != 2) {
            throw new DatasetException(dataset.source() + " holds " + dataset.classes().size() + " classes ("
                    + String.join(", ", dataset.classes()) + "); the classifier tells two classes apart");
        }
    }

    /**
     * {@code dataset} relabelled so that its positive class is label 1: the class {@code positiveClass}
     * names, or with null the one its class names make positive (CT_COVID of COVID-CT's CT_NonCOVID
     * and CT_COVID, say). The files keep their order, splits and groups.
     *
     * @throws PositiveClassException when {@code positiveClass} is none of its classes, or is null and
     *     the names leave the positive class open
     * @throws DatasetException when the data set has other than two classes
     */
    public static LabelledDataset relabel(LabelledDataset dataset, String positiveClass)
            throws DatasetException, PositiveClassException {
        requireTwoClasses(dataset);
        LabelledDataset chosen;
        try {
            chosen = dataset.withPositiveClass(positiveClass);
        } catch (DatasetException e) {
            throw new PositiveClassException(positiveClass == null ? e.getMessage() + " with --positive-class NAME"
                    : "--positive-class " + positiveClass + ": " + e.getMessage());
        }
        int positive = chosen.positiveLabel().getAsInt();
        if (positive == 1) {
            return chosen;
        }
        List<String> classes = List.of(dataset.classes().get(1), dataset.classes().get(0));
        List<LabelledFile> files = new ArrayList<>();
        for (LabelledFile f : dataset.files()) {
            files.add(new LabelledFile(f.path(), 1 - f.label(), f.split(), f.group()));
        }
        return LabelledDataset.of(dataset.source(), classes, files, dataset.indexFiles())
                .withPositiveClass(classes.get(1));
    }

    /** The class names of a data set that {@link #relabel} gave. */
    public static ClassNames names(LabelledDataset relabelled) {
        return ClassNames.of(relabelled.classes());
    }
}
