package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.nn.io.SafeTensors;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A resumed run's config.json: read back exactly, refused in one line when damaged or edited. */
class ConfigFileTest {
    @TempDir
    Path dir;

    private final TrainConfig config = new TrainConfig("vgg11_bn", "none", Path.of("/data/covid-ct"),
            Path.of("/runs/a"), 3, 4, 2, 0.01f, 0.9f, 32, 7, 2, 5);

    @Test
    void whatIsWrittenIsReadBack() throws IOException {
        Path file = dir.resolve("config.json");
        ConfigFile.write(file, config);
        assertEquals(config, ConfigFile.read(file, Path.of("/runs/a")));
    }

    @Test
    void damagedFilesAreRefusedNamingTheFileAndTheField() throws IOException {
        Path file = dir.resolve("config.json");
        ConfigFile.write(file, config);
        String json = Files.readString(file);

        Files.writeString(file, json.replace("\"epochs\" : 3", "\"epochs\" : \"three\""));
        assertEquals(file + ": field \"epochs\" is missing or not an integer", refusal(file));

        Files.writeString(file, json.replace("\"arch\" : \"vgg11_bn\",", ""));
        assertEquals(file + ": field \"arch\" is missing or not a string", refusal(file));

        Files.writeString(file, json.substring(0, json.length() / 2));
        assertEquals(file + ": not valid JSON at line", refusal(file).replaceAll(" \\d+, column \\d+$", ""));

        Files.writeString(file, json.replace("\"image_size\" : 32", "\"image_size\" : 30000"));
        assertEquals(1, refusal(file).lines().count());
    }

    @Test
    void settingsThatContradictTheCheckpointAreRefused() throws IOException {
        Path checkpoint = dir.resolve("last.safetensors");
        ModelMetadata trained = ModelMetadata.of("vgg11_bn", 32, new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.5f, 0.5f, 0.5f}, List.of("NonCOVID", "COVID"), "COVID");
        try (Tensor t = Tensor.of(new float[] {1}, 1)) {
            SafeTensors.write(checkpoint, Map.of("w", t), trained.toMetadata());
        }
        Path file = dir.resolve("config.json");
        assertDoesNotThrow(() -> ConfigFile.requireMatches(config, file, checkpoint));

        TrainConfig edited = new TrainConfig("vgg11_bn", "none", Path.of("/data/covid-ct"), Path.of("/runs/a"), 3, 4,
                2, 0.01f, 0.9f, 64, 7, 2, 5);
        IOException e = assertThrows(IOException.class, () -> ConfigFile.requireMatches(edited, file, checkpoint));
        assertEquals(file + " says vgg11_bn at 64 px, but " + checkpoint + " holds vgg11_bn at 32 px; put back the "
                + "settings the run was started with", e.getMessage());
    }

    private static String refusal(Path file) {
        return assertThrows(IOException.class, () -> ConfigFile.read(file, Path.of("/runs/a"))).getMessage();
    }
}
