package org.covidct.nn.io.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.models.MobileNetV2;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.covidct.tensor.testing.GoldenFile;
import org.covidct.tensor.testing.TensorAssert;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real ImageNet files through our float MobileNetV2: bird.rgb is a chickadee and sunflower.rgb a
 * daisy, and the logits agree with scripts/tflite/make_mobilenet_reference.py, which runs each
 * file's own operator list in float64 from the same dequantized weights.
 *
 * <p>Tolerance: 1e-5 normwise (max |ours - ref| / max |ref|), the golden tests' own. Both sides
 * compute the same float network, the reference in float64; ours rounds to float32 through 53
 * layers with dot products of up to 960 terms, which leaves under 1e-6 (measured 4e-7 to 8e-7 on
 * the four cases), so the bound keeps a tenfold margin. A real mistake is far above it: PyTorch's
 * symmetric padding in place of SAME moves the logits by 0.19.
 */
class TfliteMobileNetV2RealFileTest {
    private static final GoldenFile REFERENCE = GoldenFile.load("/tflite/mobilenet_v2_reference.gold");
    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {SharedMobileNet.QUANT, SharedMobileNet.TF2})
    void classifiesTheSampleImagesAsTheReferenceDoes(String fileName) throws IOException {
        Path dir = SharedMobileNet.dir();
        List<String> labels = SharedMobileNet.labels(dir);
        try (TfliteMobileNetV2.Weights w = TfliteMobileNetV2.read(dir.resolve(fileName));
             MobileNetV2 model = new MobileNetV2(w.numClasses(), MobileNetV2.Variant.TENSORFLOW, new Generator(0));
             GradMode.Guard noGrad = GradMode.noGrad()) {
            assertEquals(1001, w.numClasses());
            Module.StateDictReport report = model.loadStateDict(w.stateDict(), true);
            assertTrue(report.isClean(), report.toString());
            float[] scaling = w.unitRangeScaling();
            model.setInputScaling(scaling[0], scaling[1]);
            model.eval();
            for (String[] image : new String[][] {{"bird", "chickadee"}, {"sunflower", "daisy"}}) {
                try (TensorScope scope = TensorScope.open()) {
                    Tensor x = Tensor.of(SharedMobileNet.rgb(dir.resolve(image[0] + ".rgb")), 1, 3, 224, 224);
                    float[] logits = model.forward(Variable.constant(x)).data().toArray();
                    String key = fileName.substring(0, fileName.lastIndexOf('.')) + "." + image[0] + ".logits";
                    float[] expected = REFERENCE.floats(key);
                    double error = TensorAssert.normwiseError(expected, logits);
                    System.out.printf("%s %s: top-1 %s, normwise error vs reference %.2e%n", fileName, image[0],
                            labels.get(argmax(logits)), error);
                    TensorAssert.assertClose(fileName + " " + image[0] + " logits", expected, logits, TOLERANCE);
                    assertEquals(image[1], labels.get(argmax(logits)), fileName + " " + image[0]);
                }
            }
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
