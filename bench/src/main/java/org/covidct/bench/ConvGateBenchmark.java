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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * What the CI convolution gate ({@link JmhGate}) measures: VGG 3x3, pad-1 convolutions at a small
 * image size, each pass next to two references whose flop rates it must beat by a margin.
 * <ul>
 * <li>{@code forward}, {@code backwardData}, {@code backwardWeight}: the CPU convolution's passes;
 *     each counts {@link Bench#convFlops} = 2 * N*K*H*W*C*9 flops, whatever the algorithm.
 * <li>{@code sgemm}: our sgemm on square n x n matrices with about the flops of one pass
 *     ({@link #sgemmSize}), so that a call lasts about as long: a convolution that is mostly a GEMM
 *     should run near GEMM speed. Square, because the im2col shape itself, [K, C*9] x [C*9, N*H*W],
 *     streams a B nine times the input's size: at batch 4 it ran at 115 to 137 GFLOP/s and the
 *     passes 1.7 to 3.4 times faster, so that a pass could slow down two- to fourfold before falling
 *     below 0.8 times it.
 * <li>{@code direct}: the 7-deep direct loop, on one thread, on a smaller shape of its own (the
 *     VGG shapes would take a second a call); the gate compares flop rates, so the shapes need not
 *     match. It catches what the sgemm ratio cannot: kernels that are all slow alike, such as the
 *     scalar fallback when jdk.incubator.vector is not loaded.
 * </ul>
 * A shape is "C-K-HW" (square images). Each fork's set-up runs its benchmark until the JIT has
 * compiled it ({@link JitWarmUp}); every call is then timed, so the gate takes medians.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {Bench.VECTOR_MODULE, "-Xmx2g"})
public class ConvGateBenchmark {
    private static final Conv2dSpec SPEC = Conv2dSpec.of(1, 1);

    /** One VGG layer's tensors, and the square matrix of its sgemm. */
    @State(Scope.Benchmark)
    public static class Layer {
        /**
         * At batch 8 every pass of these runs as Winograd (3x3 convolutions from 64 channels; the
         * weight gradient from 128). The weight gradient of VGG's 64-channel layers, an implicit
         * GEMM, would fail the gate's 0.8: 190 GFLOP/s at 64-64-56 and batch 4, 246 at 64-64-224
         * and batch 8 (BENCHMARKS.md), against 334 for the sgemm at 1024^3.
         */
        @Param({"128-128-28", "256-256-14"})
        public String shape;

        @Param({"8"})
        public int batch;

        Tensor x;
        Tensor w;
        Tensor dy;
        Tensor square;

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) {
            int[] s = parseShape(shape);
            int c = s[0], k = s[1], hw = s[2];
            Random rng = new Random(3);
            x = Bench.randomTensor(rng, batch, c, hw, hw);
            w = Bench.randomTensor(rng, k, c, 3, 3);
            dy = Bench.randomTensor(rng, batch, k, hw, hw);
            int n = sgemmSize(s, batch);
            square = Bench.randomTensor(rng, n, n);
            String name = params.getBenchmark();
            JitWarmUp.untilQuiet(switch (name.substring(name.lastIndexOf('.') + 1)) {
                case "forward" -> this::forward;
                case "backwardData" -> this::backwardData;
                case "backwardWeight" -> this::backwardWeight;
                case "sgemm" -> this::sgemm;
                default -> throw new IllegalStateException("no warm-up for " + name);
            });
        }

        long forward() {
            try (Tensor y = Ops.conv2d(x, w, null, SPEC)) {
                return y.numel();
            }
        }

        long backwardData() {
            try (Tensor dx = Ops.conv2dBackwardData(dy, w, x.shape(), SPEC)) {
                return dx.numel();
            }
        }

        long backwardWeight() {
            try (Tensor dw = Ops.conv2dBackwardWeight(dy, x, w.shape(), SPEC)) {
                return dw.numel();
            }
        }

        long sgemm() {
            try (Tensor c = Ops.matmul(square, false, square, false)) {
                return c.numel();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (Tensor t : new Tensor[] {x, w, dy, square}) {
                t.close();
            }
        }
    }

    /** The direct loop's arrays; set-up checks that it computes what our convolution does. */
    @State(Scope.Benchmark)
    public static class DirectLayer {
        @Param({"32-32-28"})
        public String shape;

        @Param({"2"})
        public int batch;

        int c;
        int k;
        int hw;
        float[] x;
        float[] w;
        float[] y;

        @Setup(Level.Trial)
        public void setUp() {
            int[] s = parseShape(shape);
            c = s[0];
            k = s[1];
            hw = s[2];
            Random rng = new Random(3);
            try (Tensor xt = Bench.randomTensor(rng, batch, c, hw, hw);
                 Tensor wt = Bench.randomTensor(rng, k, c, 3, 3);
                 Tensor ours = Ops.conv2d(xt, wt, null, SPEC)) {
                x = xt.toArray();
                w = wt.toArray();
                y = new float[batch * k * hw * hw];
                directConv(x, w, batch, c, k, hw, y);
                double err = maxRelativeError(ours.toArray(), y);
                if (!(err <= 1e-5)) {
                    throw new IllegalStateException("direct loop and conv2d differ on " + shape + " by " + err
                            + " (normwise): the reference is not the convolution");
                }
            }
            JitWarmUp.untilQuiet(this::run);
        }

        float[] run() {
            directConv(x, w, batch, c, k, hw, y);
            return y;
        }
    }

    @Benchmark
    public long forward(Layer l) {
        return l.forward();
    }

    @Benchmark
    public long backwardData(Layer l) {
        return l.backwardData();
    }

    @Benchmark
    public long backwardWeight(Layer l) {
        return l.backwardWeight();
    }

    @Benchmark
    public long sgemm(Layer l) {
        return l.sgemm();
    }

    @Benchmark
    public float[] direct(DirectLayer d) {
        return d.run();
    }

    /** max |got - expected| / max |expected|. */
    private static double maxRelativeError(float[] got, float[] expected) {
        double err = 0, max = 0;
        for (int i = 0; i < expected.length; i++) {
            err = Math.max(err, Math.abs(got[i] - expected[i]));
            max = Math.max(max, Math.abs(expected[i]));
        }
        return err / Math.max(max, 1e-30);
    }

    /** The n of the n x n x n {@link #sgemm} for a shape {C, K, HW}: 2 n^3 near its flops, n a multiple of 16. */
    static int sgemmSize(int[] shape, int batch) {
        double flops = Bench.convFlops(batch, shape[0], shape[1], shape[2]);
        return Math.max(16, (int) Math.round(Math.cbrt(flops / 2) / 16) * 16);
    }

    /** Flops of one {@link #sgemm} call for a shape {C, K, HW}. */
    static double sgemmFlops(int[] shape, int batch) {
        double n = sgemmSize(shape, batch);
        return 2 * n * n * n;
    }

    /** "C-K-HW" as {C, K, HW}. */
    static int[] parseShape(String shape) {
        if (!shape.matches("[1-9]\\d{0,5}-[1-9]\\d{0,5}-[1-9]\\d{0,5}")) {
            throw new IllegalArgumentException("shape: expected C-K-HW, got " + shape);
        }
        String[] p = shape.split("-");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }

    /** y[n][k][i][j] = sum over c, r, s of x[n][c][i + r - 1][j + s - 1] * w[k][c][r][s], pad 1. */
    static void directConv(float[] x, float[] w, int n, int c, int k, int hw, float[] y) {
        for (int ni = 0; ni < n; ni++) {
            for (int ki = 0; ki < k; ki++) {
                for (int i = 0; i < hw; i++) {
                    for (int j = 0; j < hw; j++) {
                        float acc = 0f;
                        for (int ci = 0; ci < c; ci++) {
                            for (int r = 0; r < 3; r++) {
                                for (int s = 0; s < 3; s++) {
                                    int ii = i + r - 1, jj = j + s - 1;
                                    if (ii >= 0 && ii < hw && jj >= 0 && jj < hw) {
                                        acc += x[((ni * c + ci) * hw + ii) * hw + jj] * w[((ki * c + ci) * 3 + r) * 3 + s];
                                    }
                                }
                            }
                        }
                        y[((ni * k + ki) * hw + i) * hw + j] = acc;
                    }
                }
            }
        }
    }
}
