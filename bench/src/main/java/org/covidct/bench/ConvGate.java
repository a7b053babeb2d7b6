package org.covidct.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;

/**
 * CI performance gate for the CPU convolution, measured in one JVM so machine speed cancels out:
 * <ol>
 * <li>each pass (forward, backward-data, backward-weight) of two VGG 3x3 convolutions at batch 8
 *     must reach {@code --min-ratio} (0.8) of the sgemm GFLOP/s at 1024^3, since a convolution
 *     that is mostly a GEMM should run near GEMM speed;
 * <li>the forward convolution on a small shape must be {@code --min-speedup} times faster than a
 *     direct 7-deep loop (which also checks that both agree).
 * </ol>
 * The operations are timed round-robin, so a slow spell on a shared machine hits all of them,
 * and each figure is the median over the rounds. Exit status 1 when a check fails.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * org.covidct.bench.ConvGate}
 */
public final class ConvGate {
    private static final int BATCH = 8;
    private static final Conv2dSpec SPEC = Conv2dSpec.of(1, 1);
    /** Seconds each op runs before timing starts. */
    private static final double WARMUP_SECONDS = 0.4;
    /** Warm-up passes stop after this many in a row compile nothing new, or after MAX_WARMUP_SECONDS. */
    private static final int QUIET_PASSES = 3;
    private static final double MAX_WARMUP_SECONDS = 30;

    private ConvGate() {
    }

    /** One timed operation: its label, flops per call, and the call (returns a tensor to close). */
    private record Op(String name, double flops, Supplier<Tensor> call, double[] seconds) {
        Op(String name, double flops, Supplier<Tensor> call, int rounds) {
            this(name, flops, call, new double[rounds]);
        }

        double run() {
            long t0 = System.nanoTime();
            call.get().close();
            return (System.nanoTime() - t0) / 1e9;
        }

        double median() {
            double[] s = seconds.clone();
            Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        double gflops() {
            return flops / median() / 1e9;
        }
    }

    public static void main(String[] args) {
        double minRatio = 0.8, minSpeedup = 20;
        int rounds = 7;
        String[] shapes = {"128-128-56", "256-256-28"};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--min-ratio" -> minRatio = Double.parseDouble(args[++i]);
                case "--min-speedup" -> minSpeedup = Double.parseDouble(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--shapes" -> shapes = args[++i].split(",");
                default -> {
                    System.err.println("usage: ConvGate [--min-ratio R] [--min-speedup N] [--rounds N] [--shapes C-K-HW,...]");
                    System.exit(2);
                }
            }
        }
        long start = System.nanoTime();
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            System.out.println("ConvGate: warning: jdk.incubator.vector is not loaded; the kernels run their scalar fallback");
        }
        Random rng = new Random(7);
        List<Tensor> inputs = new ArrayList<>();

        int n = 1024;
        Tensor a = keep(inputs, Bench.randomTensor(rng, n, n)), b = keep(inputs, Bench.randomTensor(rng, n, n));
        Op gemm = new Op("sgemm " + n + "^3", 2.0 * n * n * n, () -> Ops.matmul(a, false, b, false), rounds);

        List<Op> convs = new ArrayList<>();
        for (String shape : shapes) {
            int[] s = Arrays.stream(shape.split("-")).mapToInt(Integer::parseInt).toArray();
            Tensor x = keep(inputs, Bench.randomTensor(rng, BATCH, s[0], s[2], s[2]));
            Tensor w = keep(inputs, Bench.randomTensor(rng, s[1], s[0], 3, 3));
            Tensor dy = keep(inputs, Bench.randomTensor(rng, BATCH, s[1], s[2], s[2]));
            double flops = Bench.convFlops(BATCH, s[0], s[1], s[2]);
            convs.add(new Op("conv " + shape + " forward", flops, () -> Ops.conv2d(x, w, null, SPEC), rounds));
            convs.add(new Op("conv " + shape + " backwardData", flops,
                    () -> Ops.conv2dBackwardData(dy, w, x.shape(), SPEC), rounds));
            convs.add(new Op("conv " + shape + " backwardWeight", flops,
                    () -> Ops.conv2dBackwardWeight(dy, x, w.shape(), SPEC), rounds));
        }

        // The small shape: ours against a direct loop, which also checks the result.
        int tn = 2, tc = 32, tk = 32, thw = 28;
        Tensor tx = keep(inputs, Bench.randomTensor(rng, tn, tc, thw, thw));
        Tensor tw = keep(inputs, Bench.randomTensor(rng, tk, tc, 3, 3));
        double tinyFlops = Bench.convFlops(tn, tc, tk, thw);
        float[] xv = tx.toArray(), wv = tw.toArray();
        float[] naiveOut = new float[tn * tk * thw * thw];
        Op ours = new Op("conv " + tc + "-" + tk + "-" + thw + " x" + tn + " forward (ours)", tinyFlops,
                () -> Ops.conv2d(tx, tw, null, SPEC), rounds);
        Op naive = new Op("same, direct loop", tinyFlops, () -> {
            naiveConv(xv, wv, tn, tc, tk, thw, naiveOut);
            return Tensor.of(new float[1], 1);
        }, rounds);

        List<Op> all = new ArrayList<>();
        all.add(gemm);
        all.addAll(convs);
        all.add(ours);
        all.add(naive);
        // Warm-up: each op for at least WARMUP_SECONDS and 4 calls, so that the JIT has compiled its
        // kernels (a quick op needs hundreds of calls; the Vector API runs slowly until compiled);
        // then passes over all ops until QUIET_PASSES in a row compile nothing new. On two cores a
        // compile still in flight takes a core from whichever op it overlaps: after the first pass
        // alone, the sgemm ran at half its speed, and every convolution looked fast next to it.
        for (Op op : all) {
            double spent = 0;
            for (int rep = 0; rep < 4 || spent < WARMUP_SECONDS; rep++) {
                spent += op.run();
            }
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit != null && jit.isCompilationTimeMonitoringSupported()) {
            // The count moves when a compile ends, so a long one can span a quiet pass: three in a row.
            for (int quiet = 0; quiet < QUIET_PASSES && (System.nanoTime() - start) / 1e9 < MAX_WARMUP_SECONDS; ) {
                long compiled = jit.getTotalCompilationTime();
                for (Op op : all) {
                    op.run();
                }
                quiet = jit.getTotalCompilationTime() == compiled ? quiet + 1 : 0;
            }
        }
        double warm = (System.nanoTime() - start) / 1e9;
        for (int r = 0; r < rounds; r++) {
            for (Op op : all) {
                op.seconds[r] = op.run();
            }
            // The direct loop, last, runs on one thread while the pool's other core idles, and the
            // op after it pays for waking that core (a fifth of the sgemm's time): an untimed call.
            gemm.run();
        }

        double maxErr = checkAgainstNaive(tx, tw, naiveOut);
        double gemmGflops = gemm.gflops();
        boolean ok = true;
        List<String> failures = new ArrayList<>();
        System.out.printf(Locale.ROOT, "ConvGate: batch %d, %d threads, median of %d rounds after %.1f s of warm-up%n",
                BATCH, Runtime.getRuntime().availableProcessors(), rounds, warm);
        System.out.printf(Locale.ROOT, "  %-44s %9.1f GFLOP/s%n", gemm.name, gemmGflops);
        for (Op op : convs) {
            double ratio = op.gflops() / gemmGflops;
            boolean pass = ratio >= minRatio;
            System.out.printf(Locale.ROOT, "  %-44s %9.1f GFLOP/s  %.2fx sgemm (min %.2f) %s%n", op.name, op.gflops(),
                    ratio, minRatio, pass ? "ok" : "FAIL");
            if (!pass) {
                ok = false;
                failures.add(String.format(Locale.ROOT, "%s at %.2fx the sgemm GFLOP/s, below %.2f", op.name, ratio,
                        minRatio));
            }
        }
        double speedup = naive.median() / ours.median();
        System.out.printf(Locale.ROOT, "  %-44s %9.2f GFLOP/s%n", ours.name, ours.gflops());
        System.out.printf(Locale.ROOT, "  %-44s %9.2f GFLOP/s%n", naive.name, naive.gflops());
        System.out.printf(Locale.ROOT, "  %-44s %9.1fx (min %.1fx) %s%n", "speed-up over the direct loop", speedup,
                minSpeedup, speedup >= minSpeedup ? "ok" : "FAIL");
        System.out.printf(Locale.ROOT, "  %-44s %9.2e%n", "max |ours - direct| / max |direct|", maxErr);
        if (speedup < minSpeedup) {
            ok = false;
            failures.add(String.format(Locale.ROOT, "conv only %.1fx faster than the direct loop, below %.1fx", speedup,
                    minSpeedup));
        }
        if (!(maxErr <= 1e-5)) {
            ok = false;
            failures.add(String.format(Locale.ROOT, "conv differs from the direct loop by %.2e (normwise)", maxErr));
        }
        for (Tensor t : inputs) {
            t.close();
        }
        System.out.printf(Locale.ROOT, "ConvGate: %s in %.1f s%n", ok ? "PASS" : "FAIL", (System.nanoTime() - start) / 1e9);
        for (String f : failures) {
            System.out.println("ConvGate: FAIL: " + f);
        }
        System.exit(ok ? 0 : 1);
    }

    private static Tensor keep(List<Tensor> list, Tensor t) {
        list.add(t);
        return t;
    }

    /** y[n][k][i][j] = sum over c, r, s of x[n][c][i + r - 1][j + s - 1] * w[k][c][r][s], pad 1. */
    static void naiveConv(float[] x, float[] w, int n, int c, int k, int hw, float[] y) {
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

    private static double checkAgainstNaive(Tensor x, Tensor w, float[] expected) {
        float[] got;
        try (Tensor y = Ops.conv2d(x, w, null, SPEC)) {
            got = y.toArray();
        }
        double err = 0, max = 0;
        for (int i = 0; i < expected.length; i++) {
            err = Math.max(err, Math.abs(got[i] - expected[i]));
            max = Math.max(max, Math.abs(expected[i]));
        }
        return err / Math.max(max, 1e-30);
    }
}
