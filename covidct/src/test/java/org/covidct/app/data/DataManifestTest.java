package org.covidct.app.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data manifest is sha256sum's format, and a data set that differs from it is refused naming the files. */
class DataManifestTest {
    @TempDir
    Path dir;

    @Test
    void writesSha256sumLinesInPathOrderAndReadsThemBack() throws IOException {
        Path root = Files.createDirectories(dir.resolve("data/sub"));
        Files.writeString(dir.resolve("data/sub/b.txt"), "abc");
        Files.writeString(dir.resolve("data/a.txt"), "");
        DataManifest m = DataManifest.of(dir.resolve("data"), List.of(dir.resolve("data/sub/b.txt"),
                dir.resolve("data/a.txt")));
        m.write(dir.resolve("data.sha256"));
        // The SHA-256 test vectors of "" and "abc" (FIPS 180-2).
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.txt\n"
                + "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  sub/b.txt\n",
                Files.readString(dir.resolve("data.sha256")));
        DataManifest back = DataManifest.read(dir.resolve("data.sha256"));
        assertEquals(2, back.size());
        assertDoesNotThrow(() -> back.requireMatches(root.getParent()));
    }

    @Test
    void aDataSetWithChangedOrMissingFilesIsRefusedNamingThem() throws IOException {
        Path root = Files.createDirectories(dir.resolve("data"));
        List<Path> files = List.of(root.resolve("1"), root.resolve("2"), root.resolve("3"), root.resolve("4"),
                root.resolve("5"));
        for (Path f : files) {
            Files.writeString(f, f.getFileName().toString());
        }
        DataManifest m = DataManifest.of(root, files);
        Files.writeString(root.resolve("2"), "two");
        Files.delete(root.resolve("3"));
        IOException two = assertThrows(IOException.class, () -> m.requireMatches(root));
        assertEquals(root + " is not the data the run trained on: 2 of 5 files differ (2 changed, 3 is missing)",
                two.getMessage());
        Files.delete(root.resolve("4"));
        Files.delete(root.resolve("5"));
        IOException four = assertThrows(IOException.class, () -> m.requireMatches(root));
        assertEquals(root + " is not the data the run trained on: 4 of 5 files differ (2 changed, 3 is missing, "
                + "4 is missing, ...)", four.getMessage());
    }

    @Test
    void aDamagedManifestIsRefusedNamingTheLine() throws IOException {
        Path file = dir.resolve("data.sha256");
        Files.writeString(file, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.txt\nnot a digest\n");
        IOException e = assertThrows(IOException.class, () -> DataManifest.read(file));
        assertEquals(file + ", line 2: not a \"<sha256>  <path>\" line", e.getMessage());
    }

    /** A CSV manifest's image beside its folder is named with "..", and found there from a moved root. */
    @Test
    void aFileOutsideTheRootIsNamedRelativeToIt() throws IOException {
        Path image = Files.createDirectories(dir.resolve("a/scans")).resolve("x.png");
        Files.createDirectories(dir.resolve("a/lists"));
        Files.writeString(image, "abc");
        DataManifest.of(dir.resolve("a/lists"), List.of(image)).write(dir.resolve("data.sha256"));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  ../scans/x.png\n",
                Files.readString(dir.resolve("data.sha256")));
        Files.move(dir.resolve("a"), dir.resolve("b"));
        assertDoesNotThrow(() -> DataManifest.read(dir.resolve("data.sha256")).requireMatches(dir.resolve("b/lists")));
    }
}
