import java.time.Duration;
import java.util.SplittableRandom;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.optim.Sgd;
import org.covidct.nn.optim.TrainingStep;
import org.covidct.tensor.CpuKernels;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * One build's side of compare_builds.sh: compiled against a covidct.jar and loaded from it in a
 * class loader of its own, it times one pass (inference, or a training step) of a network on
 * random images, on the CPU.
 */
public final class BuildPass {
    private static Module model;
    private static Sgd sgd;
    private static float[] pixels;
    private static int[] labels;
    private static int batch;
    private static int size;

    private BuildPass() {
    }

    /** Builds the network with random weights: fused for inference, or in training mode with SGD. */
    public static void setUp(String arch, int batchSize, int imageSize, boolean train) throws Exception {
        batch = batchSize;
        size = imageSize;
        CpuKernels.awaitVectorKernels(Duration.ofMinutes(2));
        model = ClassifierModels.build(arch, "none", new Generator(0));
        if (train) {
            model.train();
            sgd = new Sgd(model.parameters(), 0.01f, 0.9f, 0f);
        } else {
            Sequential.fuseForInference(model).eval();
        }
        pixels = new float[batch * 3 * size * size];
        SplittableRandom rng = new SplittableRandom(0);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % 2;
        }
    }

    /** One pass; returns its time in milliseconds. */
    public static double pass() {
        long t0 = System.nanoTime();
        try (TensorScope scope = TensorScope.open()) {
            Tensor images = Tensor.of(pixels, batch, 3, size, size);
            if (sgd != null) {
                TrainingStep.run(model, sgd, images, labels, 1);
            } else {
                try (GradMode.Guard g = GradMode.noGrad()) {
                    model.forward(Variable.constant(images)).data().toArray();
                }
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }
}
