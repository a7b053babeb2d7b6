package org.covidct.app;

import static org.covidct.app.CliRun.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * train, evaluate and gradcam with {@code --device cuda} against the same commands on the CPU, on
 * a generated data set, in strict FP32. Skipped, with the reason, where CUDA is unusable.
 */
@ExtendWith(StrictFp32Cuda.class)
class CudaCliTest {
    /** One SGD step on 32-pixel images: float rounding differs only in summation order. */
    private static final double RTOL = 1e-3;

    @TempDir
    Path dir;

    @Test
    void trainEvaluateAndGradcamMatchTheCpu() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("COVID-CT"), Map.of("train", 4, "val", 2, "test", 3), 40, 2);
        for (String device : List.of("cpu", "cuda")) {
            CliRun train = cli("train", "--device", device, "--data", data.toString(), "--arch", "vgg11_bn",
                    "--weights", "none", "--image-size", "32", "--epochs", "1", "--batch-size", "4", "--workers", "2",
                    "--no-analyze", "--out", dir.resolve("run-" + device).toString());
            assertEquals(0, train.code(), device + ": " + train.err());
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode cpuEpoch = json.readTree(dir.resolve("run-cpu/metrics.json").toFile()).get("epochs").get(0);
        JsonNode gpuEpoch = json.readTree(dir.resolve("run-cuda/metrics.json").toFile()).get("epochs").get(0);
        for (String key : List.of("/train_loss", "/val/loss")) {
            double expected = cpuEpoch.at(key).asDouble(), actual = gpuEpoch.at(key).asDouble();
            assertEquals(expected, actual, RTOL * Math.abs(expected), key + ": CPU " + expected + ", CUDA " + actual);
        }
        assertScoresClose(dir.resolve("run-cpu/test_scores.csv"), dir.resolve("run-cuda/test_scores.csv"));

        // The CPU's model evaluated on CUDA gives the CPU's own scores.
        String weights = dir.resolve("run-cpu/checkpoints/best.safetensors").toString();
        Path scores = dir.resolve("cuda-eval.csv");
        CliRun eval = cli("evaluate", "--device", "cuda", "--weights", weights, "--arch", "vgg11_bn", "--image-size",
                "32", "--batch-size", "4", "--data", data.toString(), "--split", "test", "--scores-out",
                scores.toString());
        assertEquals(0, eval.code(), eval.err());
        assertScoresClose(dir.resolve("run-cpu/test_scores.csv"), scores);

        Path image = Files.list(data.resolve("Images-processed/CT_COVID")).sorted().findFirst().orElseThrow();
        double[][] maps = new double[2][];
        for (int d = 0; d < 2; d++) {
            String device = d == 0 ? "cpu" : "cuda";
            Path map = dir.resolve("cam-" + device + ".csv");
            CliRun cam = cli("gradcam", "--device", device, "--weights", weights, "--arch", "vgg11_bn",
                    "--image-size", "32", "--image", image.toString(), "--out",
                    dir.resolve("cam-" + device + ".png").toString(), "--map-out", map.toString());
            assertEquals(0, cam.code(), device + ": " + cam.err());
            maps[d] = values(Files.readAllLines(map));
        }
        assertEquals(maps[0].length, maps[1].length);
        for (int i = 0; i < maps[0].length; i++) {
            assertEquals(maps[0][i], maps[1][i], RTOL, "Grad-CAM map value " + i);
        }
    }

    /** Same images, targets and predictions; probabilities within {@link #RTOL}. */
    private static void assertScoresClose(Path cpu, Path gpu) throws IOException {
        List<String> expected = Files.readAllLines(cpu), actual = Files.readAllLines(gpu);
        assertEquals(expected.size(), actual.size(), gpu + " rows");
        assertEquals(expected.get(0), actual.get(0));
        for (int r = 1; r < expected.size(); r++) {
            String[] e = expected.get(r).split(","), a = actual.get(r).split(",");
            assertEquals(e[0], a[0], "path of row " + r);
            assertEquals(e[1], a[1], "target of row " + r);
            assertEquals(Double.parseDouble(e[2]), Double.parseDouble(a[2]), RTOL, "probability of row " + r);
        }
    }

    private static double[] values(List<String> rows) {
        return rows.stream().flatMap(r -> Arrays.stream(r.split(","))).mapToDouble(Double::parseDouble).toArray();
    }
}
