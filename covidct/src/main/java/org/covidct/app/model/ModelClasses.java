package org.covidct.app.model;

import java.util.List;
import java.util.Locale;
import org.covidct.app.data.PositiveClassException;
import org.covidct.app.metrics.ClassNames;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.io.ModelMetadata;

/**
 * Which class of a data set a trained model's positive class is, so that a model can be scored on a
 * collection it never saw.
 *
 * <p>The rule: the data set's two classes match the model's by name, compared ignoring case and the
 * characters {@code _ - .} and space, COVID-CT's folder names CT_NonCOVID and CT_COVID standing for
 * the NonCOVID and COVID its models record ({@code non-covid} and {@code covid} match too). Where they
 * do not match, {@code --positive-class} must name the data class that is the model's positive one;
 * where they match, it may only repeat what the names say.
 */
public final class ModelClasses {
    private ModelClasses() {
    }

    /**
     * The class of {@code data} (two classes) that is the model's positive class.
     *
     * @param model what the weights record: two classes, the second positive
     * @param positiveClass the data class {@code --positive-class} names, or null
     * @throws PositiveClassException when the names do not match and no class is named, when the named
     *     class is none of the data's, or when it contradicts the names
     */
    public static String positiveInData(ModelMetadata model, LabelledDataset data, String positiveClass)
            throws PositiveClassException {
        List<String> classes = data.classes();
        String modelPositive = model.positiveClass();
        String matched = matchByName(model, classes);
        if (positiveClass != null && !classes.contains(positiveClass)) {
            throw new PositiveClassException("--positive-class " + positiveClass + " is neither of the classes of "
                    + data.source() + ", '" + classes.get(0) + "' and '" + classes.get(1) + "'");
        }
        if (matched != null) {
            if (positiveClass != null && !positiveClass.equals(matched)) {
                throw new PositiveClassException("--positive-class " + positiveClass + " contradicts the class names: "
                        + "the model's positive class " + modelPositive + " is " + data.source() + "'s '" + matched
                        + "'");
            }
            return matched;
        }
        if (positiveClass == null) {
            throw new PositiveClassException("the model's classes are " + String.join(" and ", model.classNames())
                    + " (positive " + modelPositive + ") and those of " + data.source() + " are '" + classes.get(0)
                    + "' and '" + classes.get(1) + "': name the one that is the model's " + modelPositive
                    + " with --positive-class NAME");
        }
        return positiveClass;
    }

    /** The data class whose name matches the model's positive class, when both names match; else null. */
    private static String matchByName(ModelMetadata model, List<String> dataClasses) {
        int positive = model.classNames().indexOf(model.positiveClass());
        String modelPositive = key(model.classNames().get(positive));
        String modelNegative = key(model.classNames().get(1 - positive));
        String d0 = key(covidCtAlias(dataClasses.get(0))), d1 = key(covidCtAlias(dataClasses.get(1)));
        if (d0.equals(modelNegative) && d1.equals(modelPositive)) {
            return dataClasses.get(1);
        }
        if (d0.equals(modelPositive) && d1.equals(modelNegative)) {
            return dataClasses.get(0);
        }
        return null;
    }

    /** NonCOVID and COVID for COVID-CT's folder names CT_NonCOVID and CT_COVID; any other name as it is. */
    private static String covidCtAlias(String name) {
        int label = ClassNames.COVID_CT.list().indexOf(name);
        return label < 0 ? name : ClassifierModels.CLASS_NAMES.get(label);
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[_\\-. ]", "");
    }
}
