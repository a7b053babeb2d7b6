package org.covidct.nn.io.tflite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** The ImageNet MobileNet files in shared/pretrained/mobilenet beside the checkout, which other checkouts lack. */
final class SharedMobileNet {
    static final String QUANT = "mobilenet_v2_1.0_224_quant.tflite";
    static final String TF2 = "tf2_mobilenet_v2_1.0_224_ptq.tflite";

    private SharedMobileNet() {
    }

    /** The folder, or the test is skipped saying why. */
    static Path dir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("pretrained").resolve("mobilenet");
            if (Files.isRegularFile(candidate.resolve(QUANT))) {
                return candidate;
            }
        }
        return Assumptions.abort("no shared/pretrained/mobilenet beside this checkout (or above the working directory): "
                + "the real ImageNet MobileNet files are not available here");
    }

    static List<String> labels(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve("imagenet_labels.txt"));
    }

    /** A raw 224x224x3 RGB file as ToTensor gives it: [1, 3, 224, 224], values v / 255. */
    static float[] rgb(Path file) throws IOException {
        byte[] px = Files.readAllBytes(file);
        int side = 224, plane = side * side;
        if (px.length != 3 * plane) {
            throw new IOException(file + ": " + px.length + " bytes, expected " + 3 * plane);
        }
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + i] = (px[3 * i + c] & 0xFF) / 255f;
            }
        }
        return out;
    }
}
