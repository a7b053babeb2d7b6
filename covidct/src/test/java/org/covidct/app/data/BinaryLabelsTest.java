package org.covidct.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.covidct.app.TinyCollections;
import org.covidct.app.metrics.ClassNames;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.layout.ImageFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A two-class data set in the classifier's labels: its positive class is 1, chosen by name or by --positive-class. */
class BinaryLabelsTest {
    @TempDir
    Path dir;

    private LabelledDataset tree(Map<String, Integer> classes) throws IOException {
        return ImageFolder.read(TinyCollections.imageFolder(dir.resolve("tree"), classes, "", 8, 3));
    }

    @Test
    void thePositiveClassBecomesLabelOneAndEveryFileFollows() throws IOException {
        LabelledDataset read = tree(Map.of("covid", 3, "non-covid", 4));
        assertEquals(List.of("covid", "non-covid"), read.classes(), "torchvision's order puts covid first");
        LabelledDataset binary = BinaryLabels.relabel(read, null);
        assertEquals(new ClassNames("non-covid", "covid"), BinaryLabels.names(binary));
        assertEquals("covid", binary.positiveClass().orElseThrow());
        assertEquals(read.files().size(), binary.files().size());
        for (int i = 0; i < read.files().size(); i++) {
            LabelledFile before = read.files().get(i), after = binary.files().get(i);
            assertEquals(before.path(), after.path(), "the order stays");
            String folder = dir.resolve("tree").relativize(after.path()).getName(0).toString();
            assertEquals(folder.equals("covid") ? 1 : 0, after.label(), after.path().toString());
        }
        assertEquals(read.indexFiles(), binary.indexFiles());

        LabelledDataset named = BinaryLabels.relabel(read, "non-covid");
        assertEquals(new ClassNames("covid", "non-covid"), BinaryLabels.names(named));
        assertEquals(read.files(), named.files(), "already in the classifier's labels");
    }

    @Test
    void namesThatLeaveItOpenNeedThePositiveClassNamed() throws IOException {
        LabelledDataset read = tree(Map.of("normal", 2, "pneumonia", 2));
        Path root = dir.resolve("tree");
        PositiveClassException open = assertThrows(PositiveClassException.class, () -> BinaryLabels.relabel(read, null));
        assertEquals(root + ": the class names 'normal' and 'pneumonia' do not say which one is positive; name it "
                + "with --positive-class NAME", open.getMessage());
        PositiveClassException wrong = assertThrows(PositiveClassException.class,
                () -> BinaryLabels.relabel(read, "Pneumonia"));
        assertEquals("--positive-class Pneumonia: " + root + ": the positive class 'Pneumonia' is neither of its "
                + "classes, 'normal' and 'pneumonia'", wrong.getMessage());
        assertEquals(new ClassNames("normal", "pneumonia"), BinaryLabels.names(BinaryLabels.relabel(read, "pneumonia")));
    }

    @Test
    void theClassifierTellsTwoClassesApartOnly() throws IOException {
        LabelledDataset three = tree(Map.of("covid", 2, "normal", 2, "pneumonia", 2));
        DatasetException e = assertThrows(DatasetException.class, () -> BinaryLabels.relabel(three, "covid"));
        assertEquals(dir.resolve("tree") + " holds 3 classes (covid, normal, pneumonia); the classifier tells two "
                + "classes apart", e.getMessage());
    }
}
