package org.covidct.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import org.covidct.nn.Generator;
import org.covidct.nn.models.Vgg;
import org.covidct.nn.optim.Sgd;
import org.covidct.nn.optim.TrainingStep;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.cuda.CudaBackend;

/**
 * Times the vgg19_bn training step (forward, cross-entropy, backward, SGD with momentum) at
 * 224x224 on CUDA device 0, in the two shapes the tutorial's training can take: batch 64 with one
 * SGD step per batch, and batch 8 with 8-step gradient accumulation. A main program rather than a
 * JMH benchmark: GPU work runs asynchronously, so the timed steps are bracketed by device
 * synchronisations. The images stay on the GPU, as in scripts/gpu/torch_vgg_step.py.
 *
 * <p>Prints one JSON line per configuration. TF32 tensor cores are allowed (for convolutions and
 * matmuls, as PyTorch's allow_tf32 switches) unless {@code --strict-fp32} is given.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp <classpath> org.covidct.bench.GpuTrainStep
 * [--strict-fp32] [--warmup N] [--steps N]}
 */
public final class GpuTrainStep {
    private static final int SIZE = 224;

    /** One timed shape: images per pass, and passes per SGD step. */
    private record Config(String name, int batch, int accumulate) {
    }

    private static final List<Config> CONFIGS = List.of(
            new Config("batch64", 64, 1),
            new Config("batch8_accumulate8", 8, 8));

    private GpuTrainStep() {
    }

    public static void main(String[] args) {
        boolean strict = false;
        int warmup = 3, steps = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--strict-fp32" -> strict = true;
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: GpuTrainStep [--strict-fp32] [--warmup N] [--steps N]");
                    System.exit(2);
                }
            }
        }
        Optional<String> reason = Device.cudaUnavailableReason();
        if (reason.isPresent()) {
            System.err.println("error: " + reason.get());
            System.exit(1);
        }
        Device cuda = Device.cuda(0);
        CudaBackend backend = (CudaBackend) cuda.backend();
        backend.setTf32(!strict);
        backend.setMatmulTf32(!strict);
        for (Config config : CONFIGS) {
            System.out.println(time(config, cuda, backend, strict ? "fp32" : "tf32", warmup, steps));
            backend.releaseCachedMemory(); // the next configuration starts from an empty cache
        }
    }

    private static String time(Config config, Device cuda, CudaBackend backend, String precision, int warmup,
                               int steps) {
        int[] labels = new int[config.batch()];
        Arrays.setAll(labels, i -> i % 2);
        try (Vgg model = Vgg.create("vgg19_bn", 2, new Generator(0));
             Sgd sgd = new Sgd(model.parameters(), 0.01f, 0.9f, 0f);
             Tensor images = Tensor.of(cuda, pixels(config.batch()), config.batch(), 3, SIZE, SIZE)) {
            model.to(cuda).train();
            for (int i = 0; i < warmup; i++) {
                TrainingStep.run(model, sgd, images, labels, config.accumulate());
            }
            backend.synchronize();
            long allocations = backend.rawAllocations();
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                TrainingStep.run(model, sgd, images, labels, config.accumulate());
            }
            backend.synchronize();
            double seconds = (System.nanoTime() - t0) / 1e9;
            double imageCount = (double) steps * config.batch() * config.accumulate();
            return String.format(Locale.ROOT,
                    "{\"impl\":\"covidct\",\"config\":\"%s\",\"precision\":\"%s\",\"batch\":%d,\"accumulate\":%d,"
                            + "\"image_size\":%d,\"warmup_steps\":%d,\"steps\":%d,\"step_s\":%.5f,"
                            + "\"images_per_s\":%.2f,\"raw_allocations_after_warmup\":%d}",
                    config.name(), precision, config.batch(), config.accumulate(), SIZE, warmup, steps,
                    seconds / steps, imageCount / seconds, backend.rawAllocations() - allocations);
        }
    }

    private static float[] pixels(int batch) {
        float[] v = new float[batch * 3 * SIZE * SIZE];
        SplittableRandom rng = new SplittableRandom(0);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble();
        }
        return v;
    }
}
