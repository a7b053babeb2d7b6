package org.covidct.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Ops;
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
 * VGG19's distinct 3x3, pad-1 convolutions at batch 8 (224 input), forward and both backward
 * passes. A shape is "C-K-HW" (square images); each pass costs 2 * N*K*H*W*C*9 flops, so
 * GFLOP/s = {@link Bench#convFlops} / 1e6 / (ms per op). Every call is timed, for medians.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.VECTOR_MODULE, "-Xmx6g"})
public class Conv2dBenchmark {
    @Param({"3-64-224", "64-64-224", "64-128-112", "128-128-112", "128-256-56", "256-256-56", "256-512-28",
            "512-512-28", "512-512-14"})
    public String shape;

    @Param({"8"})
    public int batch;

    private static final Conv2dSpec SPEC = Conv2dSpec.of(1, 1);
    private Tensor x;
    private Tensor w;
    private Tensor dy;

    @Setup(Level.Trial)
    public void setUp() {
        Bench.awaitVectorKernels();
        String[] p = shape.split("-");
        int c = Integer.parseInt(p[0]), k = Integer.parseInt(p[1]), hw = Integer.parseInt(p[2]);
        Random rng = new Random(3);
        x = Bench.randomTensor(rng, batch, c, hw, hw);
        w = Bench.randomTensor(rng, k, c, 3, 3);
        dy = Bench.randomTensor(rng, batch, k, hw, hw);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
        w.close();
        dy.close();
    }

    @Benchmark
    public long forward() {
        try (Tensor y = Ops.conv2d(x, w, null, SPEC)) {
            return y.numel();
        }
    }

    @Benchmark
    public long backwardData() {
        try (Tensor dx = Ops.conv2dBackwardData(dy, w, x.shape(), SPEC)) {
            return dx.numel();
        }
    }

    @Benchmark
    public long backwardWeight() {
        try (Tensor dw = Ops.conv2dBackwardWeight(dy, x, w.shape(), SPEC)) {
            return dw.numel();
        }
    }
}
