package org.covidct.bench;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.covidct.nn.Generator;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.models.Vgg;
import org.covidct.nn.optim.Sgd;
import org.covidct.nn.optim.TrainingStep;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole vgg19_bn with a 2-class head at batch 8: one training step (forward, cross-entropy,
 * backward, SGD with momentum) and one inference pass, as `covidct.jar bench` times them.
 * images/s = batch * 1000 / (ms per op). Every call is timed, for medians.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {Bench.VECTOR_MODULE, "-Xmx12g", "-Xmn256m"})
public class VggStepBenchmark {
    @Param({"224", "112"})
    public int imageSize;

    @Param({"8"})
    public int batch;

    private Vgg model;
    private Sgd sgd;
    private Tensor images;
    private int[] labels;

    @Setup(Level.Trial)
    public void setUp() {
        Bench.awaitVectorKernels();
        model = Vgg.create("vgg19_bn", 2, new Generator(0));
        // Inference as the application runs it: each batch norm folded into its convolution.
        Sequential.fuseForInference(model);
        sgd = new Sgd(model.parameters(), 0.01f, 0.9f, 0f);
        images = Bench.randomTensor(new Random(7), batch, 3, imageSize, imageSize);
        labels = new int[batch];
        Arrays.setAll(labels, i -> i % 2);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        images.close();
        sgd.close();
        model.close();
    }

    @Benchmark
    public void trainStep() {
        model.train();
        try (TensorScope step = TensorScope.open()) {
            TrainingStep.run(model, sgd, images, labels, 1);
        }
    }

    @Benchmark
    public float inference() {
        model.eval();
        try (TensorScope step = TensorScope.open(); GradMode.Guard g = GradMode.noGrad()) {
            return model.forward(Variable.constant(images)).data().toArray()[0];
        }
    }
}
