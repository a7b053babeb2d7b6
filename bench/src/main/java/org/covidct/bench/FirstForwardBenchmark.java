package org.covidct.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.models.MobileNetV2;
import org.covidct.nn.models.Vgg;
import org.covidct.tensor.Tensor;
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
 * A library user's first forward pass: each fork is a fresh JVM that builds the network (not
 * timed) and times one forward pass of one 224 x 224 image, without gradients, batch norm folded,
 * as {@code predict} runs it. The goal for mobilenet_v2 is at most 2 s. Compare the vector kernels
 * from the first call with {@code -jvmArgsAppend -Dcovidct.cpu.skipVectorWarmUp=true}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 5, jvmArgsAppend = {Bench.VECTOR_MODULE, "-Xmx3g"})
public class FirstForwardBenchmark {
    private static final int SIZE = 224;

    @Param({"mobilenet_v2"})
    public String arch;

    private Module model;
    private Tensor image;

    @Setup(Level.Trial)
    public void build() {
        model = arch.equals("mobilenet_v2") ? new MobileNetV2(2, MobileNetV2.Variant.TORCHVISION, new Generator(0))
                : Vgg.create(arch, 2, new Generator(0));
        Sequential.fuseForInference(model).eval();
        float[] pixels = new float[3 * SIZE * SIZE];
        SplittableRandom rng = new SplittableRandom(0);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        image = Tensor.of(pixels, 1, 3, SIZE, SIZE);
    }

    @TearDown(Level.Trial)
    public void close() {
        image.close();
        model.close();
    }

    @Benchmark
    public float[] firstForward() {
        try (GradMode.Guard g = GradMode.noGrad()) {
            return model.forward(Variable.constant(image)).data().toArray();
        }
    }
}
