package org.covidct.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.optim.Sgd;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/**
 * End to end: a small CNN built from the library's layers learns to tell a bright square from a
 * dark one on noisy images, with SGD and momentum, and generalises to fresh images.
 */
class SyntheticTrainingTest {
    private static final int SIZE = 16;

    /** Noisy images, each with a 4x4 square at a random place: bright for class 1, dark for class 0. */
    private static Tensor images(Random rng, int[] labels) {
        float[] px = new float[labels.length * SIZE * SIZE];
        for (int n = 0; n < labels.length; n++) {
            labels[n] = rng.nextInt(2);
            int top = rng.nextInt(SIZE - 4), left = rng.nextInt(SIZE - 4);
            for (int i = 0; i < SIZE * SIZE; i++) {
                int r = i / SIZE, c = i % SIZE;
                boolean inSquare = r >= top && r < top + 4 && c >= left && c < left + 4;
                px[n * SIZE * SIZE + i] = (float) (0.5 * rng.nextGaussian()) + (inSquare ? (labels[n] == 1 ? 1.5f : -1.5f) : 0f);
            }
        }
        return Tensor.of(px, labels.length, 1, SIZE, SIZE);
    }

    @Test
    void smallCnnLearnsBrightVersusDarkSquares() {
        Generator gen = new Generator(2024);
        Random data = new Random(7);
        try (Sequential model = new Sequential(
                new Conv2d(1, 8, 3, 1, 1, true, gen), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2, 2),
                new Conv2d(8, 16, 3, 1, 1, true, gen), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2, 2),
                new AdaptiveAvgPool2d(1, 1), new Flatten(), new Dropout(0.2f, gen), new Linear(16, 2, true, gen));
             Sgd sgd = new Sgd(model.parameters(), 0.05f, 0.9f, 1e-4f)) {
            CrossEntropyLoss lossFn = new CrossEntropyLoss();
            int steps = 120;
            double firstLosses = 0, lastLosses = 0;
            for (int step = 0; step < steps; step++) {
                try (TensorScope scope = TensorScope.open()) {
                    int[] labels = new int[16];
                    Variable x = Variable.constant(images(data, labels));
                    Variable loss = lossFn.forward(model.forward(x), labels);
                    loss.backward();
                    sgd.step();
                    sgd.zeroGrad();
                    if (step < 10) {
                        firstLosses += loss.item();
                    } else if (step >= steps - 10) {
                        lastLosses += loss.item();
                    }
                }
            }
            assertTrue(lastLosses < 0.3 * firstLosses, "loss fell from " + firstLosses / 10 + " to " + lastLosses / 10);

            model.eval();
            int correct = 0, total = 400;
            try (TensorScope scope = TensorScope.open(); GradMode.Guard g = GradMode.noGrad()) {
                int[] labels = new int[total];
                Variable logits = model.forward(Variable.constant(images(new Random(99), labels)));
                int[] predicted = Ops.argmaxRows(logits.data());
                for (int i = 0; i < total; i++) {
                    correct += predicted[i] == labels[i] ? 1 : 0;
                }
            }
            double accuracy = correct / (double) total;
            assertTrue(accuracy >= 0.95, "held-out accuracy " + accuracy);
        }
    }
}
