package org.covidct.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256ManifestTest {
    private static final String HASH = "ab".repeat(32);

    /** The committed manifest covers the whole layout CovidCtDataset reads: 349 + 397 images and six split files. */
    @Test
    void theCommittedManifestCoversTheCovidCtLayout(@TempDir Path dir) throws IOException {
        Map<String, String> files = Sha256Manifest.covidCt().files();
        assertEquals(752, files.size());
        Map<String, Long> byFolder = files.keySet().stream()
                .collect(Collectors.groupingBy(p -> p.substring(0, p.lastIndexOf('/')), Collectors.counting()));
        assertEquals(Map.of("Images-processed/CT_COVID", 349L, "Images-processed/CT_NonCOVID", 397L,
                "Data-split/COVID", 3L, "Data-split/NonCOVID", 3L), byFolder);
        Files.createDirectories(dir.resolve("Images-processed/CT_COVID"));
        Files.createDirectories(dir.resolve("Images-processed/CT_NonCOVID"));
        CovidCtDataset layout = new CovidCtDataset(dir);
        for (String split : CovidCtDataset.SPLITS) {
            for (int label : new int[] {CovidCtDataset.NON_COVID, CovidCtDataset.COVID}) {
                String path = dir.relativize(layout.splitFile(split, label)).toString().replace('\\', '/');
                assertTrue(files.containsKey(path), path);
            }
        }
        files.values().forEach(h -> assertTrue(h.matches("[0-9a-f]{64}"), h));
    }

    @Test
    void parsesSha256sumLines() {
        Sha256Manifest m = Sha256Manifest.parse(HASH + "  a/b c.png\r\n\n" + HASH.toUpperCase() + " *d/e.txt", "m");
        assertEquals(List.of("a/b c.png", "d/e.txt"), List.copyOf(m.files().keySet()));
        assertEquals(List.of(HASH, HASH), List.copyOf(m.files().values()));
    }

    @Test
    void refusesMalformedLinesUnsafePathsAndRepeats() {
        Map<String, String> bad = Map.of(
                HASH.substring(2) + "  a.png", "m line 1: expected '<sha256>  <path>', got '" + HASH.substring(2) + "  a.png'",
                HASH + " a.png", "m line 1: expected '<sha256>  <path>', got '" + HASH + " a.png'",
                HASH + "  ../a.png", "m line 1: path '../a.png' has an empty, '.' or '..' segment",
                HASH + "  a//b.png", "m line 1: path 'a//b.png' has an empty, '.' or '..' segment",
                HASH + "  /etc/a.png", "m line 1: path '/etc/a.png' is not a relative path with / separators",
                HASH + "  a\\b.png", "m line 1: path 'a\\b.png' is not a relative path with / separators",
                HASH + "  a.png\n" + HASH + "  a.png", "m line 2: 'a.png' is listed twice",
                "\n", "m lists no files");
        bad.forEach((text, message) -> assertEquals(message,
                assertThrows(IllegalArgumentException.class, () -> Sha256Manifest.parse(text, "m")).getMessage(), text));
    }
}
