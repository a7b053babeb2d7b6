package org.covidct.nn.gradcam;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.covidct.nn.AdaptiveAvgPool2d;
import org.covidct.nn.BatchNorm2d;
import org.covidct.nn.Conv2d;
import org.covidct.nn.CrossEntropyLoss;
import org.covidct.nn.Generator;
import org.covidct.nn.Linear;
import org.covidct.nn.MaxPool2d;
import org.covidct.nn.Module;
import org.covidct.nn.ReLU;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.optim.Sgd;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/**
 * A small CNN trained on noisy images whose class is decided by one bright square (present: class
 * 1; absent: class 0) puts the Grad-CAM peak of class 1 on that square.
 */
class GradCamLocalisationTest {
    private static final int SIZE = 32;
    private static final int SQUARE = 6;
    /** The map comes from an 8x8 layer (stride 4): the peak may sit that far off the square's pixels. */
    private static final int SLACK = 2;

    /** VGG's layout at toy size, so the default layer (features[-1]) applies. */
    private static final class Net extends Module {
        final Sequential features;
        final AdaptiveAvgPool2d avgpool;
        final Sequential classifier;

        Net(Generator gen) {
            features = registerModule("features", new Sequential(
                    new Conv2d(1, 8, 3, 1, 1, true, gen), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2, 2),
                    new Conv2d(8, 16, 3, 1, 1, true, gen), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2, 2)));
            avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(1, 1));
            classifier = registerModule("classifier", new Sequential(new Linear(16, 2, true, gen)));
        }

        @Override
        public Variable forward(Variable x) {
            return classifier.forward(Functional.flatten(avgpool.forward(features.forward(x))));
        }
    }

    /** Noisy images; a bright square at a random place where the label is 1. Returns the squares' corners. */
    private static int[][] images(Random rng, int[] labels, float[] px) {
        int[][] corners = new int[labels.length][];
        for (int n = 0; n < labels.length; n++) {
            int top = rng.nextInt(SIZE - SQUARE + 1), left = rng.nextInt(SIZE - SQUARE + 1);
            corners[n] = new int[] {top, left};
            for (int i = 0; i < SIZE * SIZE; i++) {
                int r = i / SIZE, c = i % SIZE;
                boolean inSquare = r >= top && r < top + SQUARE && c >= left && c < left + SQUARE;
                px[n * SIZE * SIZE + i] = (float) (0.5 * rng.nextGaussian()) + (inSquare && labels[n] == 1 ? 1.5f : 0f);
            }
        }
        return corners;
    }

    @Test
    void thePeakOfTheMapLiesOnTheSquare() {
        Generator gen = new Generator(11);
        Random data = new Random(5);
        try (Net model = new Net(gen); Sgd sgd = new Sgd(model.parameters(), 0.05f, 0.9f, 1e-4f)) {
            CrossEntropyLoss lossFn = new CrossEntropyLoss();
            for (int step = 0; step < 150; step++) {
                try (TensorScope scope = TensorScope.open()) {
                    int[] labels = new int[16];
                    for (int i = 0; i < labels.length; i++) {
                        labels[i] = data.nextInt(2);
                    }
                    float[] px = new float[labels.length * SIZE * SIZE];
                    images(data, labels, px);
                    lossFn.forward(model.call(Variable.constant(Tensor.of(px, labels.length, 1, SIZE, SIZE))), labels)
                            .backward();
                    sgd.step();
                    sgd.zeroGrad();
                }
            }

            int n = 20;
            int[] labels = new int[n];
            java.util.Arrays.fill(labels, 1);
            float[] px = new float[n * SIZE * SIZE];
            int[][] corners = images(new Random(99), labels, px);
            GradCam.Result r;
            try (Tensor input = Tensor.of(px, n, 1, SIZE, SIZE)) {
                r = new GradCam(model, null).compute(input, labels);
            }
            int onSquare = 0;
            StringBuilder misses = new StringBuilder();
            for (int i = 0; i < n; i++) {
                int peak = argmax(r.maps()[i]);
                int y = peak / SIZE, x = peak % SIZE;
                int top = corners[i][0], left = corners[i][1];
                if (y >= top - SLACK && y < top + SQUARE + SLACK && x >= left - SLACK && x < left + SQUARE + SLACK) {
                    onSquare++;
                } else {
                    misses.append(String.format(" image %d: peak (%d, %d), square at (%d, %d);", i, y, x, top, left));
                }
            }
            assertTrue(onSquare == n, onSquare + " of " + n + " peaks on the square;" + misses);
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
