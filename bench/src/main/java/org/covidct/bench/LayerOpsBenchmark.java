package org.covidct.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.covidct.tensor.Device;
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
 * Batch norm (training: batch statistics) and ReLU, forward and backward, on VGG19 activations at
 * batch 8. A shape is "C-HW"; each op streams N*C*H*W floats once or twice, so ms/op is the figure.
 * Every call is timed, for medians.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.VECTOR_MODULE, "-Xmx6g"})
public class LayerOpsBenchmark {
    @Param({"64-224", "128-112", "256-56", "512-28", "512-14"})
    public String shape;

    @Param({"8"})
    public int batch;

    private Tensor x;
    private Tensor dy;
    private Tensor gamma;
    private Tensor beta;
    private Tensor runningMean;
    private Tensor runningVar;
    private Ops.BatchNormOutput saved;

    @Setup(Level.Trial)
    public void setUp() {
        Bench.awaitVectorKernels();
        String[] p = shape.split("-");
        int c = Integer.parseInt(p[0]), hw = Integer.parseInt(p[1]);
        Random rng = new Random(5);
        x = Bench.randomTensor(rng, batch, c, hw, hw);
        dy = Bench.randomTensor(rng, batch, c, hw, hw);
        gamma = Bench.randomTensor(rng, c);
        beta = Bench.randomTensor(rng, c);
        runningMean = Tensor.zeros(Device.CPU, c);
        runningVar = Tensor.full(Device.CPU, 1f, c);
        saved = Ops.batchNormTraining(x, gamma, beta, runningMean, runningVar, 0.1f, 1e-5f);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, dy, gamma, beta, runningMean, runningVar, saved.y(), saved.mean(),
                saved.invStd()}) {
            t.close();
        }
    }

    @Benchmark
    public long batchNormForward() {
        Ops.BatchNormOutput out = Ops.batchNormTraining(x, gamma, beta, runningMean, runningVar, 0.1f, 1e-5f);
        long n = out.y().numel();
        out.y().close();
        out.mean().close();
        out.invStd().close();
        return n;
    }

    @Benchmark
    public long batchNormBackward() {
        Ops.BatchNormGrads g = Ops.batchNormBackward(x, dy, gamma, saved.mean(), saved.invStd(), true);
        long n = g.dx().numel();
        g.dx().close();
        g.dgamma().close();
        g.dbeta().close();
        return n;
    }

    @Benchmark
    public long reluForward() {
        try (Tensor y = Ops.relu(x)) {
            return y.numel();
        }
    }

    @Benchmark
    public long reluBackward() {
        try (Tensor dx = Ops.reluBackward(saved.y(), dy)) {
            return dx.numel();
        }
    }
}
