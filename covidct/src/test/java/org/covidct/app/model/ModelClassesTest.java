package org.covidct.app.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.covidct.app.data.PositiveClassException;
import org.covidct.app.metrics.ClassNames;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.image.Normalize;
import org.covidct.nn.io.ModelMetadata;
import org.junit.jupiter.api.Test;

/** A data set's classes are matched to a model's by name, or by --positive-class where the names differ. */
class ModelClassesTest {
    private static final Path DATA = Path.of("/data/set");
    private static final ModelMetadata COVID = ClassifierModels.describe("vgg11_bn", 32, Normalize.TUTORIAL);
    private static final ModelMetadata PNEUMONIA = ClassifierModels.describe("vgg11_bn", 32, Normalize.TUTORIAL,
            List.of("normal", "pneumonia"));

    private static LabelledDataset data(String... classes) throws DatasetException {
        List<LabelledFile> files = new ArrayList<>();
        for (int c = 0; c < classes.length; c++) {
            files.add(new LabelledFile(DATA.resolve(c + ".png"), c, null, null));
        }
        return LabelledDataset.of(DATA, List.of(classes), files, List.of());
    }

    private static String positive(ModelMetadata model, String given, String... classes) throws Exception {
        return ModelClasses.positiveInData(model, data(classes), given);
    }

    @Test
    void namesMatchIgnoringCaseAndSeparatorsWithCovidCtsFolders() throws Exception {
        assertEquals("CT_COVID", positive(COVID, null, "CT_NonCOVID", "CT_COVID"));
        assertEquals("CT_COVID", positive(COVID, null, "CT_COVID", "CT_NonCOVID"));
        assertEquals("covid", positive(COVID, null, "covid", "non-covid"));
        assertEquals("COVID", positive(COVID, null, "COVID", "NonCOVID"));
        assertEquals("Pneumonia", positive(PNEUMONIA, null, "Normal", "Pneumonia"));
        assertEquals("covid", positive(COVID, "covid", "covid", "non_covid"), "--positive-class may repeat the match");
    }

    @Test
    void otherNamesNeedThePositiveClassNamed() throws Exception {
        PositiveClassException open = assertThrows(PositiveClassException.class,
                () -> positive(COVID, null, "normal", "pneumonia"));
        assertEquals("the model's classes are NonCOVID and COVID (positive COVID) and those of " + DATA + " are "
                + "'normal' and 'pneumonia': name the one that is the model's COVID with --positive-class NAME",
                open.getMessage());
        assertEquals("pneumonia", positive(COVID, "pneumonia", "normal", "pneumonia"));
        assertEquals("CT_COVID", positive(PNEUMONIA, "CT_COVID", "CT_NonCOVID", "CT_COVID"),
                "a COVID model's folder names are no pneumonia model's");

        PositiveClassException wrong = assertThrows(PositiveClassException.class,
                () -> positive(COVID, "Pneumonia", "normal", "pneumonia"));
        assertEquals("--positive-class Pneumonia is neither of the classes of " + DATA + ", 'normal' and 'pneumonia'",
                wrong.getMessage());
        PositiveClassException contradicts = assertThrows(PositiveClassException.class,
                () -> positive(COVID, "CT_NonCOVID", "CT_NonCOVID", "CT_COVID"));
        assertEquals("--positive-class CT_NonCOVID contradicts the class names: the model's positive class COVID is "
                + DATA + "'s 'CT_COVID'", contradicts.getMessage());
    }

    @Test
    void aCheckpointRecordsCovidCtsClassesAsItAlwaysHas() {
        assertEquals(List.of("NonCOVID", "COVID"), ClassifierModels.classNames(ClassNames.COVID_CT));
        assertEquals(List.of("normal", "pneumonia"), ClassifierModels.classNames(new ClassNames("normal", "pneumonia")));
        assertEquals("pneumonia", PNEUMONIA.positiveClass());
    }
}
