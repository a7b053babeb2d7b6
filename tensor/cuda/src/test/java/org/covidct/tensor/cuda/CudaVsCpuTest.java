package org.covidct.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Device;
import org.covidct.tensor.GeluApproximation;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Pool2dSpec;
import org.covidct.tensor.Shape;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.covidct.tensor.testing.CudaRequirement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Every op of the CUDA backend against the CPU backend on fresh random inputs of several shapes:
 * normwise relative error ||gpu - cpu|| / ||cpu|| within {@value #FP32_RTOL} in strict FP32, within
 * {@value #TF32_RTOL} for convolutions on TF32 tensor cores; exact where the op routes instead of
 * computing (argmax, max-pool windows, dropout masks). Skipped, with the reason, without CUDA.
 */
@DisplayName("CUDA backend against the CPU backend")
class CudaVsCpuTest {
    static final double FP32_RTOL = 1e-5;
    static final double TF32_RTOL = 5e-3;

    private static CudaBackend cuda;
    private static Device gpu;
    private static boolean tf32Before;

    private final SplittableRandom random = new SplittableRandom(20240607);
    private TensorScope scope;

    @BeforeAll
    static void openCuda() {
        if (Device.cudaUnavailableReason().isEmpty()) {
            gpu = Device.cuda(0);
            cuda = (CudaBackend) gpu.backend();
            tf32Before = cuda.isTf32();
        }
    }

    @AfterAll
    static void restoreTf32() {
        if (cuda != null) {
            cuda.setTf32(tf32Before);
        }
    }

    /** Each test is reported as skipped with the reason, rather than the class vanishing from the report. */
    @BeforeEach
    void requireCudaInStrictFp32() {
        CudaRequirement.assumeCuda();
        cuda.setTf32(false);
        scope = TensorScope.open();
    }

    @AfterEach
    void closeScope() {
        if (scope != null) {
            scope.close();
        }
    }

    // ---- inputs and comparisons ----------------------------------------------------------------------

    /** The same values on both devices. */
    private record Pair(Tensor cpu, Tensor gpu) {
        Shape shape() {
            return cpu.shape();
        }
    }

    private float[] uniform(long n, float lo, float hi) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * (float) random.nextDouble();
        }
        return v;
    }

    private Pair pair(float[] data, int... dims) {
        return new Pair(Tensor.of(Device.CPU, data, dims), Tensor.of(gpu, data, dims));
    }

    /** Uniform in [-1, 1). */
    private Pair random(int... dims) {
        return pair(uniform(Shape.of(dims).numel(), -1f, 1f), dims);
    }

    /** Uniform in [lo, hi). */
    private Pair random(float lo, float hi, int... dims) {
        return pair(uniform(Shape.of(dims).numel(), lo, hi), dims);
    }

    private static void assertClose(String what, Tensor cpu, Tensor onGpu, double rtol) {
        assertEquals(cpu.shape(), onGpu.shape(), what + ": shape");
        assertEquals(gpu, onGpu.device(), what + ": device");
        float[] expected = cpu.toArray();
        float[] actual = onGpu.toArray();
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) actual[i] - expected[i];
            diff += d * d;
            norm += (double) expected[i] * expected[i];
        }
        double error = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
        if (!(error <= rtol)) {
            throw new AssertionFailedError(String.format("%s %s: normwise relative error %.3e exceeds %.1e",
                    what, cpu.shape(), error, rtol));
        }
    }

    private static void assertClose(String what, Tensor cpu, Tensor onGpu) {
        assertClose(what, cpu, onGpu, FP32_RTOL);
    }

    private static void assertExact(String what, Tensor cpu, Tensor onGpu) {
        assertEquals(cpu.shape(), onGpu.shape(), what + ": shape");
        assertArrayEquals(cpu.toArray(), onGpu.toArray(), what + " " + cpu.shape());
    }

    private static final int[][] ELEMENTWISE_SHAPES = {{1}, {7}, {3, 5, 17, 19}, {(1 << 20) + 3}};

    // ---- memory ---------------------------------------------------------------------------------------

    @Test
    @DisplayName("upload and download round-trip exactly, also beyond one staging buffer")
    void roundTrip() {
        for (int n : new int[] {0, 1, 1000, (int) (HostStaging.MAX_BYTES / Float.BYTES) * 2 + 5}) {
            float[] data = uniform(n, -1e6f, 1e6f);
            try (Tensor t = Tensor.of(gpu, data, n)) {
                assertArrayEquals(data, t.toArray(), n + " floats");
            }
        }
    }

    @Test
    @DisplayName("zeros, fill, copy, reshape views and to(cpu) / to(cuda)")
    void basics() {
        assertArrayEquals(new float[1000], Tensor.zeros(gpu, 10, 100).toArray());
        assertArrayEquals(filled(1000, -2.5f), Tensor.full(gpu, -2.5f, 1000).toArray());
        Pair x = random(4, 250);
        assertExact("copy", Ops.copy(x.cpu()), Ops.copy(x.gpu()));
        assertExact("reshape", x.cpu().reshape(1000), x.gpu().reshape(1000));
        assertExact("to(cpu)", x.cpu(), x.gpu().to(Device.CPU));
        assertExact("to(cuda)", x.cpu(), x.cpu().to(gpu).to(Device.CPU).to(gpu));
        Tensor y = Tensor.zeros(gpu, 4, 250);
        Ops.fillInPlace(y, 3f);
        assertArrayEquals(filled(1000, 3f), y.toArray());
        Ops.copyInto(x.gpu(), y);
        assertArrayEquals(x.cpu().toArray(), y.toArray());
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    @DisplayName("mixing devices in one op is an error naming both")
    void mixedDevices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ops.add(Tensor.zeros(Device.CPU, 3), Tensor.zeros(gpu, 3)));
        assertTrue(e.getMessage().contains("cpu") && e.getMessage().contains("cuda:0"), e.getMessage());
    }

    // ---- elementwise ----------------------------------------------------------------------------------

    @Test
    @DisplayName("add, mul, scale, axpy, relu, clamp and their backward passes")
    void elementwise() {
        for (int[] dims : ELEMENTWISE_SHAPES) {
            Pair a = random(dims);
            Pair b = random(dims);
            assertClose("add", Ops.add(a.cpu(), b.cpu()), Ops.add(a.gpu(), b.gpu()));
            assertClose("mul", Ops.mul(a.cpu(), b.cpu()), Ops.mul(a.gpu(), b.gpu()));
            assertClose("scale", Ops.scale(a.cpu(), -1.75f), Ops.scale(a.gpu(), -1.75f));
            Ops.axpyInPlace(0.3f, a.cpu(), b.cpu());
            Ops.axpyInPlace(0.3f, a.gpu(), b.gpu());
            assertClose("axpy", b.cpu(), b.gpu());

            Tensor reluCpu = Ops.relu(a.cpu());
            Tensor reluGpu = Ops.relu(a.gpu());
            assertExact("relu", reluCpu, reluGpu);
            assertExact("relu_backward", Ops.reluBackward(reluCpu, b.cpu()), Ops.reluBackward(reluGpu, b.gpu()));

            Pair wide = random(-8f, 8f, dims);
            Tensor clampCpu = Ops.clamp(wide.cpu(), 0f, 6f);
            Tensor clampGpu = Ops.clamp(wide.gpu(), 0f, 6f);
            assertExact("clamp", clampCpu, clampGpu);
            assertExact("clamp_backward", Ops.clampBackward(clampCpu, b.cpu(), 0f, 6f),
                    Ops.clampBackward(clampGpu, b.gpu(), 0f, 6f));
        }
    }

    @Test
    @DisplayName("sigmoid, tanh, gelu (both forms), exp, log and their backward passes")
    void activations() {
        for (int[] dims : ELEMENTWISE_SHAPES) {
            Pair x = random(-12f, 12f, dims);
            Pair dy = random(dims);
            Tensor sigmoidCpu = Ops.sigmoid(x.cpu());
            Tensor sigmoidGpu = Ops.sigmoid(x.gpu());
            assertClose("sigmoid", sigmoidCpu, sigmoidGpu);
            assertClose("sigmoid_backward", Ops.sigmoidBackward(sigmoidCpu, dy.cpu()),
                    Ops.sigmoidBackward(sigmoidGpu, dy.gpu()));
            Tensor tanhCpu = Ops.tanh(x.cpu());
            Tensor tanhGpu = Ops.tanh(x.gpu());
            assertClose("tanh", tanhCpu, tanhGpu);
            assertClose("tanh_backward", Ops.tanhBackward(tanhCpu, dy.cpu()), Ops.tanhBackward(tanhGpu, dy.gpu()));
            Pair moderate = random(-6f, 6f, dims);
            for (GeluApproximation form : GeluApproximation.values()) {
                assertClose("gelu " + form, Ops.gelu(moderate.cpu(), form), Ops.gelu(moderate.gpu(), form));
                assertClose("gelu_backward " + form, Ops.geluBackward(moderate.cpu(), dy.cpu(), form),
                        Ops.geluBackward(moderate.gpu(), dy.gpu(), form));
            }
            assertClose("exp", Ops.exp(moderate.cpu()), Ops.exp(moderate.gpu()));
            Pair positive = random(0.01f, 20f, dims);
            assertClose("log", Ops.log(positive.cpu()), Ops.log(positive.gpu()));
            assertClose("log_backward", Ops.logBackward(positive.cpu(), dy.cpu()),
                    Ops.logBackward(positive.gpu(), dy.gpu()));
        }
    }

    // ---- reductions -----------------------------------------------------------------------------------

    @Test
    @DisplayName("sum and mean of tensors from 1 to 3 million elements")
    void sum() {
        for (int n : new int[] {1, 255, 256 * 256 + 1, 3_000_017}) {
            Pair x = random(0f, 1f, n); // positive: no cancellation, so the relative error means something
            assertClose("sum", Ops.sum(x.cpu()), Ops.sum(x.gpu()));
            assertClose("mean", Ops.mean(x.cpu()), Ops.mean(x.gpu()));
        }
    }

    @Test
    @DisplayName("sum per channel of [N, C] and [N, C, H, W]")
    void sumPerChannel() {
        for (int[] dims : new int[][] {{5, 3}, {64, 1000}, {2, 7, 5, 3}, {8, 64, 28, 28}}) {
            Pair x = random(dims);
            assertClose("sum_per_channel", Ops.sumPerChannel(x.cpu()), Ops.sumPerChannel(x.gpu()));
        }
    }

    @Test
    @DisplayName("argmax of rows is exactly the CPU's, first maximum on ties")
    void argmax() {
        for (int[] dims : new int[][] {{1, 1}, {9, 2}, {1000, 37}}) {
            Pair x = random(dims);
            assertArrayEquals(Ops.argmaxRows(x.cpu()), Ops.argmaxRows(x.gpu()), Arrays.toString(dims));
        }
        Pair ties = pair(new float[] {1, 3, 3, 0, 0, 0, -1, 2, 2}, 3, 3);
        assertArrayEquals(new int[] {1, 0, 1}, Ops.argmaxRows(ties.gpu()));
    }

    // ---- dense layers ---------------------------------------------------------------------------------

    @Test
    @DisplayName("matmul in all four transpose combinations")
    void matmul() {
        for (int[] mkn : new int[][] {{1, 1, 1}, {17, 33, 9}, {128, 257, 64}, {3, 1000, 2}}) {
            int m = mkn[0], k = mkn[1], n = mkn[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Pair a = ta ? random(k, m) : random(m, k);
                    Pair b = tb ? random(n, k) : random(k, n);
                    assertClose("matmul " + Arrays.toString(mkn) + " ta=" + ta + " tb=" + tb,
                            Ops.matmul(a.cpu(), ta, b.cpu(), tb), Ops.matmul(a.gpu(), ta, b.gpu(), tb));
                }
            }
        }
    }

    @Test
    @DisplayName("linear with and without bias")
    void linear() {
        for (int[] nio : new int[][] {{1, 3, 2}, {8, 512, 10}, {33, 100, 257}}) {
            Pair x = random(nio[0], nio[1]);
            Pair w = random(nio[2], nio[1]);
            Pair b = random(nio[2]);
            assertClose("linear+bias", Ops.linear(x.cpu(), w.cpu(), b.cpu()), Ops.linear(x.gpu(), w.gpu(), b.gpu()));
            assertClose("linear", Ops.linear(x.cpu(), w.cpu(), null), Ops.linear(x.gpu(), w.gpu(), null));
        }
    }

    // ---- convolution ----------------------------------------------------------------------------------

    /** x [N, C, H, W], weight [K, C/G, R, S] and the spec of one convolution case. */
    private record ConvCase(int[] x, int[] w, Conv2dSpec spec) {
    }

    private static final List<ConvCase> CONV_CASES = List.of(
            new ConvCase(new int[] {2, 3, 16, 16}, new int[] {8, 3, 3, 3}, Conv2dSpec.of(1, 1)),
            new ConvCase(new int[] {3, 4, 13, 9}, new int[] {6, 4, 5, 3}, new Conv2dSpec(2, 1, 2, 0)),
            new ConvCase(new int[] {4, 16, 7, 7}, new int[] {32, 16, 1, 1}, Conv2dSpec.of(1, 0)),
            new ConvCase(new int[] {2, 64, 28, 28}, new int[] {64, 64, 3, 3}, Conv2dSpec.of(1, 1)),
            new ConvCase(new int[] {2, 12, 11, 11}, new int[] {12, 1, 3, 3}, new Conv2dSpec(2, 2, 1, 1, 12)),
            new ConvCase(new int[] {2, 8, 9, 9}, new int[] {12, 2, 3, 3}, new Conv2dSpec(1, 1, 1, 1, 4)));

    @Test
    @DisplayName("conv2d forward (with bias, and clamped), backward data and backward weight in strict FP32")
    void convolutionFp32() {
        compareConvolutions(FP32_RTOL);
    }

    @Test
    @DisplayName("conv2d forward, backward data and backward weight on TF32 tensor cores")
    void convolutionTf32() {
        cuda.setTf32(true);
        compareConvolutions(TF32_RTOL);
    }

    private void compareConvolutions(double rtol) {
        for (ConvCase c : CONV_CASES) {
            String what = Arrays.toString(c.x()) + " * " + Arrays.toString(c.w()) + " " + c.spec();
            Pair x = random(c.x());
            Pair w = random(c.w());
            Pair b = random(c.w()[0]);
            Tensor yCpu = Ops.conv2d(x.cpu(), w.cpu(), b.cpu(), c.spec());
            assertClose("conv2d " + what, yCpu, Ops.conv2d(x.gpu(), w.gpu(), b.gpu(), c.spec()), rtol);
            assertClose("conv2d no bias " + what, Ops.conv2d(x.cpu(), w.cpu(), null, c.spec()),
                    Ops.conv2d(x.gpu(), w.gpu(), null, c.spec()), rtol);
            assertClose("conv2d_clamped " + what, Ops.conv2dClamped(x.cpu(), w.cpu(), b.cpu(), c.spec(), 0f, 0.5f),
                    Ops.conv2dClamped(x.gpu(), w.gpu(), b.gpu(), c.spec(), 0f, 0.5f), rtol);
            Pair dy = random(yCpu.dims());
            assertClose("conv2d_backward_data " + what,
                    Ops.conv2dBackwardData(dy.cpu(), w.cpu(), x.shape(), c.spec()),
                    Ops.conv2dBackwardData(dy.gpu(), w.gpu(), x.shape(), c.spec()), rtol);
            assertClose("conv2d_backward_weight " + what,
                    Ops.conv2dBackwardWeight(dy.cpu(), x.cpu(), w.shape(), c.spec()),
                    Ops.conv2dBackwardWeight(dy.gpu(), x.gpu(), w.shape(), c.spec()), rtol);
        }
    }

    // ---- padding --------------------------------------------------------------------------------------

    @Test
    @DisplayName("pad2d and its backward crop, asymmetric")
    void pad2d() {
        for (int[] pad : new int[][] {{0, 1, 0, 1}, {2, 0, 3, 1}, {1, 1, 1, 1}}) {
            Pair x = random(2, 3, 5, 7);
            Tensor yCpu = Ops.pad2d(x.cpu(), pad[0], pad[1], pad[2], pad[3]);
            assertExact("pad2d", yCpu, Ops.pad2d(x.gpu(), pad[0], pad[1], pad[2], pad[3]));
            Pair dy = random(yCpu.dims());
            assertExact("pad2d_backward", Ops.pad2dBackward(dy.cpu(), x.shape(), pad[0], pad[2]),
                    Ops.pad2dBackward(dy.gpu(), x.shape(), pad[0], pad[2]));
        }
    }

    // ---- batch normalisation --------------------------------------------------------------------------

    @Test
    @DisplayName("batch norm training: y, saved statistics, running statistics; inference")
    void batchNormForward() {
        for (int[] dims : new int[][] {{2, 3, 4, 5}, {8, 64, 14, 14}, {1, 4, 1, 2}}) {
            int c = dims[1];
            Pair x = random(-2f, 3f, dims);
            Pair gamma = random(0.5f, 1.5f, c);
            Pair beta = random(c);
            Pair runningMean = random(c);
            Pair runningVar = random(0.5f, 2f, c);
            Ops.BatchNormOutput cpu = Ops.batchNormTraining(x.cpu(), gamma.cpu(), beta.cpu(), runningMean.cpu(),
                    runningVar.cpu(), 0.1f, 1e-5f);
            Ops.BatchNormOutput onGpu = Ops.batchNormTraining(x.gpu(), gamma.gpu(), beta.gpu(), runningMean.gpu(),
                    runningVar.gpu(), 0.1f, 1e-5f);
            String what = Arrays.toString(dims);
            assertClose("batch_norm y " + what, cpu.y(), onGpu.y());
            assertClose("batch_norm mean " + what, cpu.mean(), onGpu.mean());
            assertClose("batch_norm inv_std " + what, cpu.invStd(), onGpu.invStd());
            assertClose("batch_norm running mean " + what, runningMean.cpu(), runningMean.gpu());
            assertClose("batch_norm running var (unbiased) " + what, runningVar.cpu(), runningVar.gpu());
            assertClose("batch_norm inference " + what,
                    Ops.batchNormInference(x.cpu(), gamma.cpu(), beta.cpu(), runningMean.cpu(), runningVar.cpu(), 1e-3f),
                    Ops.batchNormInference(x.gpu(), gamma.gpu(), beta.gpu(), runningMean.gpu(), runningVar.gpu(), 1e-3f));
        }
    }

    @Test
    @DisplayName("batch norm backward with batch statistics (cuDNN) and with frozen ones (kernels)")
    void batchNormBackward() {
        for (int[] dims : new int[][] {{2, 3, 4, 5}, {8, 64, 14, 14}}) {
            int c = dims[1];
            Pair x = random(-2f, 3f, dims);
            Pair dy = random(dims);
            Pair gamma = random(0.5f, 1.5f, c);
            Pair beta = random(c);
            Ops.BatchNormOutput stats = Ops.batchNormTraining(x.cpu(), gamma.cpu(), beta.cpu(),
                    Tensor.zeros(Device.CPU, c), Tensor.full(Device.CPU, 1f, c), 0.1f, 1e-5f);
            Pair mean = pair(stats.mean().toArray(), c);
            Pair invStd = pair(stats.invStd().toArray(), c);
            for (boolean batchStatistics : new boolean[] {true, false}) {
                Ops.BatchNormGrads cpu = Ops.batchNormBackward(x.cpu(), dy.cpu(), gamma.cpu(), mean.cpu(),
                        invStd.cpu(), batchStatistics);
                Ops.BatchNormGrads onGpu = Ops.batchNormBackward(x.gpu(), dy.gpu(), gamma.gpu(), mean.gpu(),
                        invStd.gpu(), batchStatistics);
                String what = Arrays.toString(dims) + (batchStatistics ? " training" : " frozen");
                assertClose("dx " + what, cpu.dx(), onGpu.dx());
                assertClose("dgamma " + what, cpu.dgamma(), onGpu.dgamma());
                assertClose("dbeta " + what, cpu.dbeta(), onGpu.dbeta());
            }
        }
    }

    // ---- pooling --------------------------------------------------------------------------------------

    /** Pooling windows: VGG's, strided, overlapping, and padded (square and rectangular). */
    private static final Pool2dSpec[] POOL_SPECS = {Pool2dSpec.of(2, 2), new Pool2dSpec(3, 2, 3, 2),
        Pool2dSpec.of(3, 2), Pool2dSpec.of(3, 2, 1), new Pool2dSpec(2, 3, 2, 1, 1, 1), new Pool2dSpec(5, 3, 1, 2, 2, 0)};

    @Test
    @DisplayName("max pooling picks and routes exactly as the CPU, padded windows too")
    void maxPool() {
        for (Pool2dSpec spec : POOL_SPECS) {
            for (int[] dims : new int[][] {{2, 3, 8, 8}, {1, 5, 7, 11}, {4, 64, 56, 56}}) {
                Pair x = random(dims);
                Tensor yCpu = Ops.maxPool2d(x.cpu(), spec);
                assertExact("max_pool2d " + spec, yCpu, Ops.maxPool2d(x.gpu(), spec));
                Pair dy = random(yCpu.dims());
                Tensor dxCpu = Ops.maxPool2dBackward(x.cpu(), dy.cpu(), spec);
                Tensor dxGpu = Ops.maxPool2dBackward(x.gpu(), dy.gpu(), spec);
                boolean overlapping = spec.strideH() < spec.kernelH() || spec.strideW() < spec.kernelW();
                if (overlapping) {
                    assertClose("max_pool2d_backward " + spec, dxCpu, dxGpu); // sums in another order
                } else {
                    assertExact("max_pool2d_backward " + spec, dxCpu, dxGpu);
                }
            }
        }
        Pair ties = pair(new float[] {1, 1, 1, 1}, 1, 1, 2, 2);
        Pair dy = pair(new float[] {5}, 1, 1, 1, 1);
        assertArrayEquals(new float[] {5, 0, 0, 0},
                Ops.maxPool2dBackward(ties.gpu(), dy.gpu(), Pool2dSpec.of(2, 2)).toArray(), "first maximum wins");
    }

    @Test
    @DisplayName("average pooling (count_include_pad) sums in the CPU's order: bit for bit, padded windows too")
    void avgPool() {
        for (Pool2dSpec spec : POOL_SPECS) {
            for (int[] dims : new int[][] {{2, 3, 8, 8}, {1, 5, 7, 11}, {4, 64, 56, 56}}) {
                Pair x = random(dims);
                Tensor yCpu = Ops.avgPool2d(x.cpu(), spec);
                assertExact("avg_pool2d " + spec, yCpu, Ops.avgPool2d(x.gpu(), spec));
                Pair dy = random(yCpu.dims());
                assertExact("avg_pool2d_backward " + spec, Ops.avgPool2dBackward(dy.cpu(), x.shape(), spec),
                        Ops.avgPool2dBackward(dy.gpu(), x.shape(), spec));
            }
        }
    }

    @Test
    @DisplayName("adaptive average pooling, forward and backward, shrinking and (overlapping) growing")
    void adaptiveAvgPool() {
        int[][] cases = {{12, 12, 7, 7}, {5, 5, 7, 7}, {7, 7, 7, 7}, {8, 5, 3, 2}, {14, 14, 1, 1}};
        for (int[] c : cases) {
            Pair x = random(3, 4, c[0], c[1]);
            Tensor yCpu = Ops.adaptiveAvgPool2d(x.cpu(), c[2], c[3]);
            assertClose("adaptive_avg_pool2d " + Arrays.toString(c), yCpu, Ops.adaptiveAvgPool2d(x.gpu(), c[2], c[3]));
            Pair dy = random(yCpu.dims());
            assertClose("adaptive_avg_pool2d_backward " + Arrays.toString(c),
                    Ops.adaptiveAvgPool2dBackward(dy.cpu(), x.shape()), Ops.adaptiveAvgPool2dBackward(dy.gpu(), x.shape()));
        }
    }

    // ---- layer normalisation ----------------------------------------------------------------------------

    @Test
    @DisplayName("layer norm over one and two trailing dims: y, statistics, dx, dweight, dbias")
    void layerNorm() {
        int[][][] cases = {{{4, 6, 10}, {10}}, {{3, 5, 4}, {5, 4}}, {{1000, 37}, {37}}, {{8, 3000}, {3000}},
            {{5, 1}, {1}}, {{2, 7}, {2, 7}}};
        for (int[][] c : cases) {
            String what = Arrays.toString(c[0]) + " over " + Arrays.toString(c[1]);
            Pair x = random(-2f, 5f, c[0]);
            Pair weight = random(0.5f, 1.5f, c[1]);
            Pair bias = random(c[1]);
            Ops.LayerNormOutput cpu = Ops.layerNorm(x.cpu(), weight.cpu(), bias.cpu(), 1e-5f);
            Ops.LayerNormOutput onGpu = Ops.layerNorm(x.gpu(), weight.gpu(), bias.gpu(), 1e-5f);
            assertClose("layer_norm y " + what, cpu.y(), onGpu.y());
            assertClose("layer_norm mean " + what, cpu.mean(), onGpu.mean());
            assertClose("layer_norm inv_std " + what, cpu.invStd(), onGpu.invStd());
            Pair dy = random(c[0]);
            Pair mean = pair(cpu.mean().toArray(), cpu.mean().dims());
            Pair invStd = pair(cpu.invStd().toArray(), cpu.invStd().dims());
            Ops.LayerNormGrads gCpu = Ops.layerNormBackward(x.cpu(), dy.cpu(), weight.cpu(), mean.cpu(), invStd.cpu());
            Ops.LayerNormGrads gGpu = Ops.layerNormBackward(x.gpu(), dy.gpu(), weight.gpu(), mean.gpu(), invStd.gpu());
            assertClose("layer_norm dx " + what, gCpu.dx(), gGpu.dx());
            assertClose("layer_norm dweight " + what, gCpu.dweight(), gGpu.dweight());
            assertClose("layer_norm dbias " + what, gCpu.dbias(), gGpu.dbias());
        }
    }

    // ---- dropout --------------------------------------------------------------------------------------

    @Test
    @DisplayName("dropout masks are bit-for-bit the CPU's")
    void dropout() {
        for (float p : new float[] {0f, 0.1f, 0.5f, 0.9f}) {
            for (long seed : new long[] {0, 1, -7, 0x5DEECE66DL}) {
                Shape shape = Shape.of(3, 1000, 17);
                assertExact("dropout p=" + p + " seed=" + seed, Ops.dropoutMask(Device.CPU, shape, p, seed),
                        Ops.dropoutMask(gpu, shape, p, seed));
            }
        }
    }

    // ---- classification loss --------------------------------------------------------------------------

    @Test
    @DisplayName("softmax, cross-entropy loss and its gradient")
    void loss() {
        for (int[] dims : new int[][] {{1, 2}, {8, 2}, {64, 1000}}) {
            Pair logits = random(-10f, 10f, dims);
            int[] targets = new int[dims[0]];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = random.nextInt(dims[1]);
            }
            assertClose("softmax", Ops.softmax(logits.cpu()), Ops.softmax(logits.gpu()));
            Ops.CrossEntropyOutput cpu = Ops.crossEntropy(logits.cpu(), targets);
            Ops.CrossEntropyOutput onGpu = Ops.crossEntropy(logits.gpu(), targets);
            assertClose("cross_entropy loss", cpu.loss(), onGpu.loss());
            assertClose("cross_entropy probs", cpu.probs(), onGpu.probs());
            assertClose("cross_entropy_backward", Ops.crossEntropyBackward(cpu.probs(), targets, 1f / dims[0]),
                    Ops.crossEntropyBackward(onGpu.probs(), targets, 1f / dims[0]));
        }
    }

    @Test
    @DisplayName("binary cross-entropy with logits and MSE: mean losses up to 3 million elements, gradients")
    void elementwiseLosses() {
        for (int n : new int[] {1, 255, 256 * 256 + 1, 3_000_017}) {
            Pair logits = random(-30f, 30f, n);
            Pair probabilities = random(0f, 1f, n);
            assertClose("binary_cross_entropy_with_logits", Ops.binaryCrossEntropyWithLogits(logits.cpu(),
                    probabilities.cpu()), Ops.binaryCrossEntropyWithLogits(logits.gpu(), probabilities.gpu()));
            assertClose("binary_cross_entropy_with_logits_backward",
                    Ops.binaryCrossEntropyWithLogitsBackward(logits.cpu(), probabilities.cpu(), 0.5f / n),
                    Ops.binaryCrossEntropyWithLogitsBackward(logits.gpu(), probabilities.gpu(), 0.5f / n));
            Pair target = random(n);
            assertClose("mse_loss", Ops.mseLoss(logits.cpu(), target.cpu()), Ops.mseLoss(logits.gpu(), target.gpu()));
            assertExact("mse_loss_backward", Ops.mseLossBackward(logits.cpu(), target.cpu(), 1.5f / n),
                    Ops.mseLossBackward(logits.gpu(), target.gpu(), 1.5f / n));
        }
    }

    // ---- optimiser ------------------------------------------------------------------------------------

    @Test
    @DisplayName("SGD steps (momentum, weight decay, plain) match the CPU")
    void sgdStep() {
        for (float momentum : new float[] {0.9f, 0f}) {
            Pair param = random(37, 11);
            Pair buf = momentum != 0f ? pair(new float[37 * 11], 37, 11) : new Pair(null, null);
            for (int step = 1; step <= 3; step++) {
                Pair grad = random(37, 11);
                Ops.sgdStep(param.cpu(), grad.cpu(), buf.cpu(), 0.05f, momentum, 1e-3f, step == 1);
                Ops.sgdStep(param.gpu(), grad.gpu(), buf.gpu(), 0.05f, momentum, 1e-3f, step == 1);
                assertClose("sgd param, momentum " + momentum + ", step " + step, param.cpu(), param.gpu());
                if (buf.cpu() != null) {
                    assertClose("sgd buffer, step " + step, buf.cpu(), buf.gpu());
                }
            }
        }
    }

    @Test
    @DisplayName("sgdStepAll is exactly per-tensor sgdStep, with and without momentum buffers")
    void sgdStepAll() {
        int[][] shapes = {{64, 3, 3, 3}, {64}, {1}, {10, 4096}, {0}};
        for (float momentum : new float[] {0.9f, 0f}) {
            List<Tensor> fusedParams = new ArrayList<>();
            List<Tensor> singleParams = new ArrayList<>();
            List<Tensor> fusedBufs = new ArrayList<>();
            List<Tensor> singleBufs = new ArrayList<>();
            for (int[] dims : shapes) {
                Pair p = random(dims);
                fusedParams.add(p.gpu());
                singleParams.add(Ops.copy(p.gpu()));
                fusedBufs.add(momentum != 0f ? Tensor.zeros(gpu, dims) : null);
                singleBufs.add(momentum != 0f ? Tensor.zeros(gpu, dims) : null);
            }
            for (int step = 1; step <= 3; step++) {
                List<Tensor> grads = new ArrayList<>();
                for (int[] dims : shapes) {
                    grads.add(random(dims).gpu());
                }
                Ops.sgdStepAll(fusedParams, grads, fusedBufs, 0.01f, momentum, 5e-4f, step == 1);
                for (int t = 0; t < shapes.length; t++) {
                    Ops.sgdStep(singleParams.get(t), grads.get(t), singleBufs.get(t), 0.01f, momentum, 5e-4f,
                            step == 1);
                }
                for (int t = 0; t < shapes.length; t++) {
                    String what = "momentum " + momentum + ", step " + step + ", tensor " + t;
                    assertArrayEquals(singleParams.get(t).toArray(), fusedParams.get(t).toArray(), what);
                    if (momentum != 0f) {
                        assertArrayEquals(singleBufs.get(t).toArray(), fusedBufs.get(t).toArray(), what);
                    }
                }
            }
        }
        Ops.sgdStepAll(List.of(), List.of(), Collections.emptyList(), 0.1f, 0f, 0f, true);
    }

    // ---- the caching allocator in a training loop ----------------------------------------------------

    @Test
    @DisplayName("a warm training step (conv, bn, relu, pool, linear, loss, sgd) allocates no device memory")
    void noRawAllocationAfterWarmUp() {
        cuda.setTf32(true);
        Conv2dSpec conv = Conv2dSpec.of(1, 1);
        Pool2dSpec pool = Pool2dSpec.of(2, 2);
        Tensor x = random(4, 3, 16, 16).gpu();
        int[] targets = {0, 1, 1, 0};
        List<Tensor> params = List.of(random(8, 3, 3, 3).gpu(), random(8).gpu(), Tensor.full(gpu, 1f, 8),
                Tensor.zeros(gpu, 8), random(2, 8 * 8 * 8).gpu(), random(2).gpu());
        List<Tensor> bufs = new ArrayList<>();
        for (Tensor p : params) {
            bufs.add(Tensor.zeros(gpu, p.dims()));
        }
        Tensor runningMean = Tensor.zeros(gpu, 8);
        Tensor runningVar = Tensor.full(gpu, 1f, 8);

        for (int step = 1; step <= 5; step++) {
            long before = cuda.rawAllocations();
            try (TensorScope s = TensorScope.open()) {
                Tensor y = Ops.conv2d(x, params.get(0), params.get(1), conv);
                Ops.BatchNormOutput bn = Ops.batchNormTraining(y, params.get(2), params.get(3), runningMean,
                        runningVar, 0.1f, 1e-5f);
                Tensor r = Ops.relu(bn.y());
                Tensor p = Ops.maxPool2d(r, pool);
                Tensor flat = p.reshape(4, 8 * 8 * 8);
                Tensor logits = Ops.linear(flat, params.get(4), params.get(5));
                Ops.CrossEntropyOutput ce = Ops.crossEntropy(logits, targets);

                Tensor dlogits = Ops.crossEntropyBackward(ce.probs(), targets, 1f / 4);
                Tensor dflat = Ops.matmul(dlogits, false, params.get(4), false);
                Tensor dw2 = Ops.matmul(dlogits, true, flat, false);
                Tensor db2 = Ops.sumPerChannel(dlogits);
                Tensor dr = Ops.maxPool2dBackward(r, dflat.reshape(4, 8, 8, 8), pool);
                Tensor dbn = Ops.reluBackward(r, dr);
                Ops.BatchNormGrads g = Ops.batchNormBackward(y, dbn, params.get(2), bn.mean(), bn.invStd(), true);
                Tensor dw1 = Ops.conv2dBackwardWeight(g.dx(), x, params.get(0).shape(), conv);
                Tensor db1 = Ops.sumPerChannel(g.dx());
                Ops.conv2dBackwardData(g.dx(), params.get(0), x.shape(), conv);
                Ops.sgdStepAll(params, List.of(dw1, db1, g.dgamma(), g.dbeta(), dw2, db2), bufs, 0.01f, 0.9f,
                        1e-4f, step == 1);
                assertTrue(Float.isFinite(ce.loss().item()), "loss at step " + step);
            }
            if (step > 2) {
                assertEquals(before, cuda.rawAllocations(), "raw device allocations in warm step " + step);
            }
        }
    }
}
