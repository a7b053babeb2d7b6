package com.example.consumer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.covidct.nn.Conv2d;
import org.covidct.nn.Flatten;
import org.covidct.nn.Generator;
import org.covidct.nn.Linear;
import org.covidct.nn.ReLU;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.io.SafeTensors;
import org.covidct.nn.optim.Sgd;
import org.covidct.nn.optim.TrainingStep;
import org.covidct.tensor.Device;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * Trains a small CNN to tell vertical bars from horizontal ones in noisy 8x8 images, saves it as
 * safetensors and reloads it; exits non-zero when any step falls short.
 */
public final class TrainTinyCnn {
    private static final int SIZE = 8;

    public static void main(String[] args) throws Exception {
        check(ModuleLayer.boot().findModule("jcuda").isEmpty(), "JCuda is on the module path");
        String reason = Device.cudaUnavailableReason().orElse("");
        check(reason.startsWith("CUDA backend not on the class path"), "unexpected CUDA status: " + reason);

        Sequential model = newModel(11);
        SplittableRandom random = new SplittableRandom(5);
        float firstLoss = Float.NaN;
        float lastLoss = Float.NaN;
        try (Sgd sgd = new Sgd(model.parameters(), 0.05f, 0.9f, 0f)) {
            TrainingStep training = new TrainingStep(model, sgd);
            for (int step = 0; step < 60; step++) {
                try (TensorScope scope = TensorScope.open()) {
                    int[] labels = new int[32];
                    Tensor images = bars(random, labels);
                    lastLoss = training.accumulate(images, labels, 1).loss().item();
                    training.step();
                    if (step == 0) {
                        firstLoss = lastLoss;
                    }
                }
            }
        }
        model.eval();
        int[] labels = new int[200];
        float accuracy;
        float[] logits;
        try (TensorScope scope = TensorScope.open(); GradMode.Guard noGrad = GradMode.noGrad()) {
            Tensor images = bars(random, labels);
            Tensor out = model.forward(Variable.constant(images)).data();
            int[] predicted = Ops.argmaxRows(out);
            int correct = 0;
            for (int i = 0; i < labels.length; i++) {
                correct += predicted[i] == labels[i] ? 1 : 0;
            }
            accuracy = correct / (float) labels.length;
            logits = out.toArray();

            Path file = Files.createTempFile("tiny-cnn", ".safetensors");
            try {
                SafeTensors.write(file, model.stateDict(), Map.of());
                Sequential reloaded = newModel(99);
                reloaded.loadStateDict(SafeTensors.read(file), true);
                reloaded.eval();
                float[] again = reloaded.forward(Variable.constant(images)).data().toArray();
                check(Arrays.equals(logits, again), "the reloaded model's logits differ");
            } finally {
                Files.deleteIfExists(file);
            }
        }
        check(lastLoss < firstLoss / 4, "loss fell only from " + firstLoss + " to " + lastLoss);
        check(accuracy >= 0.95f, "accuracy " + accuracy + " on held-out images");
        System.out.printf("consumer: loss %.4f -> %.4f, held-out accuracy %.3f, reloaded bit for bit%n",
                firstLoss, lastLoss, accuracy);
    }

    private static Sequential newModel(long seed) {
        Generator gen = new Generator(seed);
        return new Sequential(
                new Conv2d(1, 4, 3, 1, 1, true, gen),
                new ReLU(),
                new Flatten(),
                new Linear(4 * SIZE * SIZE, 2, true, gen));
    }

    /** A batch of labels.length images: label 1 a vertical bar, 0 a horizontal one, both in noise. */
    private static Tensor bars(SplittableRandom random, int[] labels) {
        float[] pixels = new float[labels.length * SIZE * SIZE];
        for (int n = 0; n < labels.length; n++) {
            labels[n] = random.nextInt(2);
            int line = random.nextInt(SIZE);
            for (int i = 0; i < SIZE * SIZE; i++) {
                int row = i / SIZE;
                int col = i % SIZE;
                boolean onBar = labels[n] == 1 ? col == line : row == line;
                pixels[n * SIZE * SIZE + i] = (onBar ? 1f : 0f) + (float) random.nextGaussian() * 0.2f;
            }
        }
        return Tensor.of(pixels, labels.length, 1, SIZE, SIZE);
    }

    private static void check(boolean ok, String failure) {
        if (!ok) {
            System.err.println("consumer: " + failure);
            System.exit(1);
        }
    }
}
