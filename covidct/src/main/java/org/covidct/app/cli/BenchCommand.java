package org.covidct.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.covidct.app.model.Architecture;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.optim.Sgd;
import org.covidct.nn.optim.TrainingStep;
import org.covidct.tensor.CpuKernels;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.covidct.tensor.cuda.CudaBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bench}: times the training step (forward, loss, backward, SGD step) and inference on
 * random data after warm-up, and prints one JSON line, so machines and backends can be compared.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time training steps and inference of a model (VGG or mobilenet_v2) on random data; prints one JSON line.")
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--arch", defaultValue = "vgg19_bn", paramLabel = "ARCH",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Architecture arch;

    @Option(names = "--image-size", defaultValue = "" + ClassifierModels.DEFAULT_IMAGE_SIZE, paramLabel = "PIXELS",
            description = "side of the random square images (default: ${DEFAULT-VALUE})")
    int imageSize;

    @Option(names = "--batch-size", defaultValue = "8", description = "images per step (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--steps", defaultValue = "5", description = "timed steps after the warm-up (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup-seconds", defaultValue = "3", paramLabel = "SECONDS",
            description = "untimed steps before the timed ones, training and inference each: at least two, and more"
                    + " until this long has passed (default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Override
    public Integer call() throws Exception {
        if (steps < 1) {
            throw new ParameterException(spec.commandLine(), "--steps " + steps + ": must be at least 1");
        }
        if (!(warmupSeconds >= 0 && warmupSeconds <= 3600)) {
            throw new ParameterException(spec.commandLine(), "--warmup-seconds " + warmupSeconds
                    + ": must be between 0 and 3600");
        }
        if (!ClassifierModels.isImageSize(imageSize)) {
            throw new ParameterException(spec.commandLine(), ClassifierModels.imageSizeError(imageSize));
        }
        ClassifierModels.batchSizeError(batchSize, imageSize).ifPresent(error -> {
            throw new ParameterException(spec.commandLine(), error);
        });
        Device device = deviceOption.resolve(spec.commandLine().getErr());
        awaitVectorKernels(device);
        float[] pixels = new float[batchSize * 3 * imageSize * imageSize];
        SplittableRandom rng = new SplittableRandom(0);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        int[] labels = new int[batchSize];
        Arrays.setAll(labels, i -> i % 2);
        double[] train;
        double[] infer;
        try (Module model = ClassifierModels.build(arch.name(), "none", new Generator(0));
             Sgd sgd = new Sgd(model.parameters(), 0.01f, 0.9f, 0f)) {
            model.to(device).train();
            train = timeSteps(() -> {
                try (TensorScope step = TensorScope.open()) {
                    Tensor images = Tensor.of(device, pixels, batchSize, 3, imageSize, imageSize);
                    TrainingStep.run(model, sgd, images, labels, 1);
                    finishQueuedWork(device);
                }
            });
            Sequential.fuseForInference(model).eval();
            infer = timeSteps(() -> {
                try (TensorScope step = TensorScope.open(); GradMode.Guard g = GradMode.noGrad()) {
                    Tensor images = Tensor.of(device, pixels, batchSize, 3, imageSize, imageSize);
                    model.forward(Variable.constant(images)).data().toArray();
                }
            });
        }
        spec.commandLine().getOut().println(String.format(Locale.ROOT,
                "{\"arch\":\"%s\",\"device\":\"%s\",\"image_size\":%d,\"batch_size\":%d,\"steps\":%d,"
                        + "\"train_images_per_s\":%.4f,\"infer_images_per_s\":%.4f,\"train_step_s\":%.4f,"
                        + "\"peak_memory_bytes\":%d,\"threads\":%d}",
                arch, device, imageSize, batchSize, steps, batchSize / median(train), batchSize / median(infer),
                median(train), peakResidentBytes(), Runtime.getRuntime().availableProcessors()));
        return 0;
    }

    /**
     * Seconds per timed step, after the warm-up: at least two untimed steps, and more until
     * --warmup-seconds have passed, so that a short step is timed once the JIT has compiled its
     * path rather than while it still runs interpreted (the peer scripts warm up by the same rule).
     */
    private double[] timeSteps(Runnable step) {
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

    /** GPU work is queued: a step's time must include running it. */
    /**
     * On the CPU, waits for the compiled vector kernels (CpuKernels), so that the steps time them
     * rather than their scalar twins, whatever the warm-up steps took.
     */
    private void awaitVectorKernels(Device device) throws InterruptedException {
        if (device == Device.CPU && !CpuKernels.awaitVectorKernels(Duration.ofMinutes(2))) {
            spec.commandLine().getErr().println("warning: the CPU's vector kernels were not compiled within 2 minutes;"
                    + " the figures may time their scalar twins");
        }
    }

    private static void finishQueuedWork(Device device) {
        if (device.backend() instanceof CudaBackend cuda) {
            cuda.synchronize();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The process's peak resident set (VmHWM), comparable to PyTorch's peak RSS; -1 where unknown. */
    static long peakResidentBytes() {
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
