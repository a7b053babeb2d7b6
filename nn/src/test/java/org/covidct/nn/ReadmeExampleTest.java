package org.covidct.nn;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.optim.Sgd;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/** Compiles and runs the README's library example, and checks that the README still shows this code. */
class ReadmeExampleTest {
    // README example start
    static float trainOneStep(float[] pixels, int[] labels) {
        Generator.manualSeed(0);
        try (Sequential model = new Sequential(
                     new Conv2d(3, 16, 3, 1, 1), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2, 2),
                     new AdaptiveAvgPool2d(7, 7), new Flatten(), new Linear(16 * 7 * 7, 2));
             Sgd sgd = new Sgd(model.parameters(), 0.01f, 0.9f, 0f);
             TensorScope step = TensorScope.open()) { // frees the step's activations at the end
            Variable images = Variable.constant(Tensor.of(pixels, labels.length, 3, 32, 32));
            Variable loss = new CrossEntropyLoss().forward(model.forward(images), labels);
            loss.backward();
            sgd.step();
            sgd.zeroGrad();
            return loss.item();
        }
    }
    // README example end

    @Test
    void exampleTrainsOneStep() {
        java.util.Random rng = new java.util.Random(1);
        float[] pixels = new float[8 * 3 * 32 * 32];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = rng.nextFloat();
        }
        float loss = trainOneStep(pixels, new int[] {0, 1, 0, 1, 0, 1, 0, 1});
        assertTrue(loss > 0.3f && loss < 3f, "a fresh 2-class model's loss is near ln 2, got " + loss);
        assertNotEquals(loss, trainOneStep(pixels, new int[] {1, 1, 1, 1, 1, 1, 1, 1}));
    }

    @Test
    void readmeShowsThisExample() throws IOException {
        String source = Files.readString(Path.of("src/test/java/org/covidct/nn/ReadmeExampleTest.java"));
        Matcher m = Pattern.compile("// README example start\\n(.*?)    // README example end", Pattern.DOTALL)
                .matcher(source);
        assertTrue(m.find());
        String readme = Files.readString(Path.of("../README.md"));
        assertTrue(normalise(readme).contains(normalise(m.group(1))),
                "README.md's Java example differs from ReadmeExampleTest.trainOneStep; copy it over");
    }

    private static String normalise(String code) {
        return code.replaceAll("\\s+", " ").trim();
    }
}
