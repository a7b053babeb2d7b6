package org.covidct.nn.data.layout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.covidct.nn.data.image.TestImages;

/** Folder trees for the layout tests: small PNGs, other files and links, and the golden fixture. */
final class Trees {
    private static JsonNode fixture;

    private Trees() {
    }

    /** nn/src/test/resources/golden/datasets.json (scripts/golden/make_dataset_fixtures.py). */
    static synchronized JsonNode fixture() {
        if (fixture == null) {
            try (InputStream in = Trees.class.getResourceAsStream("/golden/datasets.json")) {
                fixture = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fixture;
    }

    /** Writes a small PNG at {@code base/relative} (folders made), whatever the name's extension. */
    static Path png(Path base, String relative) throws IOException {
        Path file = base.resolve(relative);
        Files.createDirectories(file.getParent());
        return TestImages.writePng(TestImages.random(3, 2, relative.hashCode()), file);
    }

    /** Writes a text file at {@code base/relative} (folders made). */
    static Path text(Path base, String relative) throws IOException {
        Path file = base.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "not an image");
    }

    /** Makes a fixture tree under {@code base}: files with an image extension as PNGs, others as text. */
    static void build(Path base, JsonNode tree) throws IOException {
        for (JsonNode f : tree.get("files")) {
            String name = f.asText();
            if (ClassFolderWalk.EXTENSIONS.contains(ClassFolderWalk.extension(name))) {
                png(base, name);
            } else {
                text(base, name);
            }
        }
        for (JsonNode d : tree.get("dirs")) {
            Files.createDirectories(base.resolve(d.asText()));
        }
        for (JsonNode link : tree.get("links")) {
            Files.createSymbolicLink(base.resolve(link.get(0).asText()), Path.of(link.get(1).asText()));
        }
    }
}
