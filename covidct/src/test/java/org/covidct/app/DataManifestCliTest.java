package org.covidct.app;

import static org.covidct.app.CliRun.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data manifest} on the command line: what it writes and says, and its errors in one line each. */
class DataManifestCliTest {
    @TempDir
    Path dir;

    @Test
    void aCovidCtCheckoutBecomesAManifestOfPatients() throws IOException {
        Path root = TinyCovidCt.create(dir.resolve("COVID-CT"), Map.of("train", 2, "val", 1, "test", 1), 16, 5);
        TinyMeta.write(root, Map.of("train COVID,%0.png", "Patient 1", "train COVID,%1.png", "Patient 1",
                "val COVID,%0.png", "Patient 2"), Map.of("train NonCOVID,%0.png", "p3", "train NonCOVID,%1.png", "p4",
                "val NonCOVID,%0.png", "p5", "test NonCOVID,%0.png", "p6"));
        Path out = dir.resolve("covid-ct.csv");
        CliRun r = cli("data", "manifest", "--data", root.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("warning: Meta/ names no patient for 1 of the 8 images; each of them is a group of its own\n",
                r.err());
        assertEquals("wrote " + out + ": 8 images of CT_NonCOVID and CT_COVID, 6 patients, without a split (train "
                + "splits it, keeping each of the patients in one split)\n" + root + ": its split keeps each of its 6 "
                + "patients in one split (3 in train, 2 in val, 1 in test): none is in two of train, val and test\n", r.out());
        assertEquals(List.of("path,label,group",
                "\"COVID-CT/Images-processed/CT_NonCOVID/train NonCOVID,%0.png\",CT_NonCOVID,p3"),
                Files.readAllLines(out).subList(0, 2), "paths relative to the manifest");
        assertEquals(9, Files.readAllLines(out).size());

        CliRun kept = cli("data", "manifest", "--data", root.toString(), "--out", out.toString(), "--keep-split");
        assertEquals(0, kept.code(), kept.err());
        assertEquals("path,label,split,group", Files.readAllLines(out).get(0));

        Files.writeString(root.resolve("Meta/COVID-CT-MetaInfo.xlsx"), "not a workbook");
        CliRun bad = cli("data", "manifest", "--data", root.toString(), "--out", out.toString());
        assertEquals(1, bad.code(), bad.err());
        assertEquals("error: " + root.resolve("Meta/COVID-CT-MetaInfo.xlsx") + ": not an xlsx workbook (not a zip "
                + "archive)\n", bad.err());
    }

    @Test
    void usageErrorsSayWhatIsWrong() throws IOException {
        Path tree = TinyCollections.imageFolder(dir.resolve("tree"), Map.of("normal", 2, "pneumonia", 2), "pneumonia",
                16, 1);
        Path out = dir.resolve("tree.csv");
        CliRun keep = cli("data", "manifest", "--data", tree.toString(), "--out", out.toString(), "--keep-split");
        assertEquals(2, keep.code(), keep.err());
        assertEquals("error: --keep-split: " + tree + " has no split to keep\n", keep.err());
        assertFalse(Files.exists(out));

        CliRun folder = cli("data", "manifest", "--data", tree.toString(), "--out", dir.resolve("none/m.csv").toString());
        assertEquals(2, folder.code(), folder.err());
        assertEquals("error: --out " + dir.resolve("none/m.csv") + ": the folder " + dir.resolve("none")
                + " does not exist\n", folder.err());

        CliRun plain = cli("data", "manifest", "--data", tree.toString(), "--out", out.toString());
        assertEquals(0, plain.code(), plain.err());
        assertEquals("wrote " + out + ": 4 images of normal and pneumonia, without a split (train splits it)\n",
                plain.out());
        assertEquals("path,label", Files.readAllLines(out).get(0));
    }
}
