package org.covidct.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class LabelledDatasetTest {
    private static final Path SOURCE = Path.of("data");

    private static LabelledFile file(String name, int label, Split split, String group) {
        return new LabelledFile(Path.of("/images", name), label, split, group);
    }

    private static String error(List<String> classes, List<LabelledFile> files) {
        return assertThrows(DatasetException.class, () -> LabelledDataset.of(SOURCE, classes, files, List.of()))
                .getMessage();
    }

    @Test
    void splitsListTheirSamplesInTheLayoutsOrder() throws DatasetException {
        LabelledDataset data = LabelledDataset.of(SOURCE, List.of("CT_NonCOVID", "CT_COVID"), List.of(
                file("1", 1, Split.TEST, null), file("2", 0, Split.TRAIN, null), file("3", 0, Split.VAL, null),
                file("4", 1, Split.TRAIN, null)), List.of(Path.of("index.txt")));
        assertTrue(data.isSplit());
        assertEquals(List.of(new Sample(Path.of("/images/2"), 0), new Sample(Path.of("/images/4"), 1)),
                data.samples(Split.TRAIN));
        assertEquals(List.of(new Sample(Path.of("/images/1"), 1)), data.samples(Split.TEST));
        assertEquals(List.of(Path.of("index.txt"), Path.of("/images/1"), Path.of("/images/2"), Path.of("/images/3"),
                Path.of("/images/4")), data.dependencies());
        assertEquals(Optional.of("CT_COVID"), data.positiveClass());
        assertEquals(OptionalInt.of(1), data.positiveLabel());
        assertEquals(OptionalInt.of(0), data.withPositiveClass("CT_NonCOVID").positiveLabel());
    }

    @Test
    void samplesNeedEverySplit() throws DatasetException {
        LabelledDataset data = LabelledDataset.of(SOURCE, List.of("a", "b"), List.of(
                file("1", 0, Split.TRAIN, null), file("2", 1, Split.TEST, null)), List.of());
        assertFalse(data.isSplit());
        assertEquals("data: not split into train, val and test yet",
                assertThrows(IllegalStateException.class, () -> data.samples(Split.TRAIN)).getMessage());
        assertEquals(Optional.empty(), data.positiveClass());
        assertEquals("data: the class names 'a' and 'b' do not say which one is positive; name it",
                assertThrows(DatasetException.class, () -> data.withPositiveClass(null)).getMessage());
    }

    @Test
    void badDataSetsAreRefusedInOneLine() {
        assertEquals("data: no images", error(List.of("a", "b"), List.of()));
        assertEquals("data: only one class, 'a'; a classifier needs two or more",
                error(List.of("a"), List.of(file("1", 0, null, null))));
        assertEquals("data: class 'b' has no images",
                error(List.of("a", "b", "c"), List.of(file("1", 0, null, null), file("2", 2, null, null))));
        assertEquals("data: /images/1 is in two classes, 'a' and 'b'",
                error(List.of("a", "b"), List.of(file("1", 0, null, null), file("1", 1, null, null))));
        assertEquals("data: /images/1 is in two splits, train and val",
                error(List.of("a", "b"), List.of(file("1", 0, Split.TRAIN, null), file("2", 1, Split.TEST, null),
                        file("../images/./1", 0, Split.VAL, null))));
        assertEquals("data: /images/1 is listed twice",
                error(List.of("a", "b"), List.of(file("1", 0, null, null), file("2", 1, null, null),
                        file("1", 0, null, null))));
        assertEquals("data: group 'p' is in two splits, train and test",
                error(List.of("a", "b"), List.of(file("1", 0, Split.TRAIN, "p"), file("2", 1, Split.TEST, "p"))));
    }

    @Test
    void programmingErrorsAreIllegalArguments() {
        assertThrows(IllegalArgumentException.class, () -> LabelledDataset.of(SOURCE, List.of("a", "b"),
                List.of(file("1", 2, null, null)), List.of()));
        assertThrows(IllegalArgumentException.class, () -> LabelledDataset.of(SOURCE, List.of("a", "a"),
                List.of(file("1", 0, null, null)), List.of()));
        assertEquals("data: 1 of 2 images have a split; either all or none must",
                assertThrows(IllegalArgumentException.class, () -> LabelledDataset.of(SOURCE, List.of("a", "b"),
                        List.of(file("1", 0, Split.TRAIN, null), file("2", 1, null, null)), List.of())).getMessage());
    }

    @Test
    void withSplitsKeepsGroupsWhole() throws DatasetException {
        LabelledDataset data = LabelledDataset.of(SOURCE, List.of("a", "b"), List.of(
                file("1", 0, null, "p"), file("2", 1, null, "p"), file("3", 1, null, null)), List.of());
        assertEquals(List.of(Split.VAL, Split.VAL, Split.TRAIN), data.withSplits(List.of(Split.VAL, Split.VAL,
                Split.TRAIN)).files().stream().map(LabelledFile::split).toList());
        assertEquals("data: group 'p' is in two splits, train and val", assertThrows(DatasetException.class,
                () -> data.withSplits(List.of(Split.TRAIN, Split.VAL, Split.TEST))).getMessage());
    }
}
