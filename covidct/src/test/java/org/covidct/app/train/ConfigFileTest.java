package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.covidct.app.data.DataLayout;
import org.covidct.app.metrics.ClassNames;
import org.covidct.nn.data.split.SplitFractions;
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

    private final RecordedData recorded = new RecordedData(DataLayout.CSV_MANIFEST, new ClassNames("normal",
            "pneumonia"), "0123456789abcdef".repeat(4));

    private final TrainConfig named = new TrainConfig("vgg11_bn", "none", Path.of("/data/x.csv"), Path.of("/runs/a"), 3,
            4, 2, 0.01f, 0.9f, 32, 7, 2, 5, "pneumonia", new SplitFractions(0.7, 0.2, 0.1), TrainingRecipe.TRANSFER
            .with(TrainingRecipe.OptimizerKind.SGD, 0.001f, null, 3, null, null, 1, 0f, false));

    @Test
    void whatIsWrittenIsReadBack() throws IOException {
        Path file = dir.resolve("config.json");
        ConfigFile.write(file, named, recorded);
        assertEquals(named, ConfigFile.read(file, Path.of("/runs/a")));
        assertEquals(Optional.of(recorded), ConfigFile.readData(file));
    }

    /** A config.json from before the data set was recorded: COVID-CT, its class names deciding, COVID-CT's shares. */
    @Test
    void aFileWithoutTheDataSetsRecordIsARunOnCovidCt() throws IOException {
        Path file = dir.resolve("config.json");
        ConfigFile.write(file, config, recorded);
        String json = Files.readString(file);
        for (String field : List.of("data_layout", "classes", "positive_class", "split_fractions", "split_sha256")) {
            json = json.replaceAll("(?m)^  \"" + field + "\" : .*\\R", "");
        }
        Files.writeString(file, json);
        assertEquals(config, ConfigFile.read(file, Path.of("/runs/a")));
        assertEquals(null, config.positiveClass());
        assertEquals(SplitFractions.COVID_CT, config.splitFractions());
        assertEquals(Optional.empty(), ConfigFile.readData(file));
    }

    /** A config.json from before recipes were recorded: the tutorial's. */
    @Test
    void aFileWithoutARecipeIsATutorialRun() throws IOException {
        Path file = dir.resolve("config.json");
        ConfigFile.write(file, named, recorded);
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(file.toFile());
        assertEquals("transfer", json.get("recipe").get("name").asText());
        json.remove("recipe");
        Files.writeString(file, json.toPrettyString());
        assertEquals(named.withRecipe(TrainingRecipe.TUTORIAL), ConfigFile.read(file, Path.of("/runs/a")));
    }

    @Test
    void damagedRecipesAreRefusedNamingTheField() throws IOException {
        Path file = dir.resolve("config.json");
        ConfigFile.write(file, named, recorded);
        String json = Files.readString(file);
        Files.writeString(file, json.replace("\"optimizer\" : \"sgd\"", "\"optimizer\" : \"adam\""));
        assertEquals(file + ": field \"recipe.optimizer\" is missing or not one of [sgd, adamw]", refusal(file));
        Files.writeString(file, json.replace("\"test_time_flip\" : false", "\"test_time_flip\" : 0"));
        assertEquals(file + ": field \"recipe.test_time_flip\" is missing or not true or false", refusal(file));
        Files.writeString(file, json.replace("\"label_smoothing\" : 0.1", "\"label_smoothing\" : 1.5"));
        assertEquals(file + ": invalid recipe settings: weight decay 0.001, warm-up epochs 3, label smoothing 1.5 (0 to "
                + "below 1), freeze epochs 1, EMA decay 0.0 (0 to below 1)", refusal(file));
    }

    @Test
    void damagedFilesAreRefusedNamingTheFileAndTheField() throws IOException {
        Path file = dir.resolve("config.json");
        ConfigFile.write(file, named, recorded);
        String json = Files.readString(file);

        Files.writeString(file, json.replace("\"csv-manifest\"", "\"csv\""));
        assertEquals(file + ": field \"data_layout\" is none of covid-ct, image-folder, csv-manifest",
                assertThrows(IOException.class, () -> ConfigFile.readData(file)).getMessage());
        Files.writeString(file, json.replace("\"positive_class\" : \"pneumonia\"", "\"positive_class\" : \"normal\""));
        assertEquals(file + ": field \"positive_class\" is not the second of \"classes\"",
                assertThrows(IOException.class, () -> ConfigFile.readData(file)).getMessage());
        Files.writeString(file, json.replace("\"0123456789abcdef", "\"x123456789abcdef"));
        assertEquals(file + ": field \"split_sha256\" is missing or not a SHA-256 in hex",
                assertThrows(IOException.class, () -> ConfigFile.readData(file)).getMessage());
        Files.writeString(file, json.replaceAll("\"split_fractions\" : \"[^\"]*\"", "\"split_fractions\" : \"0.5,0.5\""));
        assertEquals(file + ": split fractions '0.5,0.5': expected three numbers train,val,test such as 0.7,0.15,0.15",
                refusal(file));

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
