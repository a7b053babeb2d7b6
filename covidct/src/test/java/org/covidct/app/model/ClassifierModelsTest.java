package org.covidct.app.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.io.SafeTensors;
import org.covidct.nn.io.WeightFileException;
import org.covidct.nn.models.MobileNetV2;
import org.covidct.nn.models.Vgg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which weight files the classifier accepts, and how it says no. */
class ClassifierModelsTest {
    private static final int[] CONFIG = {4, Vgg.M, 8, Vgg.M};

    @TempDir
    Path dir;

    private Path save(Module model, String name) throws IOException {
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
            assertEquals(file + ": does not fit this architecture: 7 keys differ, such as unexpected features.7.weight, "
                    + "unexpected features.7.bias, unexpected features.8.weight (were the weights trained as another "
                    + "--arch?)", e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            assertArrayEquals(before, model.stateDict().get("classifier.0.weight").toArray(),
                    "nothing that does not fit was copied");
        }
    }

    /** A mobilenet_v2 takes the variant its weights were saved from, and the ImageNet head is replaced. */
    @Test
    void mobileNetVariantFollowsTheWeights() throws IOException {
        for (MobileNetV2.Variant v : MobileNetV2.Variant.values()) {
            try (MobileNetV2 imagenet = new MobileNetV2(1000, v, new Generator(1))) {
                Path file = save(imagenet, v + ".safetensors");
                try (Module built = ClassifierModels.build("mobilenet_v2", file.toString(), new Generator(2));
                     Module fresh = ClassifierModels.build("mobilenet_v2", "none", new Generator(2), file)) {
                    MobileNetV2 m = assertInstanceOf(MobileNetV2.class, built);
                    assertEquals(v, m.variant());
                    assertEquals(ClassifierModels.CLASSES, m.numClasses());
                    assertEquals(2f, m.inputScale());
                    assertEquals(-1f, m.inputShift());
                    assertArrayEquals(imagenet.stateDict().get("features.0.0.weight").toArray(),
                            m.stateDict().get("features.0.0.weight").toArray());
                    assertEquals(v, ((MobileNetV2) fresh).variant(), "a resumed run is built like its checkpoint");
                }
            }
        }
        try (Module scratch = ClassifierModels.build("mobilenet_v2", "none", new Generator(0))) {
            assertEquals(MobileNetV2.Variant.TORCHVISION, ((MobileNetV2) scratch).variant());
        }
    }
}
