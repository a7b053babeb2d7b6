package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelMetadataTest {
    private static final Path FILE = Path.of("run.safetensors");
    private static final ModelMetadata VGG = ModelMetadata.of("vgg11_bn", 32, new float[] {0f, 0f, 0f},
            new float[] {1f, 1f, 1f}, List.of("NonCOVID", "COVID"), "COVID");

    @Test
    void roundTripsThroughAStringMap() throws IOException {
        Map<String, String> meta = VGG.toMetadata();
        assertEquals(Map.of("architecture", "vgg11_bn", "image_size", "32", "normalize_mean", "[0.0,0.0,0.0]",
                "normalize_std", "[1.0,1.0,1.0]", "class_names", "[\"NonCOVID\",\"COVID\"]", "positive_class", "COVID",
                "library_version", LibraryVersion.get()), meta);
        assertEquals(Optional.of(VGG), ModelMetadata.fromMetadata(meta, FILE));
    }

    /** Files from before the description, and other people's files, have none: the caller's defaults apply. */
    @Test
    void aFileWithoutItHasNone() throws IOException, URISyntaxException {
        assertEquals(Optional.empty(), ModelMetadata.fromMetadata(Map.of("format", "pt"), FILE));
        Path torch = Path.of(ModelMetadataTest.class.getResource("/weights/vgg11bn_narrow.zip.pth").toURI());
        assertEquals(Optional.empty(), ModelMetadata.read(torch));
        Path safetensors = Path.of(ModelMetadataTest.class.getResource("/weights/vgg11bn_narrow.safetensors").toURI());
        assertEquals(Optional.empty(), ModelMetadata.read(safetensors));
    }

    @Test
    void anIncompleteOrDamagedOneIsReportedNamingTheFileAndTheKey() {
        Map<String, String> meta = new LinkedHashMap<>(VGG.toMetadata());
        meta.remove("normalize_std");
        WeightFileException e = assertThrows(WeightFileException.class, () -> ModelMetadata.fromMetadata(meta, FILE));
        assertEquals("run.safetensors: its metadata names an architecture but lacks 'normalize_std'", e.getMessage());

        for (String[] damage : new String[][] {{"image_size", "large"}, {"normalize_mean", "[0, 0"},
                {"positive_class", "Healthy"}, {"class_names", "[\"COVID\"]"}}) {
            Map<String, String> broken = new LinkedHashMap<>(VGG.toMetadata());
            broken.put(damage[0], damage[1]);
            e = assertThrows(WeightFileException.class, () -> ModelMetadata.fromMetadata(broken, FILE),
                    String.join("=", damage));
            assertTrue(e.getMessage().startsWith("run.safetensors: the model description in its metadata is invalid ("),
                    e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
        assertThrows(WeightFileException.class, () -> ModelMetadata.read(Path.of("no", "such.safetensors")));
    }
}
