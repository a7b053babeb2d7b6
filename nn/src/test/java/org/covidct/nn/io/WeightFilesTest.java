package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WeightFilesTest {
    @TempDir
    Path dir;

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(WeightFilesTest.class.getResource("/weights/" + name).toURI());
    }

    private static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
        expected.forEach((k, v) -> {
            assertArrayEquals(v.dims(), actual.get(k).dims(), k);
            assertArrayEquals(v.toArray(), actual.get(k).toArray(), k);
        });
    }

    /** The .pth fixtures and the safetensors file the fixture script wrote by hand hold one state dict. */
    @ParameterizedTest
    @ValueSource(strings = {"vgg11bn_narrow.zip.pth", "vgg11bn_narrow.legacy.pth", "vgg11bn_narrow.safetensors"})
    void convertsToSafeTensorsThatMatchAnIndependentWriter(String input) throws Exception {
        Path converted = dir.resolve("out.safetensors");
        WeightFiles.Conversion c = WeightFiles.convert(fixture(input), converted);
        assertEquals(converted, c.output());
        assertEquals(Map.of("format", "pt", "source", input), SafeTensors.readMetadata(converted));
        Map<String, Tensor> reference = SafeTensors.read(fixture("vgg11bn_narrow.safetensors"));
        Map<String, Tensor> ours = SafeTensors.read(converted);
        try {
            assertSameTensors(reference, ours);
            assertEquals(reference.size(), c.tensors());
            assertEquals(reference.values().stream().mapToLong(Tensor::numel).sum(), c.values());
        } finally {
            reference.values().forEach(Tensor::close);
            ours.values().forEach(Tensor::close);
        }
    }

    @Test
    void failuresNameTheFileAndWriteNothing() throws IOException {
        Path out = dir.resolve("o.safetensors");
        Path missing = dir.resolve("nope.pth");
        IOException e = assertThrows(WeightFileException.class, () -> WeightFiles.convert(missing, out));
        assertEquals(missing + ": no such file", e.getMessage());

        Path garbage = Files.writeString(dir.resolve("garbage.pth"), "this is not a weight file");
        e = assertThrows(IOException.class, () -> WeightFiles.convert(garbage, out));
        assertTrue(e.getMessage().contains("garbage.pth"), e.getMessage());

        byte[] bad = SafeTensorsTest.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[9],\"data_offsets\":[0,36]}}", new byte[8]);
        Path truncated = Files.write(dir.resolve("cut.safetensors"), bad);
        e = assertThrows(WeightFileException.class, () -> WeightFiles.convert(truncated, out));
        assertTrue(e.getMessage().startsWith(truncated.toString()), e.getMessage());
        assertFalse(Files.exists(out));
    }
}
