package org.covidct.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * Square float32 matrix products on the CPU backend: GFLOP/s = 2 n^3 / time. Every call is timed
 * (SampleTime), so the comparison report takes the median, as torch_ops.py does for PyTorch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.VECTOR_MODULE, "-Xmx6g"})
public class MatmulBenchmark {
    @Param({"256", "512", "1024", "2048"})
    public int n;

    private Tensor a;
    private Tensor b;

    @Setup(Level.Trial)
    public void setUp() {
        Bench.awaitVectorKernels();
        a = Bench.randomTensor(new Random(1), n, n);
        b = Bench.randomTensor(new Random(2), n, n);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
    }

    @Benchmark
    public float matmul() {
        try (Tensor c = Ops.matmul(a, false, b, false)) {
            return c.numel();
        }
    }
}
