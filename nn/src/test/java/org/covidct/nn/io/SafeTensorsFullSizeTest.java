package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import org.covidct.nn.Generator;
import org.covidct.nn.Parameter;
import org.covidct.nn.models.Vgg;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full-size vgg19_bn (143,678,248 parameters, 548 MiB) through the safetensors writer and back. */
class SafeTensorsFullSizeTest {
    static final long VGG19_BN_PARAMETERS = 143_678_248L;

    @TempDir
    Path dir;

    @Test
    void fullSizeVgg19BnRoundTripsExactly() throws IOException {
        Path file = dir.resolve("vgg19_bn.safetensors");
        try (Vgg model = Vgg.create("vgg19_bn", 1000, new Generator(19))) {
            long parameters = 0;
            for (Parameter p : model.parameters()) {
                parameters += p.data().numel();
            }
            assertEquals(VGG19_BN_PARAMETERS, parameters);

            Map<String, Tensor> state = model.stateDict();
            SafeTensors.write(file, state, Map.of("format", "pt"));
            assertTrue(Files.size(file) > 4 * VGG19_BN_PARAMETERS);

            Map<String, Tensor> back = SafeTensors.read(file);
            try {
                assertEquals(new ArrayList<>(state.keySet()), new ArrayList<>(back.keySet()));
                for (Map.Entry<String, Tensor> e : state.entrySet()) {
                    Tensor got = back.get(e.getKey());
                    assertArrayEquals(e.getValue().dims(), got.dims(), e.getKey());
                    assertTrue(Arrays.equals(e.getValue().toArray(), got.toArray()), e.getKey() + " differs");
                }
            } finally {
                back.values().forEach(Tensor::close);
            }
        }
    }
}
