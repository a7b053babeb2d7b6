package org.covidct.app.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.io.SafeTensors;
import org.covidct.nn.io.WeightFileException;
import org.covidct.nn.models.MobileNetV2;
import org.covidct.nn.models.Vgg;
import org.covidct.tensor.Tensor;
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
    void anImageNetHeadIsRefusedNamingTheTensorAndBothShapes() throws IOException {
        try (Vgg imagenet = new Vgg(CONFIG, true, 16, 1000, new Generator(1));
             Vgg covid = new Vgg(CONFIG, true, 16, ClassifierModels.CLASSES, new Generator(2))) {
            float[] before = covid.stateDict().get("features.0.weight").toArray();
            Path file = save(imagenet, "imagenet.safetensors");
            WeightFileException e = assertThrows(WeightFileException.class, () -> ClassifierModels.load(covid, file));
            assertEquals(file + ": the head classifier.6.weight (file [1000, 16], model [2, 16]) has 1000 classes, "
                    + "not the classifier's 2 (only train --weights replaces a head)", e.getMessage());
            assertArrayEquals(before, covid.stateDict().get("features.0.weight").toArray(), "nothing was copied");
        }
    }

    /** Fine-tuning keeps the new head, loads everything else and says what it replaced. */
    @Test
    void fineTuningReplacesAnImageNetHeadAndSaysSo() throws IOException {
        try (MobileNetV2 imagenet = new MobileNetV2(1000, MobileNetV2.Variant.TORCHVISION, new Generator(1))) {
            Path file = save(imagenet, "imagenet.safetensors");
            List<String> notices = new ArrayList<>();
            try (Module tuned = ClassifierModels.buildForFineTuning("mobilenet_v2", file.toString(), new Generator(2),
                    notices::add);
                 Module fresh = ClassifierModels.build("mobilenet_v2", "none", new Generator(2))) {
                assertEquals(List.of("replacing the 1000-class head classifier.1 of " + file + " with a new 2-class one"),
                        notices);
                assertArrayEquals(imagenet.stateDict().get("features.0.0.weight").toArray(),
                        tuned.stateDict().get("features.0.0.weight").toArray());
                assertArrayEquals(fresh.stateDict().get("classifier.1.weight").toArray(),
                        tuned.stateDict().get("classifier.1.weight").toArray(), "the new head is kept");
            }
            assertThrows(WeightFileException.class,
                    () -> ClassifierModels.build("mobilenet_v2", file.toString(), new Generator(2)).close());
        }
    }

    @Test
    void weightsHoldingNaNAreRefusedNamingTheFileAndTensor() throws IOException {
        try (Vgg trained = new Vgg(CONFIG, true, 16, 2, new Generator(1));
             Vgg fresh = new Vgg(CONFIG, true, 16, 2, new Generator(2))) {
            Map<String, Tensor> state = new LinkedHashMap<>(trained.stateDict());
            float[] values = state.get("classifier.3.weight").toArray();
            values[5] = Float.POSITIVE_INFINITY;
            try (Tensor broken = Tensor.of(values, state.get("classifier.3.weight").dims())) {
                state.put("classifier.3.weight", broken);
                Path file = dir.resolve("inf.safetensors");
                SafeTensors.write(file, state, Map.of());
                WeightFileException e = assertThrows(WeightFileException.class, () -> ClassifierModels.load(fresh, file));
                assertEquals(file + ": tensor classifier.3.weight [16, 16] holds Infinity at element 5; the weights "
                        + "are corrupt", e.getMessage());
            }
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
                try (Module built = ClassifierModels.buildForFineTuning("mobilenet_v2", file.toString(),
                        new Generator(2), notice -> { });
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
