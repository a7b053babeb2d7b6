package org.covidct.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.covidct.app.TinyCollections;
import org.covidct.app.TinyCovidCt;
import org.covidct.app.TinyMeta;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Split;
import org.covidct.nn.data.layout.CsvManifest;
import org.covidct.nn.data.split.SplitFractions;
import org.covidct.nn.data.split.StratifiedSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A COVID-CT checkout becomes a manifest grouped by patient, which the manifest layout reads back and splits by patient. */
class ManifestExportTest {
    @TempDir
    Path dir;

    /**
     * A checkout of 3 train, 2 val and 2 test images per class, with patients: COVID train 0 and 1
     * are Patient 1, train 2 Patient 2, val Patient 3, test 0 Patient 4, test 1 has no Meta entry;
     * every NonCOVID split is one patient. {@code leak} makes Patient 1 the first COVID test image's
     * patient as well. Meta also names an image that is not there.
     */
    private Path checkout(boolean leak) throws IOException {
        Path root = TinyCovidCt.create(dir.resolve("COVID-CT"), Map.of("train", 3, "val", 2, "test", 2), 16, 4);
        Map<String, String> covid = new HashMap<>(Map.of("train COVID,%0.png", "Patient 1",
                "train COVID,%1.png", "Patient 1", "train COVID,%2.jpg", "Patient 2", "val COVID,%0.png", "Patient 3",
                "val COVID,%1.png", "Patient 3", "test COVID,%0.png", leak ? "Patient 1" : "Patient 4",
                "gone.png", "Patient 9"));
        Map<String, String> nonCovid = new HashMap<>();
        for (String split : List.of("train", "val", "test")) {
            for (int i = 0; i < (split.equals("train") ? 3 : 2); i++) {
                nonCovid.put(split + " NonCOVID,%" + i + (i % 3 == 2 ? ".jpg" : ".png"), "crawled_patient_" + split);
            }
        }
        TinyMeta.write(root, covid, nonCovid);
        return root;
    }

    @Test
    void aCheckoutsManifestGroupsByPatientAndReadsBackTheSame() throws IOException {
        Path root = checkout(false);
        ManifestExport export = ManifestExport.read(root);
        assertEquals(DataLayout.COVID_CT, export.layout());
        assertEquals(14, export.images());
        assertEquals(1, export.withoutPatient(), "test COVID,%1.png");
        assertEquals(1, export.unmatchedMeta(), "gone.png");
        SplitOverlap overlap = export.overlap().orElseThrow();
        assertEquals(7, overlap.groups());
        assertEquals(0, overlap.shared());
        assertEquals("its split keeps each of its 7 patients in one split (3 in train, 2 in val, 2 in test): none is "
                + "in two of train, val and test",
                overlap.describe(export.groupWord()));

        LabelledDataset written = export.manifest(false);
        Path csv = dir.resolve("manifest.csv");
        CsvManifest.write(csv, written);
        assertEquals("path,label,group", Files.readAllLines(csv).get(0));
        LabelledDataset read = DataLayout.of(csv).read(csv);
        assertEquals(rows(written), rows(read), "path, class and patient of every image, in order");
        Map<String, String> patients = new HashMap<>();
        for (List<String> row : rows(read)) {
            patients.put(Path.of(row.get(0)).getFileName().toString(), row.get(2));
        }
        assertEquals("Patient 1", patients.get("train COVID,%0.png"));
        assertEquals("Patient 2", patients.get("train COVID,%2.jpg"));
        assertEquals("crawled_patient_val", patients.get("val NonCOVID,%1.png"));
        assertNull(patients.get("test COVID,%1.png"), "no Meta entry: a group of its own");
        assertTrue(read.files().stream().allMatch(f -> f.split() == null), "train splits it again");

        LabelledDataset split = StratifiedSplit.complete(read, new SplitFractions(0.5, 0.25, 0.25), 3);
        Map<String, Set<Split>> splitsOfPatient = new HashMap<>();
        for (LabelledFile f : split.files()) {
            if (f.group() != null) {
                splitsOfPatient.computeIfAbsent(f.group(), g -> new HashSet<>()).add(f.split());
            }
        }
        assertEquals(7, splitsOfPatient.size());
        splitsOfPatient.forEach((patient, splits) -> assertEquals(1, splits.size(), patient + " is in " + splits));

        Path kept = dir.resolve("kept.csv");
        CsvManifest.write(kept, export.manifest(true));
        assertEquals("path,label,split,group", Files.readAllLines(kept).get(0));
        LabelledDataset keptRead = DataLayout.of(kept).read(kept);
        assertEquals(rows(export.manifest(true)), rows(keptRead));
        assertEquals(DataLayout.COVID_CT.read(root).files().stream().map(LabelledFile::split).toList(),
                keptRead.files().stream().map(LabelledFile::split).toList(), "COVID-CT's own split");
    }

    @Test
    void aSplitThatSharesAPatientIsReportedAndNotKept() throws IOException {
        Path root = checkout(true);
        ManifestExport export = ManifestExport.read(root);
        SplitOverlap overlap = export.overlap().orElseThrow();
        String words = "its split puts 1 of its 6 patients in more than one split (train and test 1; 'Patient 1', "
                + "say): 1 of its 4 test images and 0 of its 4 val images are of patients with training images";
        assertEquals(words, overlap.describe("patients"));
        DatasetException e = assertThrows(DatasetException.class, () -> export.manifest(true));
        assertEquals(root + ": " + words + "; a manifest keeps each of its patients in one split, so leave out "
                + "--keep-split to split it again", e.getMessage());
        assertEquals(14, export.manifest(false).files().size());
    }

    @Test
    void otherLayoutsKeepTheirOwnGroups() throws IOException {
        Path tree = TinyCollections.imageFolder(dir.resolve("tree"), Map.of("normal", 3, "pneumonia", 2), "pneumonia",
                16, 1);
        ManifestExport folder = ManifestExport.read(tree);
        assertFalse(folder.hasSplit());
        assertTrue(folder.overlap().isEmpty());
        assertEquals("groups", folder.groupWord());
        Path csv = dir.resolve("tree.csv");
        CsvManifest.write(csv, folder.manifest(false));
        assertEquals("path,label", Files.readAllLines(csv).get(0));
        assertEquals(rows(folder.manifest(false)), rows(DataLayout.of(csv).read(csv)));

        Path grouped = TinyCollections.groupedManifest(dir.resolve("grouped"), new String[] {"a", "b"}, 5, "b", 16, 2);
        ManifestExport manifest = ManifestExport.read(grouped);
        assertEquals(rows(DataLayout.of(grouped).read(grouped)), rows(manifest.manifest(false)));
    }

    @Test
    void theOverlapCountsEverySpanAndTheImagesItTouches() {
        List<LabelledFile> files = new ArrayList<>();
        Object[][] rows = {{"p1", Split.TRAIN}, {"p1", Split.TEST}, {"p1", Split.TEST}, {"p2", Split.TRAIN},
            {"p2", Split.VAL}, {"p3", Split.VAL}, {"p3", Split.TEST}, {"p4", Split.TRAIN}, {"p4", Split.VAL},
            {"p4", Split.TEST}, {null, Split.TEST}, {null, Split.TRAIN}, {"p5", Split.TEST}};
        for (int i = 0; i < rows.length; i++) {
            files.add(new LabelledFile(Path.of(i + ".png"), i % 2, (Split) rows[i][1], (String) rows[i][0]));
        }
        SplitOverlap o = SplitOverlap.of(files);
        assertEquals(5, o.groups());
        assertEquals(List.of(3, 3, 4), o.groupsPerSplit(), "p1, p2, p4; p2, p3, p4; p1, p3, p4, p5");
        assertEquals(4, o.shared());
        assertEquals(List.of("train and val", "train and test", "val and test", "train, val and test"),
                List.copyOf(o.sharedBySplits().keySet()));
        assertEquals(List.of(1, 1, 1, 1), List.copyOf(o.sharedBySplits().values()));
        assertEquals("p1", o.example());
        assertEquals(3, o.valImages());
        assertEquals(2, o.valSeenInTrain(), "p2 and p4; not p3");
        assertEquals(6, o.testImages());
        assertEquals(3, o.testSeenInTrain(), "p1 twice and p4; not p3, p5 or the image without a group");
        assertThrows(IllegalArgumentException.class, () -> SplitOverlap.of(List.of(new LabelledFile(Path.of("a"), 0,
                null, "p"))));
    }

    /** Each image as its absolute path, class name, group and split. */
    private static List<List<String>> rows(LabelledDataset d) {
        return d.files().stream().map(f -> Arrays.asList(f.path().toAbsolutePath().normalize().toString(),
                d.classes().get(f.label()), f.group(), f.split() == null ? null : f.split().id())).toList();
    }
}
