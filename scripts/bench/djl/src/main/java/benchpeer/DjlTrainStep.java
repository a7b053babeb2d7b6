package benchpeer;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * DJL's side of {@code covidct.jar bench} and torch_train_step.py: vgg19_bn or mobilenet_v2 with a
 * 2-class last layer, softmax cross-entropy and SGD (lr 0.01, momentum 0.9), timed on random data after
 * a warm-up (at least two steps, and more until --warmup-seconds, default 3, have passed), then inference. Prints one JSON line with the same keys; peak_memory_bytes is the
 * process's peak resident set (VmHWM).
 *
 * <pre>java -cp target/classes:target/lib/* benchpeer.DjlTrainStep --arch vgg19_bn --image-size 112 \
 *     --batch-size 8 --steps 3 [--threads 2] [--update direct|trainer] [--warmup-seconds 3]</pre>
 *
 * <p>{@code --update direct} (the default, DJL's fastest loop) runs forward and loss under a gradient
 * collector and updates the parameters with {@link MomentumSgd}; {@code --update trainer} is DJL's own
 * Trainer with forward, backward and {@code Trainer.step()}, for comparison.
 */
public final class DjlTrainStep {
    private static final float LEARNING_RATE = 0.01f;
    private static final float MOMENTUM = 0.9f;

    private DjlTrainStep() {}

    public static void main(String[] args) throws Exception {
        String arch = "vgg19_bn";
        String update = "direct";
        int imageSize = 224;
        int batchSize = 8;
        int steps = 5;
        double warmupSeconds = 3;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + ": missing value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--arch" -> arch = v;
                case "--image-size" -> imageSize = positive(args[i], v);
                case "--batch-size" -> batchSize = positive(args[i], v);
                case "--steps" -> steps = positive(args[i], v);
                case "--threads" -> threads = positive(args[i], v);
                case "--update" -> update = v;
                case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!update.equals("direct") && !update.equals("trainer")) {
            throw new IllegalArgumentException("--update " + update + ": expected direct or trainer");
        }
        // libtorch comes from the pytorch-native-cpu jar on the class path: never download it.
        defaultProperty("ai.djl.offline", "true");
        defaultProperty("PYTORCH_VERSION", "2.7.1");
        defaultProperty("PYTORCH_FLAVOR", "cpu");
        defaultProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));

        float[] pixels = new float[batchSize * 3 * imageSize * imageSize];
        SplittableRandom rng = new SplittableRandom(0);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        long[] labels = new long[batchSize];
        Arrays.setAll(labels, i -> i % 2);
        Shape inputShape = new Shape(batchSize, 3, imageSize, imageSize);

        double[] train;
        double[] infer;
        long parameters = 0;
        Engine.getEngine("PyTorch").setRandomSeed(0);
        try (Model model = Model.newInstance("bench", "PyTorch")) {
            Block net = Networks.build(arch, 2);
            model.setBlock(net);
            NDManager root = model.getNDManager();
            Loss loss = Loss.softmaxCrossEntropyLoss();
            NDArray target = root.create(labels);
            net.initialize(root, DataType.FLOAT32, inputShape);
            for (Parameter p : net.getParameters().values()) {
                parameters += p.requiresGradient() ? p.getArray().size() : 0;
            }
            if (update.equals("direct")) {
                ParameterStore store = new ParameterStore(root, false);
                List<NDArray> weights = new ArrayList<>();
                for (Parameter p : net.getParameters().values()) {
                    if (p.requiresGradient()) {
                        weights.add(p.getArray());
                    }
                }
                MomentumSgd sgd = new MomentumSgd(weights, LEARNING_RATE, MOMENTUM);
                train = timeSteps(steps, warmupSeconds, () -> {
                    try (NDManager step = root.newSubManager()) {
                        NDArray images = step.create(pixels, inputShape);
                        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                            NDList out = net.forward(store, new NDList(images), true);
                            collector.backward(loss.evaluate(new NDList(target), out));
                        }
                        sgd.step();
                    }
                });
            } else {
                DefaultTrainingConfig config = new DefaultTrainingConfig(loss).optOptimizer(Optimizer.sgd()
                        .setLearningRateTracker(Tracker.fixed(LEARNING_RATE)).optMomentum(MOMENTUM).build());
                try (Trainer trainer = model.newTrainer(config)) {
                    trainer.initialize(inputShape);
                    train = timeSteps(steps, warmupSeconds, () -> {
                        try (NDManager step = root.newSubManager()) {
                            NDArray images = step.create(pixels, inputShape);
                            try (GradientCollector collector = trainer.newGradientCollector()) {
                                NDList out = trainer.forward(new NDList(images));
                                collector.backward(loss.evaluate(new NDList(target), out));
                            }
                            trainer.step();
                        }
                    });
                }
            }
            ParameterStore store = new ParameterStore(root, false);
            infer = timeSteps(steps, warmupSeconds, () -> {
                try (NDManager step = root.newSubManager()) {
                    NDArray images = step.create(pixels, inputShape);
                    net.forward(store, new NDList(images), false).singletonOrThrow().toFloatArray();
                }
            });
        }
        System.out.println(String.format(Locale.ROOT,
                "{\"arch\":\"%s\",\"device\":\"cpu\",\"image_size\":%d,\"batch_size\":%d,\"steps\":%d,"
                        + "\"train_images_per_s\":%.4f,\"infer_images_per_s\":%.4f,\"train_step_s\":%.4f,"
                        + "\"peak_memory_bytes\":%d,\"threads\":%d,\"parameters\":%d,\"update\":\"%s\","
                        + "\"djl\":\"%s\",\"libtorch\":\"%s\"}",
                arch, imageSize, batchSize, steps, batchSize / median(train), batchSize / median(infer),
                median(train), peakResidentBytes(), threads, parameters, update, Engine.getDjlVersion(),
                Engine.getEngine("PyTorch").getVersion()));
    }

    /** Seconds per timed step, after at least two untimed steps and more until warmupSeconds have passed. */
    private static double[] timeSteps(int steps, double warmupSeconds, Runnable step) {
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < 2 || System.nanoTime() < warmupEnd; i++) {
            step.run();
        }
        double[] seconds = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            step.run();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }

    private static int positive(String option, String value) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + value + ": expected a whole number");
        }
        if (n < 1) {
            throw new IllegalArgumentException(option + " " + value + ": must be at least 1");
        }
        return n;
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null && System.getenv(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The process's peak resident set (VmHWM), as covidct.jar bench reports it; -1 where unknown. */
    private static long peakResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
