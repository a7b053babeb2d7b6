package org.covidct.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.covidct.nn.io.SafeTensors;
import org.covidct.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Loading a full-size vgg19_bn safetensors file (143.7 M float32 parameters plus batch-norm
 * buffers, 548 MiB) into CPU tensors; the goal is under 3 s. The file is written in the set-up,
 * so it is read from the page cache: this measures the loader, not the disk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class WeightLoadBenchmark {
    private Path dir;
    private Path file;

    @Setup(Level.Trial)
    public void writeFile() throws IOException {
        dir = Files.createTempDirectory("weight-load-bench");
        file = dir.resolve("vgg19_bn.safetensors");
        SplittableRandom rng = new SplittableRandom(19);
        Map<String, Tensor> state = new LinkedHashMap<>();
        try {
            vgg19BnShapes().forEach((name, dims) -> state.put(name, randomTensor(rng, dims)));
            SafeTensors.write(file, state, Map.of("format", "pt"));
        } finally {
            state.values().forEach(Tensor::close);
        }
    }

    @TearDown(Level.Trial)
    public void deleteFile() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public long read() throws IOException {
        Map<String, Tensor> tensors = SafeTensors.read(file);
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.numel();
            t.close();
        }
        return n;
    }

    private static Tensor randomTensor(SplittableRandom rng, int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextDouble() - 0.5);
        }
        return Tensor.of(v, dims);
    }

    /** torchvision's vgg19_bn state-dict shapes, in its order. */
    static Map<String, int[]> vgg19BnShapes() {
        int[] cfg = {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0};
        Map<String, int[]> shapes = new LinkedHashMap<>();
        int in = 3;
        int index = 0;
        for (int out : cfg) {
            if (out == 0) {
                index++;
                continue;
            }
            shapes.put("features." + index + ".weight", new int[] {out, in, 3, 3});
            shapes.put("features." + index + ".bias", new int[] {out});
            for (String b : new String[] {"weight", "bias", "running_mean", "running_var"}) {
                shapes.put("features." + (index + 1) + "." + b, new int[] {out});
            }
            shapes.put("features." + (index + 1) + ".num_batches_tracked", new int[] {});
            in = out;
            index += 3;
        }
        int[][] linear = {{4096, 512 * 7 * 7}, {4096, 4096}, {1000, 4096}};
        for (int i = 0; i < 3; i++) {
            shapes.put("classifier." + 3 * i + ".weight", linear[i]);
            shapes.put("classifier." + 3 * i + ".bias", new int[] {linear[i][0]});
        }
        return shapes;
    }
}
