package org.covidct.app.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.covidct.nn.Generator;
import org.covidct.nn.io.SafeTensors;
import org.covidct.nn.io.WeightFileException;
import org.covidct.nn.models.Vgg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which weight files the classifier accepts, and how it says no. */
class ClassifierModelsTest {
    private static final int[] CONFIG = {4, Vgg.M, 8, Vgg.M};

    @TempDir
    Path dir;

    private Path save(Vgg model, String name) throws IOException {
        Path file = dir.resolve(name);
        SafeTensors.write(file, model.stateDict(), Map.of());
        return file;
    }

    @Test
    void anImageNetHeadIsReplacedAndEverythingElseLoads() throws IOException {
        try (Vgg imagenet = new Vgg(CONFIG, true, 16, 1000, new Generator(1));
             Vgg covid = new Vgg(CONFIG, true, 16, ClassifierModels.CLASSES, new Generator(2))) {
            float[] head = covid.stateDict().get("classifier.6.weight").toArray();
            ClassifierModels.load(covid, save(imagenet, "imagenet.safetensors"));
            assertArrayEquals(imagenet.stateDict().get("features.0.weight").toArray(),
                    covid.stateDict().get("features.0.weight").toArray());
            assertArrayEquals(imagenet.stateDict().get("classifier.3.weight").toArray(),
                    covid.stateDict().get("classifier.3.weight").toArray());
            assertArrayEquals(head, covid.stateDict().get("classifier.6.weight").toArray(), "the new head is kept");
        }
    }

    @Test
    void aTwoClassStateDictFromPyTorchLoadsWhole() throws IOException {
        try (Vgg trained = new Vgg(CONFIG, true, 16, 2, new Generator(1));
             Vgg fresh = new Vgg(CONFIG, true, 16, 2, new Generator(2))) {
            ClassifierModels.load(fresh, save(trained, "two_class.safetensors"));
            trained.stateDict().forEach((k, v) -> assertArrayEquals(v.toArray(), fresh.stateDict().get(k).toArray(), k));
        }
    }

    @Test
    void weightsOfAnotherArchitectureAreRefusedNamingTheFile() throws IOException {
        try (Vgg other = new Vgg(new int[] {4, Vgg.M, 8, 8, Vgg.M}, true, 16, 2, new Generator(1));
             Vgg model = new Vgg(CONFIG, true, 16, 2, new Generator(2))) {
            float[] before = model.stateDict().get("classifier.0.weight").toArray();
            Path file = save(other, "other.safetensors");
            WeightFileException e = assertThrows(WeightFileException.class, () -> ClassifierModels.load(model, file));
            assertTrue(e.getMessage().startsWith(file + ": does not fit this architecture"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            assertArrayEquals(before, model.stateDict().get("classifier.0.weight").toArray(),
                    "nothing that does not fit was copied");
        }
    }
}
