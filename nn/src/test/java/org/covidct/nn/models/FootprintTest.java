package org.covidct.nn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.junit.jupiter.api.Test;

/** Footprint's counts against torchvision's models (scripts/golden/make_footprint_fixture.py) and against our own. */
class FootprintTest {
    private static List<String[]> cases() throws IOException {
        try (var in = new BufferedReader(new InputStreamReader(
                FootprintTest.class.getResourceAsStream("/golden/footprint.csv"), StandardCharsets.UTF_8))) {
            return in.lines().skip(1).map(line -> line.split(",")).toList();
        }
    }

    @Test
    void countsMatchTorchvisionsModels() throws IOException {
        List<String[]> cases = cases();
        assertEquals(7, cases.size());
        for (String[] c : cases) {
            Footprint f = Footprint.of(c[0], Integer.parseInt(c[1]), Integer.parseInt(c[2]));
            String name = c[0] + " with " + c[1] + " classes at " + c[2];
            assertEquals(Long.parseLong(c[3]), f.parameters(), name + ": parameters");
            assertEquals(Long.parseLong(c[4]), f.savedPerImage(), name + ": floats a training step keeps");
            assertEquals(Long.parseLong(c[5]), f.livePerImage(), name + ": largest layer input plus output");
        }
    }

    @Test
    void parametersMatchOurOwnMobileNetV2() {
        try (Module m = new MobileNetV2(3, MobileNetV2.Variant.TORCHVISION, new Generator(0))) {
            long floats = m.stateDict().entrySet().stream().filter(e -> !e.getKey().endsWith("num_batches_tracked"))
                    .mapToLong(e -> e.getValue().numel()).sum();
            assertEquals(floats, Footprint.of("mobilenet_v2", 3, 224).parameters());
        }
    }

    @Test
    void refusesUnknownArchitecturesAndSizes() {
        assertThrows(IllegalArgumentException.class, () -> Footprint.of("resnet50", 2, 224));
        assertThrows(IllegalArgumentException.class, () -> Footprint.of("vgg19_bn", 2, 0));
    }
}
