package org.covidct.nn.data.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path base;

    private JsonNode tree(String name) {
        for (JsonNode t : Trees.fixture().get("imagefolder")) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** "relative/path label" lines for the expected samples of a fixture tree. */
    private static List<String> expectedSamples(JsonNode expected) {
        List<String> out = new ArrayList<>();
        expected.get("samples").forEach(s -> out.add(s.get(0).asText() + " " + s.get(1).asInt()));
        return out;
    }

    private static List<String> actualSamples(Path root, List<Sample> samples) {
        List<String> out = new ArrayList<>();
        for (Sample s : samples) {
            List<String> names = new ArrayList<>();
            root.relativize(s.path()).forEach(n -> names.add(n.toString()));
            out.add(String.join("/", names) + " " + s.label());
        }
        return out;
    }

    /**
     * Class order (code points: '.' &lt; 'B' &lt; '_' &lt; 'a', U+FF21 before U+1F600), files found
     * through links, extensions in any case, hidden files kept, and torchvision's sorted-os.walk order
     * ("d/1", "d e/1", "d-e/1", "d.e/1", "d/e/1", "dE/1").
     */
    @Test
    void numbersClassesAndOrdersFilesAsTorchvisionImageFolder() throws IOException {
        JsonNode tree = tree("plain");
        Trees.build(base, tree);
        Path root = base.resolve(tree.get("root").asText());
        LabelledDataset data = ImageFolder.read(root);
        JsonNode expected = tree.get("expected");
        assertEquals(strings(expected.get("classes")), data.classes());
        List<Sample> all = data.files().stream().map(LabelledFile::sample).toList();
        assertEquals(expectedSamples(expected), actualSamples(root, all));
        assertFalse(data.isSplit());
        assertTrue(data.files().stream().allMatch(f -> f.split() == null && f.group() == null));
        assertEquals(List.of(), data.indexFiles());
        assertEquals(root, data.source());
    }

    @Test
    void readsEachSplitFolderAsTorchvisionReadsIt() throws IOException {
        JsonNode tree = tree("split");
        Trees.build(base, tree);
        Path root = base.resolve(tree.get("root").asText());
        LabelledDataset data = ImageFolder.read(root);
        assertTrue(data.isSplit());
        for (Split split : Split.values()) {
            JsonNode expected = tree.get("expected").get(split.id());
            assertEquals(strings(expected.get("classes")), data.classes());
            assertEquals(expectedSamples(expected), actualSamples(root, data.samples(split)));
        }
    }

    @Test
    void refusesJustTheImageTypesTorchvisionReadsAndThisLibraryCannotDecode() {
        List<String> both = new ArrayList<>(ImageFolder.EXTENSIONS);
        both.addAll(ImageFolder.UNSUPPORTED_EXTENSIONS);
        List<String> torchvision = strings(Trees.fixture().get("img_extensions"));
        assertEquals(torchvision.stream().sorted().toList(), both.stream().sorted().toList());
    }

    @Test
    void aTreeWithTrainAndTestButNoValLeavesValOpen() throws IOException {
        for (String f : List.of("train/a/1.png", "train/a/2.png", "train/b/3.png", "test/a/4.png", "test/b/5.png")) {
            Trees.png(base, f);
        }
        LabelledDataset data = ImageFolder.read(base);
        assertFalse(data.isSplit());
        assertEquals(List.of(Split.TRAIN, Split.TRAIN, Split.TRAIN, Split.TEST, Split.TEST),
                data.files().stream().map(LabelledFile::split).toList());
    }

    @Test
    void thePositiveClassFollowsTheClassNames() throws IOException {
        Trees.png(base, "CT_COVID/1.png");
        Trees.png(base, "CT_NonCOVID/2.png");
        LabelledDataset data = ImageFolder.read(base);
        assertEquals(List.of("CT_COVID", "CT_NonCOVID"), data.classes());
        assertEquals("CT_COVID", data.positiveClass().orElseThrow());
    }

    private String error(Path root) {
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolder.read(root));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void anEmptyClassIsRefusedNamingItsFolder() throws IOException {
        Trees.png(base, "a/1.png");
        Trees.text(base, "b/readme.txt");
        assertEquals("class folder " + base.resolve("b") + " holds no image (.jpg .jpeg .png .bmp)", error(base));
    }

    @Test
    void aHiddenFolderIsAClassAsInTorchvision() throws IOException {
        Trees.png(base, "a/1.png");
        Trees.png(base, "b/2.png");
        Files.createDirectories(base.resolve(".ipynb_checkpoints"));
        assertEquals("class folder " + base.resolve(".ipynb_checkpoints") + " holds no image (.jpg .jpeg .png .bmp)",
                error(base));
    }

    @Test
    void oneClassOnlyIsRefused() throws IOException {
        Trees.png(base, "a/1.png");
        Trees.png(base, "stray.png");
        assertEquals(base + " holds one class folder only, 'a'; a classifier needs two or more", error(base));
    }

    @Test
    void noClassFoldersOrNoFolderIsRefused() throws IOException {
        Trees.png(base, "stray.png");
        assertEquals(base + " holds no class folders", error(base));
        assertEquals("image folder " + base.resolve("stray.png") + " is not a folder", error(base.resolve("stray.png")));
        assertEquals("image folder " + base.resolve("nothing") + " is not a folder", error(base.resolve("nothing")));
    }

    @Test
    void aFileInTwoClassesIsRefused() throws IOException {
        Path image = Trees.png(base, "a/1.png");
        Trees.png(base, "b/2.png");
        Files.createSymbolicLink(base.resolve("b/also.png"), image);
        assertEquals(base + ": " + image + " and " + base.resolve("b/also.png") + " are one file (" + image.toRealPath()
                + "), in two classes, 'a' and 'b'", error(base));
    }

    @Test
    void aFileInTwoSplitsIsRefused() throws IOException {
        Path image = Trees.png(base, "train/a/1.png");
        Trees.png(base, "train/b/2.png");
        Trees.png(base, "test/b/3.png");
        Files.createDirectories(base.resolve("test/a"));
        Files.createSymbolicLink(base.resolve("test/a/1.png"), image);
        assertEquals(base + ": " + image + " and " + base.resolve("test/a/1.png") + " are one file ("
                + image.toRealPath() + "), in two splits, train and test", error(base));
    }

    @Test
    void splitsWithDifferentClassesAreRefused() throws IOException {
        Trees.png(base, "train/a/1.png");
        Trees.png(base, "train/b/2.png");
        Trees.png(base, "val/a/3.png");
        Trees.png(base, "val/c/4.png");
        assertEquals(base.resolve("val") + " has the class folders [a, c] but " + base.resolve("train")
                + " has [a, b]; every split needs the same classes", error(base));
    }

    @Test
    void anEmptyClassInOneSplitIsRefused() throws IOException {
        Trees.png(base, "train/a/1.png");
        Trees.png(base, "train/b/2.png");
        Trees.png(base, "test/a/3.png");
        Files.createDirectories(base.resolve("test/b"));
        assertEquals("class folder " + base.resolve("test/b") + " holds no image (.jpg .jpeg .png .bmp)", error(base));
    }

    @Test
    void splitFoldersWithoutTrainOrBesideClassFoldersAreRefused() throws IOException {
        Trees.png(base, "val/a/1.png");
        Trees.png(base, "test/a/2.png");
        assertEquals(base + " has test/ and val/ but no train/ folder to train on", error(base));
        Trees.png(base, "train/a/3.png");
        Trees.png(base, "dogs/4.png");
        assertEquals(base + " holds split folders (test, train, val) beside other folders (dogs); class folders"
                + " belong inside the split folders", error(base));
    }

    @Test
    void anImageTypeThisLibraryCannotDecodeIsRefusedNotSkipped() throws IOException {
        Trees.png(base, "a/1.png");
        Trees.png(base, "b/2.png");
        Trees.text(base, "b/sub/3.TIF");
        assertEquals(base.resolve("b/sub/3.TIF") + ": torchvision reads .tif images but this library cannot decode"
                + " them (only .jpg .jpeg .png .bmp); convert or remove it", error(base));
    }

    @Test
    void aBrokenLinkNamedLikeAnImageIsRefused() throws IOException {
        Trees.png(base, "a/1.png");
        Trees.png(base, "b/2.png");
        Files.createSymbolicLink(base.resolve("b/gone.png"), base.resolve("nowhere.png"));
        assertEquals(base.resolve("b/gone.png") + " is not a readable file (a broken link?)", error(base));
    }

    @Test
    void aLinkLoopIsRefused() throws IOException {
        Trees.png(base, "a/1.png");
        Trees.png(base, "b/sub/2.png");
        Files.createSymbolicLink(base.resolve("b/sub/up"), base.resolve("b"));
        assertEquals(base.resolve("b/sub/up") + " is a link loop: it leads back to " + base.resolve("b").toRealPath(),
                error(base));
    }

    @Test
    void filesOfOtherTypesAreIgnored() throws IOException {
        Trees.png(base, "a/1.png");
        Trees.text(base, "a/notes.txt");
        Trees.text(base, "a/.DS_Store");
        Trees.png(base, "b/2.jpeg");
        LabelledDataset data = ImageFolder.read(base);
        assertEquals(List.of(base.resolve("a/1.png"), base.resolve("b/2.jpeg")), data.dependencies());
        assertNull(data.files().get(0).group());
    }
}
