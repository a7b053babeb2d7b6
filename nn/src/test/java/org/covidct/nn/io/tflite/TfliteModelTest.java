package org.covidct.nn.io.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.covidct.nn.io.WeightFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader on {@link TinyTflite}: structure, options, dequantization, and clear errors. */
class TfliteModelTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void readsTensorsOperatorsAndQuantization() throws IOException {
        TfliteModel m = TfliteModel.read(write("tiny.tflite", TinyTflite.bytes()));
        assertEquals(9, m.tensors().size());
        assertArrayEquals(new int[] {0}, m.inputs());
        assertArrayEquals(new int[] {8}, m.outputs());
        TfliteTensor input = m.tensor(0);
        assertEquals("input", input.name());
        assertArrayEquals(new int[] {1, 4, 4, 3}, input.shape());
        assertEquals(3, input.typeCode());
        assertEquals(TinyTflite.INPUT_SCALE, input.quantization().scale(0));
        assertEquals(TinyTflite.INPUT_ZERO, input.quantization().zeroPoint(0));
        assertNull(m.tensor(3).quantization());

        assertEquals(3, m.operators().size());
        TfliteOperator conv = m.operators().get(0);
        assertEquals(TfliteOperator.CONV_2D, conv.builtinCode());
        assertArrayEquals(new int[] {0, 1, 2}, conv.inputs());
        assertEquals(new TfliteOperator.ConvOptions(0, 1, 1, 3, 1, 1, 0), conv.conv());
        TfliteOperator dw = m.operators().get(1);
        assertEquals(TfliteOperator.DEPTHWISE_CONV_2D, dw.builtinCode());
        assertEquals(new TfliteOperator.ConvOptions(0, 2, 2, 3, 1, 1, 1), dw.conv());
        assertEquals(TfliteOperator.ADD, m.operators().get(2).builtinCode());
        assertNull(m.operators().get(2).conv());
    }

    @Test
    void dequantizesPerTensorAndPerChannel() throws IOException {
        TfliteModel m = TfliteModel.read(write("tiny.tflite", TinyTflite.bytes()));
        float[] conv = m.dequantize(m.tensor(1));
        for (int i = 0; i < conv.length; i++) {
            assertEquals(TinyTflite.CONV_SCALE * ((TinyTflite.CONV_W[i] & 0xFF) - TinyTflite.CONV_ZERO), conv[i], 0f,
                    "uint8 element " + i);
        }
        float[] bias = m.dequantize(m.tensor(2));
        assertArrayEquals(new float[] {-0.75f, 250f}, bias);
        float[] dw = m.dequantize(m.tensor(4)); // [1, 3, 3, 2], channel = last index
        for (int i = 0; i < dw.length; i++) {
            int ch = i % 2;
            assertEquals((float) (TinyTflite.DW_SCALES[ch] * (TinyTflite.DW_W[i] - TinyTflite.DW_ZEROS[ch])), dw[i],
                    1e-7f, "int8 per-channel element " + i);
        }
        assertArrayEquals(new float[] {7f, -14f}, m.dequantize(m.tensor(5)));
        assertArrayEquals(TinyTflite.FLOATS, m.dequantize(m.tensor(7)));
        WeightFileException e = assertThrows(WeightFileException.class, () -> m.dequantize(m.tensor(3)));
        assertTrue(e.getMessage().contains("conv/out"), e.getMessage());
    }

    @Test
    void malformedFilesNameTheFileAndTheProblem() throws IOException {
        byte[] good = TinyTflite.bytes();
        Path wrongId = write("wrong_id.tflite", TinyTflite.build(3, "TFL2"));
        assertRefused(wrongId, "identifier");
        assertRefused(write("v2.tflite", TinyTflite.build(2, "TFL3")), "schema version 2");
        assertRefused(write("short.tflite", Arrays.copyOf(good, 6)), "identifier");
        assertRefused(write("truncated.tflite", Arrays.copyOf(good, good.length / 2)), "past the end");
        assertRefused(dir.resolve("missing.tflite"), "no such");
        byte[] badRoot = good.clone();
        badRoot[3] = 0x7f; // root offset far past the end
        assertRefused(write("bad_root.tflite", badRoot), "past the end");
    }

    @Test
    void recognisesTfliteByContent() throws IOException {
        assertTrue(TfliteModel.looksLikeTflite(write("a.bin", TinyTflite.bytes())));
        assertEquals(false, TfliteModel.looksLikeTflite(write("b.bin", new byte[] {1, 2, 3})));
    }

    @Test
    void aSmallFileIsNotAMobileNet() throws IOException {
        Path file = write("tiny.tflite", TinyTflite.bytes());
        WeightFileException e = assertThrows(WeightFileException.class, () -> TfliteMobileNetV2.read(file));
        assertTrue(e.getMessage().startsWith(file + ": not a MobileNetV2 1.0 TFLite file"), e.getMessage());
    }

    private static void assertRefused(Path file, String fragment) {
        WeightFileException e = assertThrows(WeightFileException.class, () -> TfliteModel.read(file));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains(fragment), e.getMessage());
    }
}
