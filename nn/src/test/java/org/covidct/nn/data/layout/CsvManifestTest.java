package org.covidct.nn.data.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Split;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvManifestTest {
    @TempDir
    Path base;

    private Path manifest;

    @BeforeEach
    void images() throws IOException {
        for (String f : List.of("img/1.png", "img/2.png", "img/scan 3, 80%.png", "img/4.png", "img/5.png")) {
            Trees.png(base, f);
        }
        manifest = base.resolve("data.csv");
    }

    private Path manifest(String text) throws IOException {
        return Files.writeString(manifest, text);
    }

    private String error(String text) throws IOException {
        manifest(text);
        DatasetException e = assertThrows(DatasetException.class, () -> CsvManifest.read(manifest));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsPathsLabelsSplitsAndGroupsInAnyColumnOrder() throws IOException {
        Path absolute = base.resolve("img/5.png");
        manifest("\uFEFFgroup,label,path,split\r\n"
                + "p1,dog,img/1.png,train\r\n"
                + "p1 , dog,./img/../img/2.png,train\r\n"
                + ",cat,\"img/scan 3, 80%.png\",val\r\n"
                + "\r\n"
                + "p2,cat,img/4.png,test\r\n"
                + "p3,cat," + absolute + ",test\r\n");
        LabelledDataset data = CsvManifest.read(manifest);
        assertEquals(List.of("cat", "dog"), data.classes());
        assertEquals(List.of(
                new LabelledFile(base.resolve("img/1.png"), 1, Split.TRAIN, "p1"),
                new LabelledFile(base.resolve("img/2.png"), 1, Split.TRAIN, "p1"),
                new LabelledFile(base.resolve("img/scan 3, 80%.png"), 0, Split.VAL, null),
                new LabelledFile(base.resolve("img/4.png"), 0, Split.TEST, "p2"),
                new LabelledFile(absolute, 0, Split.TEST, "p3")), data.files());
        assertTrue(data.isSplit());
        assertEquals(List.of(manifest), data.indexFiles());
        assertEquals(manifest, data.dependencies().get(0));
        assertEquals(6, data.dependencies().size());
    }

    @Test
    void withoutASplitColumnEveryImageIsLeftToTheSeededSplit() throws IOException {
        manifest("path,label\nimg/1.png,b\nimg/2.png,a\nimg/4.png,B\n");
        LabelledDataset data = CsvManifest.read(manifest);
        assertEquals(List.of("B", "a", "b"), data.classes());
        assertFalse(data.isSplit());
        assertFalse(data.hasGroups());
        assertTrue(data.files().stream().allMatch(f -> f.split() == null));
    }

    @Test
    void givenClassesSetTheLabelNumbering() throws IOException {
        manifest("path,label\nimg/1.png,CT_NonCOVID\nimg/2.png,CT_COVID\n");
        assertEquals(List.of("CT_COVID", "CT_NonCOVID"), CsvManifest.read(manifest).classes());
        LabelledDataset data = CsvManifest.read(manifest, List.of("CT_NonCOVID", "CT_COVID"));
        assertEquals(List.of(0, 1), data.files().stream().map(LabelledFile::label).toList());
        DatasetException e = assertThrows(DatasetException.class,
                () -> CsvManifest.read(manifest, List.of("CT_NonCOVID", "CT_COVID", "other")));
        assertEquals(manifest + ": its labels [CT_COVID, CT_NonCOVID] are not the classes [CT_NonCOVID, CT_COVID,"
                + " other]", e.getMessage());
    }

    @Test
    void unreadableLinesAreRefusedNamingFileAndLine() throws IOException {
        assertEquals(manifest + " line 3: a quoted field is not closed",
                error("path,label\nimg/1.png,a\n\"img/2.png,b\nimg/4.png,b\n"));
        assertEquals(manifest + " line 2: text after the closing quote of a field",
                error("path,label\n\"img/1.png\"x,a\n"));
        assertEquals(manifest + " line 3: 3 fields where the first line names 2 columns",
                error("path,label\nimg/1.png,a\nimg/2.png,b,train\n"));
        assertEquals(manifest + " line 2: no path", error("path,label\n,a\n"));
        assertEquals(manifest + " line 3: no label", error("path,label\nimg/1.png,a\nimg/2.png, \n"));
        assertEquals(manifest + " line 2: unknown split 'training' (expected train, val or test)",
                error("path,label,split\nimg/1.png,a,training\n"));
        assertEquals(manifest + " line 3: unknown split '' (expected train, val or test)",
                error("path,label,split\nimg/1.png,a,train\nimg/2.png,b,\n"));
        assertEquals(manifest + " line 2: invalid path 'img/\0.png' (Nul character not allowed: img/\0.png)",
                error("path,label\nimg/\0.png,a\n"));
    }

    @Test
    void badHeadersAreRefused() throws IOException {
        assertEquals(manifest + " line 1: unknown column 'file' (the columns are path, label, split, group)",
                error("file,label\nimg/1.png,a\n"));
        assertEquals(manifest + " line 1: the first line must name the columns path and label (it names path, split)",
                error("path,split\nimg/1.png,train\n"));
        assertEquals(manifest + " line 1: column 'label' is named twice", error("path,label,label\n"));
        assertEquals("manifest " + manifest + " is empty; its first line must name the columns path,label",
                error("\n\n"));
        assertEquals("manifest " + manifest + " lists no images", error("path,label\n"));
    }

    @Test
    void missingOrUnreadableManifestsAreRefused() throws IOException {
        Files.write(manifest, new byte[] {'p', 'a', 't', 'h', (byte) 0xC3, '\n'});
        DatasetException e = assertThrows(DatasetException.class, () -> CsvManifest.read(manifest));
        assertEquals("manifest " + manifest + " is not valid UTF-8", e.getMessage());
        e = assertThrows(DatasetException.class, () -> CsvManifest.read(base.resolve("none.csv")));
        assertEquals("manifest " + base.resolve("none.csv") + " does not exist", e.getMessage());
    }

    @Test
    void missingImagesAreRefusedNamingTheFirstLine() throws IOException {
        assertEquals(manifest + " line 3: image " + base.resolve("img/9.png") + " does not exist (nor do those of 1"
                + " more lines)", error("path,label\nimg/1.png,a\nimg/9.png,a\nimg/8.png,b\n"));
        assertEquals(manifest + " line 2: image " + base.resolve("img") + " does not exist",
                error("path,label\nimg,a\nimg/1.png,b\n"));
    }

    @Test
    void aFileListedTwiceInTwoClassesOrInTwoSplitsIsRefused() throws IOException {
        Path one = base.resolve("img/1.png").toRealPath();
        assertEquals(manifest + " lines 2 and 4 list one file (" + one + ") in two classes, 'a' and 'b'",
                error("path,label\nimg/1.png,a\nimg/2.png,b\n./img/1.png,b\n"));
        assertEquals(manifest + " lines 2 and 3 list one file (" + one + ") twice",
                error("path,label\nimg/1.png,a\n" + one + ",a\nimg/2.png,b\n"));
        Files.createSymbolicLink(base.resolve("link.png"), one);
        assertEquals(manifest + " lines 2 and 4 list one file (" + one + ") in two splits, train and test",
                error("path,label,split\nimg/1.png,a,train\nimg/2.png,b,train\nlink.png,a,test\n"));
    }

    @Test
    void aGroupInTwoSplitsIsRefused() throws IOException {
        assertEquals(manifest + " lines 2 and 4 put group 'p1' in two splits, train and val",
                error("path,label,split,group\nimg/1.png,a,train,p1\nimg/2.png,b,train,p2\nimg/4.png,a,val,p1\n"));
    }

    @Test
    void oneClassOnlyIsRefused() throws IOException {
        assertEquals(manifest + ": only one class, 'a'; a classifier needs two or more",
                error("path,label\nimg/1.png,a\nimg/2.png,a\n"));
    }

    @Test
    void writesASplitThatReadsBackTheSame() throws IOException {
        List<LabelledFile> files = List.of(
                new LabelledFile(base.resolve("img/1.png"), 1, Split.TRAIN, "p \"1\""),
                new LabelledFile(base.resolve("img/scan 3, 80%.png"), 0, Split.VAL, null),
                new LabelledFile(base.resolve("img/2.png"), 0, Split.TEST, " p2"),
                new LabelledFile(base.resolve("img/4.png"), 1, Split.TRAIN, "p \"1\""));
        LabelledDataset data = LabelledDataset.of(base, List.of("z, last", "a"), files, List.of());
        Path out = Files.createDirectories(base.resolve("runs/1")).resolve("split.csv");
        CsvManifest.write(out, data);
        assertEquals("path,label,split,group\n"
                + "../../img/1.png,a,train,\"p \"\"1\"\"\"\n"
                + "\"../../img/scan 3, 80%.png\",\"z, last\",val,\n"
                + "../../img/2.png,\"z, last\",test,\" p2\"\n"
                + "../../img/4.png,a,train,\"p \"\"1\"\"\"\n", Files.readString(out));
        LabelledDataset back = CsvManifest.read(out, data.classes());
        assertEquals(data.classes(), back.classes());
        assertEquals(data.files(), back.files());
        try (Stream<Path> left = Files.list(out.getParent())) {
            assertEquals(List.of(out), left.toList());
        }
    }

    @Test
    void writesNoSplitOrGroupColumnsWhenThereAreNone() throws IOException {
        LabelledDataset data = LabelledDataset.of(base, List.of("a", "b"), List.of(
                new LabelledFile(base.resolve("img/1.png"), 0, null, null),
                new LabelledFile(base.resolve("img/2.png"), 1, null, null)), List.of());
        CsvManifest.write(manifest, data);
        assertEquals("path,label\nimg/1.png,a\nimg/2.png,b\n", Files.readString(manifest));
    }

    /** Any file names, class names and groups (commas, quotes, line breaks, outer spaces) survive write and read. */
    @Property(tries = 40)
    void writeThenReadKeepsTheDataSet(@ForAll("names") @Size(min = 4, max = 4) List<String> fileNames,
                                      @ForAll("names") @Size(min = 2, max = 2) List<String> classNames,
                                      @ForAll("names") @Size(min = 2, max = 2) List<String> groupNames)
            throws IOException {
        if (fileNames.stream().distinct().count() < 4 || classNames.get(0).equals(classNames.get(1))) {
            return;
        }
        Path dir = Files.createTempDirectory("manifest");
        try {
            List<Split> splits = List.of(Split.TRAIN, Split.VAL, Split.TEST, Split.TRAIN);
            String g0 = groupNames.get(0);
            String g1 = groupNames.get(1).equals(g0) ? null : groupNames.get(1);
            List<String> groups = Arrays.asList(g0, g1, null, g0);
            List<LabelledFile> files = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Path image = Trees.png(dir, "images/" + fileNames.get(i));
                files.add(new LabelledFile(image, i % 2, splits.get(i), groups.get(i)));
            }
            LabelledDataset data = LabelledDataset.of(dir, classNames, files, List.of());
            Path out = dir.resolve("split.csv");
            CsvManifest.write(out, data);
            LabelledDataset back = CsvManifest.read(out, classNames);
            assertEquals(data.files(), back.files());
            assertEquals(List.of(out), back.indexFiles());
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Provide
    Arbitrary<List<String>> names() {
        Arbitrary<String> name = Arbitraries.strings()
                .withChars("ab ,\"%()\u00e9\r\n\t")
                .withCharRange('c', 'e')
                .ofMinLength(1).ofMaxLength(8);
        return name.list();
    }
}
