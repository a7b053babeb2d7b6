package org.covidct.nn.data.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Split;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {
    private static final Path SOURCE = Path.of("data.csv");

    /** A data set of files /images/0, /images/1, ... with these labels, groups (null: none) and splits (null: none). */
    private static LabelledDataset dataset(int classes, List<Integer> labels, List<String> groups, List<Split> given)
            throws DatasetException {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("class" + c);
        }
        List<LabelledFile> files = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            files.add(new LabelledFile(Path.of("/images/" + i), labels.get(i), given == null ? null : given.get(i),
                    groups == null ? null : groups.get(i)));
        }
        return LabelledDataset.of(SOURCE, names, files, List.of());
    }

    private static List<Split> splits(LabelledDataset data) {
        return data.files().stream().map(LabelledFile::split).toList();
    }

    private static List<Integer> labels(int... perClass) {
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < perClass.length; c++) {
            for (int i = 0; i < perClass[c]; i++) {
                labels.add(c);
            }
        }
        return labels;
    }

    /** The splits scripts/golden/make_dataset_fixtures.py's Python reference of the algorithm chooses. */
    @Test
    void matchesThePythonReferenceOfTheAlgorithm() throws IOException {
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("/golden/datasets.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        for (JsonNode c : fixture.get("split")) {
            List<Integer> labels = new ArrayList<>();
            List<String> groups = new ArrayList<>();
            List<Split> given = c.get("given").isNull() ? null : new ArrayList<>();
            List<Split> expected = new ArrayList<>();
            for (int i = 0; i < c.get("labels").size(); i++) {
                labels.add(c.get("labels").get(i).asInt());
                groups.add(c.get("groups").get(i).isNull() ? null : c.get("groups").get(i).asText());
                if (given != null) {
                    given.add(Split.byId(c.get("given").get(i).asText()));
                }
                expected.add(Split.byId(c.get("expected").get(i).asText()));
            }
            JsonNode f = c.get("fractions");
            SplitFractions fractions = new SplitFractions(f.get(0).asDouble(), f.get(1).asDouble(), f.get(2).asDouble());
            LabelledDataset data = dataset(c.get("classes").asInt(), labels, groups, given);
            assertEquals(expected, splits(StratifiedSplit.complete(data, fractions, c.get("seed").asLong())),
                    c.get("name").asText());
        }
    }

    /** Without groups every split gets floor or ceil of its share of every class. */
    @Property(tries = 200)
    void everySplitGetsItsShareOfEveryClassWithinOne(@ForAll @Size(min = 2, max = 4) List<@IntRange(min = 1, max = 80) Integer> perClass,
                                                      @ForAll @DoubleRange(min = 0.05, max = 1) double train,
                                                      @ForAll @DoubleRange(min = 0.05, max = 1) double val,
                                                      @ForAll @DoubleRange(min = 0.05, max = 1) double test,
                                                      @ForAll long seed) throws DatasetException {
        double sum = train + val + test;
        SplitFractions fractions = new SplitFractions(train / sum, val / sum, 1 - train / sum - val / sum);
        int[] counts = perClass.stream().mapToInt(Integer::intValue).toArray();
        LabelledDataset data = dataset(counts.length, labels(counts), null, null);
        LabelledDataset split;
        try {
            split = StratifiedSplit.complete(data, fractions, seed);
        } catch (DatasetException e) {
            // Only a split whose share of every class is below one image may come out empty.
            assertTrue(List.of(Split.values()).stream().anyMatch(s -> perClass.stream()
                    .allMatch(n -> fractions.of(s) * n < 1)), e.getMessage());
            return;
        }
        for (Split s : Split.values()) {
            for (int c = 0; c < counts.length; c++) {
                int label = c;
                long have = split.files().stream().filter(f -> f.split() == s && f.label() == label).count();
                double aim = fractions.of(s) * counts[c];
                assertTrue(Math.abs(have - aim) < 1 + 1e-9, s + " class " + c + ": " + have + " for an aim of " + aim);
            }
        }
    }

    /** Whatever the groups (some spanning two classes), a group's images share one split. */
    @Property(tries = 100)
    void neverDividesAGroup(@ForAll("groupSizes") List<Integer> sizes, @ForAll long seed) throws DatasetException {
        List<Integer> labels = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        for (int g = 0; g < sizes.size(); g++) {
            for (int k = 0; k < sizes.get(g); k++) {
                labels.add((g + (g % 4 == 0 ? k : 0)) % 2);
                groups.add(g % 5 == 4 ? null : "patient " + g);
            }
        }
        if (!labels.contains(0) || !labels.contains(1)) {
            return;
        }
        LabelledDataset data = dataset(2, labels, groups, null);
        LabelledDataset split;
        try {
            split = StratifiedSplit.complete(data, SplitFractions.COVID_CT, seed);
        } catch (DatasetException e) {
            assertTrue(e.getMessage().contains("are too few to split"), e.getMessage());
            return;
        }
        Map<String, Split> splitOfGroup = new HashMap<>();
        for (LabelledFile f : split.files()) {
            if (f.group() != null) {
                assertEquals(splitOfGroup.computeIfAbsent(f.group(), g -> f.split()), f.split(), f.group());
            }
        }
        assertTrue(split.isSplit());
    }

    @Provide
    Arbitrary<List<Integer>> groupSizes() {
        return Arbitraries.integers().between(1, 8).list().ofMinSize(3).ofMaxSize(60);
    }

    @Test
    void oneSeedGivesOneSplitAndOtherSeedsOthers() throws DatasetException {
        LabelledDataset data = dataset(2, labels(60, 40), null, null);
        List<Split> first = splits(StratifiedSplit.complete(data, SplitFractions.COVID_CT, 7));
        assertEquals(first, splits(StratifiedSplit.complete(data, SplitFractions.COVID_CT, 7)));
        Set<List<Split>> seen = new HashSet<>();
        for (long seed = 0; seed < 5; seed++) {
            seen.add(splits(StratifiedSplit.complete(data, SplitFractions.COVID_CT, seed)));
        }
        assertEquals(5, seen.size());
        assertNotEquals(first, splits(StratifiedSplit.complete(data, SplitFractions.COVID_CT, 8)));
    }

    @Test
    void carvesAMissingValSplitOutOfTrainOnly() throws DatasetException {
        List<Integer> labels = labels(50, 50, 30, 20);
        List<Integer> twoClasses = labels.stream().map(l -> l % 2).toList();
        List<Split> given = new ArrayList<>();
        labels.forEach(l -> given.add(l < 2 ? Split.TRAIN : Split.TEST));
        LabelledDataset data = dataset(2, twoClasses, null, given);
        LabelledDataset split = StratifiedSplit.complete(data, SplitFractions.COVID_CT, 3);
        double valShare = 118.0 / (425 + 118);
        for (int i = 0; i < labels.size(); i++) {
            Split s = split.files().get(i).split();
            assertEquals(given.get(i) == Split.TEST, s == Split.TEST, "image " + i);
        }
        for (int c = 0; c < 2; c++) {
            int label = c;
            long val = split.files().stream().filter(f -> f.split() == Split.VAL && f.label() == label).count();
            assertTrue(Math.abs(val - valShare * 50) < 1, "class " + c + ": " + val);
        }
    }

    @Test
    void aSplitDataSetIsReturnedAsItIs() throws DatasetException {
        LabelledDataset data = dataset(2, labels(2, 1), null, List.of(Split.TRAIN, Split.VAL, Split.TEST));
        assertSame(data, StratifiedSplit.complete(data, SplitFractions.COVID_CT, 1));
    }

    @Test
    void refusesToCarveWithoutTrainOrFromTooFewImages() throws DatasetException {
        LabelledDataset noTrain = dataset(2, labels(2, 2), null, List.of(Split.VAL, Split.TEST, Split.VAL, Split.TEST));
        assertEquals("data.csv: has [val, test] images but no train images to train on and to carve the missing splits"
                + " from", assertThrows(DatasetException.class,
                        () -> StratifiedSplit.complete(noTrain, SplitFractions.COVID_CT, 1)).getMessage());
        LabelledDataset tiny = dataset(2, labels(1, 1), null, null);
        assertEquals("data.csv: 2 images in 2 groups are too few to split into [train, val, test] with fractions "
                + SplitFractions.COVID_CT + ": val would be empty", assertThrows(DatasetException.class,
                        () -> StratifiedSplit.complete(tiny, SplitFractions.COVID_CT, 1)).getMessage());
        LabelledDataset twoPatients = dataset(2, labels(5, 5), List.of("p", "p", "p", "p", "p", "q", "q", "q", "q", "q"),
                null);
        assertEquals("data.csv: 10 images in 2 groups are too few to split into [train, val, test] with fractions "
                + SplitFractions.COVID_CT + ": val would be empty", assertThrows(DatasetException.class,
                        () -> StratifiedSplit.complete(twoPatients, SplitFractions.COVID_CT, 1)).getMessage());
    }
}
