package org.covidct.app;

import static org.covidct.app.CliRun.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.covidct.app.model.Architecture;
import org.covidct.nn.Generator;
import org.covidct.nn.io.SafeTensors;
import org.covidct.nn.models.MobileNetV2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Usage errors exit 2 and failed runs 1, each with one line and before the device is probed; every
 * option says what it does and what it defaults to.
 */
class CliUsageTest {
    @TempDir
    Path dir;

    private static void assertUsageError(String expected, String... args) {
        CliRun r = cli(args);
        String command = String.join(" ", args);
        assertEquals(2, r.code(), command + ": " + r.err());
        assertEquals(1, r.err().strip().lines().count(), command + ": " + r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(expected), command + ": " + r.err());
        assertEquals("", r.out(), command);
    }

    @Test
    void everyUsageErrorExitsTwo() throws IOException {
        String data = dir.toString();
        Path weights = Files.writeString(dir.resolve("w.pth"), "not read");
        assertUsageError("--weights", "evaluate", "--data", data);
        assertUsageError("'resnet50'", "train", "--arch", "resnet50", "--data", data);
        assertUsageError("'everything'", "evaluate", "--weights", weights.toString(), "--data", data, "--split",
                "everything");
        assertUsageError("'gpu'", "bench", "--device", "gpu");
        assertUsageError("--steps 0", "bench", "--steps", "0");
        assertUsageError("--warmup-seconds -1.0", "bench", "--warmup-seconds", "-1");
        assertUsageError("epochs 0", "train", "--data", data, "--epochs", "0");
        assertUsageError("--image-size 16", "predict", "--weights", weights.toString(), "--image-size", "16", "a.png");
        assertUsageError("--batch-size 0", "predict", "--weights", weights.toString(), "--batch-size", "0", "a.png");
        assertUsageError("--imagenet needs --arch mobilenet_v2", "predict", "--weights", weights.toString(),
                "--imagenet", "a.png");
        assertUsageError("--lr cannot be given with --resume", "train", "--resume", data, "--lr", "0.1");
        assertUsageError("--per-gallery 0", "analyze", "--run", data, "--per-gallery", "0");
        assertUsageError("not an http(s) URL", "weights", "download", "--url", "ftp://host/w.pth");
        assertUsageError("--arch mobilenet_v2", "weights", "download", "--arch", "mobilenet_v2");
        assertUsageError("Unknown option", "gradcam", "--weights", weights.toString(), "--image", "a.png", "--colour");
        String tooMany = "--batch-size 100000 at 224 px: the first layer's activations would hold 321,126,400,000 "
                + "values, more than a tensor can (2,147,483,647); use --batch-size 668 or less";
        assertUsageError(tooMany, "bench", "--image-size", "224", "--batch-size", "100000");
        assertUsageError(tooMany, "train", "--data", data, "--batch-size", "100000");
        assertUsageError("--batch-size 0", "evaluate", "--weights", weights.toString(), "--data", data,
                "--batch-size", "0");
        String tooLarge = "--image-size 30000: must be 32 to 4096 pixels";
        assertUsageError(tooLarge, "bench", "--image-size", "30000");
        assertUsageError(tooLarge, "train", "--data", data, "--image-size", "30000");
        assertUsageError(tooLarge, "predict", "--weights", weights.toString(), "--image-size", "30000", "a.png");
        assertUsageError(tooLarge, "predict", "--arch", "mobilenet_v2", "--weights", weights.toString(),
                "--imagenet", "--image-size", "30000", "a.png");
    }

    /** An ImageNet file's head has 1000 classes: only train may replace it; predict refuses it. */
    @Test
    void predictRefusesAHeadOfAnotherNumberOfClasses() throws IOException {
        Path file = dir.resolve("imagenet.safetensors");
        try (MobileNetV2 imagenet = new MobileNetV2(1000, MobileNetV2.Variant.TORCHVISION, new Generator(1))) {
            SafeTensors.write(file, imagenet.stateDict(), Map.of());
        }
        CliRun r = cli("predict", "--arch", "mobilenet_v2", "--weights", file.toString(), "--device", "cpu", "a.png");
        assertEquals(1, r.code(), r.err());
        assertEquals("error: " + file + ": the head classifier.1.weight (file [1000, 1280], model [2, 1280]) has 1000 "
                + "classes, not the classifier's 2 (only train --weights replaces a head)", r.err().strip());
        assertEquals("", r.out());
    }

    /** A 64 MB heap cannot hold the first layer's 537 MB of activations. */
    @Test
    void runningOutOfMemoryIsOneLine() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "bench", "--image-size", "512", "--batch-size", "8", "--device", "cpu",
                "--steps", "1", "--warmup-seconds", "0").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)
                .replaceAll("(?m)^WARNING: Using incubator modules.*\\R", "");
        assertEquals(1, p.waitFor(), err);
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith("error: bench ran out of memory (") && err.contains("-Xmx")
                && err.contains("--batch-size") && err.contains("--image-size"), err);
    }

    /** With --device auto, probing CUDA would print a warning first when it is missing: the usage error comes first. */
    @Test
    void optionsAreCheckedBeforeTheDeviceIsProbed() {
        CliRun r = cli("train");
        assertEquals(2, r.code());
        assertEquals("error: --data PATH is required: a COVID-CT checkout, an ImageFolder tree or a CSV manifest "
                + "(`covidct data download` fetches COVID-CT and prints the folder to pass)", r.err().strip());
    }

    @Test
    void aFailedRunExitsOne() {
        Path missing = dir.resolve("missing.pth");
        CliRun r = cli("weights", "convert", missing.toString(), dir.resolve("out.safetensors").toString());
        assertEquals(1, r.code());
        assertEquals("error: " + missing + ": no such file", r.err().strip());
        assertFalse(Files.exists(dir.resolve("out.safetensors")));
    }

    private static List<CommandLine> commands(CommandLine cli) {
        List<CommandLine> all = new ArrayList<>(List.of(cli));
        cli.getSubcommands().values().forEach(sub -> all.addAll(commands(sub)));
        return all;
    }

    @Test
    void everyOptionIsDescribedWithItsDefault() {
        for (CommandLine cmd : commands(new CommandLine(new Main()))) {
            CommandSpec spec = cmd.getCommandSpec();
            for (OptionSpec o : spec.options()) {
                String where = spec.qualifiedName() + " " + o.longestName();
                String description = String.join(" ", o.description());
                assertFalse(description.isBlank(), where + " has no description");
                if (o.usageHelp() || o.versionHelp() || o.required() || o.arity().max() == 0
                        || description.contains("; required ")) {
                    continue; // --help and --version, required options and flags have no default to tell
                }
                assertTrue(description.contains("default: "), where + " does not say its default: " + description);
                if (o.defaultValue() != null) {
                    assertTrue(description.contains("(default: " + o.defaultValue()), where + ": " + description);
                }
            }
        }
    }

    @Test
    void architecturesSplitsAndDevicesAreEnums() {
        int archOptions = 0;
        for (CommandLine cmd : commands(new CommandLine(new Main()))) {
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                String where = cmd.getCommandSpec().qualifiedName() + " " + o.longestName();
                switch (o.longestName()) {
                    case "--arch" -> {
                        assertEquals(Architecture.class, o.type(), where);
                        assertTrue(String.join(" ", o.description()).contains("vgg11, vgg11_bn, "), where);
                        archOptions++;
                    }
                    case "--split", "--device" -> assertTrue(o.type().isEnum(), where);
                    default -> { }
                }
            }
        }
        assertEquals(6, archOptions, "train, evaluate, predict, gradcam, bench and weights download");
    }
}
