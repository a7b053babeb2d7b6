package org.covidct.app.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.data.image.Normalize;
import org.covidct.nn.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's heap and collector, sized from the command's network. */
class HeapBudgetTest {
    private static final long GIB = 1L << 30;

    private static long budget(String... args) {
        return HeapBudget.of(List.of(args));
    }

    /**
     * vgg19_bn's step at 224 on batches of 8 ran at full speed in 3.3 GB of heap (BENCHMARKS-vgg.md),
     * so bench's budget must be at least that, and not much more: the collector fills what it is
     * given. train also holds the best checkpoint's model at its end: vgg11_bn needed 3 GB for that
     * at 32 px, where the step alone needs far less.
     */
    @Test
    void trainingBudgetsFollowTheNetworkTheOptimiserAndTheBatch() {
        long vgg = budget("bench", "--device", "cpu");
        assertTrue(vgg >= 3300 * HeapBudget.MIB && vgg < 4 * GIB, "vgg19_bn's step at 224, batch 8, SGD: " + vgg);
        assertTrue(budget("train", "--data", "d", "--out", "o") > vgg, "train holds the best model at its end");
        assertTrue(budget("train", "--arch", "vgg11_bn", "--image-size", "32") >= 3000 * HeapBudget.MIB,
                "vgg11_bn at 32 px ran out of memory at the end of train in 2.5 GB and finished in 3.0 GB");
        assertTrue(budget("train", "--optimizer", "adamw") > vgg, "AdamW keeps two moments, SGD one momentum");
        assertTrue(budget("train", "--recipe", "transfer") > budget("train", "--optimizer", "adamw"),
                "the transfer recipe adds a moving average of the weights");
        assertEquals(budget("train", "--optimizer", "adamw"), budget("train", "--recipe", "transfer", "--ema-decay", "0"));
        long mobilenet = budget("train", "--arch", "mobilenet_v2", "--batch-size", "32");
        assertTrue(budget("train", "--arch", "mobilenet_v2", "--batch-size", "64") > mobilenet);
        assertTrue(budget("train", "--arch=mobilenet_v2", "--batch-size", "64", "--image-size", "112") < mobilenet);
        assertEquals(HeapBudget.MIN_TRAINING, budget("train", "--arch", "mobilenet_v2", "--batch-size", "2"));
    }

    @Test
    void scoringReadsTheArchitectureFromTheCheckpoint(@TempDir Path dir) throws IOException {
        Path checkpoint = dir.resolve("mobilenet.safetensors");
        try (Module model = ClassifierModels.build("mobilenet_v2", "none", new Generator(0))) {
            SafeTensors.write(checkpoint, model.stateDict(),
                    ClassifierModels.describe("mobilenet_v2", 224, Normalize.TUTORIAL).toMetadata());
        }
        long mobilenet = budget("predict", "--weights", checkpoint.toString(), "x.png");
        assertTrue(mobilenet < GIB, "one mobilenet_v2 image: " + mobilenet);
        long vgg = budget("predict", "--weights", dir.resolve("vgg.pth").toString(), "x.png");
        assertTrue(vgg > 1.5 * GIB, "vgg19_bn, the default for weights that record nothing: " + vgg);
        assertEquals(vgg, budget("predict", "--weights", checkpoint.toString(), "--arch", "vgg19_bn", "x.png"));
        assertTrue(budget("evaluate", "--weights", checkpoint.toString(), "--batch-size", "64") > mobilenet);
    }

    @Test
    void commandsWithoutANetworkOrWithBadOptionsGetTheBase(@TempDir Path dir) throws IOException {
        assertEquals(HeapBudget.BASE, budget("data", "download", "--dir", "d"));
        assertEquals(HeapBudget.BASE, budget("--help"));
        assertEquals(HeapBudget.BASE, budget("train", "--batch-size", "many"));
        assertEquals(HeapBudget.BASE, budget("train", "--arch", "resnet"));
        Path garbage = Files.writeString(dir.resolve("bad.safetensors"), "not a header");
        assertEquals(budget("predict", "--weights", "w.pth"), budget("predict", "--weights", garbage.toString()));
    }

    @Test
    void theUsersOwnFlagsWin() {
        List<String> scoring = List.of("predict", "--weights", "w.pth", "x.png");
        List<String> training = List.of("train", "--arch", "mobilenet_v2", "--batch-size", "32");
        List<String> vgg = List.of("train", "--arch", "vgg19_bn");
        assertTrue(Launcher.memoryFlags(List.of(), scoring).contains("-XX:+UseSerialGC"));
        assertFalse(Launcher.memoryFlags(List.of(), training).contains("-XX:+UseSerialGC"));
        assertTrue(Launcher.memoryFlags(List.of(), vgg).contains("-XX:+UseSerialGC"));
        assertTrue(Launcher.memoryFlags(List.of(), training).contains("-Xmn256m"));
        assertTrue(Launcher.memoryFlags(List.of(), vgg).contains("-Xmn256m"));
        assertTrue(Launcher.memoryFlags(List.of("-Xmx3g"), training).stream().noneMatch(f -> f.startsWith("-Xmx")));
        assertEquals(List.of(), Launcher.memoryFlags(List.of("-Xmx1g", "-XX:+UseG1GC"), scoring));
        assertEquals(List.of("-Xmx" + Launcher.heapMiB(training) + "m"),
                Launcher.memoryFlags(List.of("-Xmn1g"), training));
        assertEquals(List.of("-Xmx" + Launcher.heapMiB(vgg) + "m"),
                Launcher.memoryFlags(List.of("-Xmn1g", "-XX:+UseG1GC"), vgg));
    }

    @Test
    void trainingAParameterHeavyNetworkGetsTheSerialCollector() {
        assertTrue(HeapBudget.parameterBound(List.of("train", "--arch", "vgg19_bn")));
        assertTrue(HeapBudget.parameterBound(List.of("bench", "--arch", "vgg19_bn", "--image-size", "112")));
        assertTrue(HeapBudget.parameterBound(List.of("train", "--arch", "vgg11_bn", "--recipe", "transfer")));
        assertFalse(HeapBudget.parameterBound(List.of("train", "--arch", "vgg19_bn", "--batch-size", "64")));
        assertFalse(HeapBudget.parameterBound(List.of("train", "--arch", "mobilenet_v2")));
        assertFalse(HeapBudget.parameterBound(List.of("predict", "--arch", "vgg19_bn", "x.png")));
        assertFalse(HeapBudget.parameterBound(List.of("train", "--arch", "resnet")));
    }

    @Test
    void optionsAreReadInBothSpellingsTheLastOneWinning() {
        assertEquals("b", HeapBudget.option(List.of("--arch", "a", "--arch=b"), "--arch").orElseThrow());
        assertTrue(HeapBudget.option(List.of("--arch"), "--arch").isEmpty());
        assertTrue(HeapBudget.option(List.of("--architecture=x"), "--arch").isEmpty());
    }
}
