package org.covidct.spark.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.covidct.app.StrictFp32Cuda;
import org.covidct.app.cli.DeviceOption;
import org.covidct.spark.LocalSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring with {@code --device cuda} against the CPU, in strict FP32 (in CI on the CUDA stand-in).
 * Skipped, with the reason, where CUDA is unusable.
 */
@ExtendWith(StrictFp32Cuda.class)
class CudaScoringTest {
    /** The logits differ only in summation order; probabilities move by far less than this. */
    private static final double ATOL = 1e-5;

    @TempDir
    Path dir;

    @Test
    void scoresOnTheGpuAsOnTheCpu() throws IOException {
        ScoringFixture.images(dir.resolve("data"));
        Path weights = ScoringFixture.weights(dir, 3);
        String images = dir.resolve("data/Images-processed").toString();
        Map<Path, Row> cpu = ScoringTest.byFile(CovidCtScoring.score(CovidCtScoring.listImages(LocalSpark.session(),
                images), weights, ScoreOptions.defaults().withDevice(DeviceOption.Choice.cpu)));
        int loads = ExecutorModels.loads();
        Map<Path, Row> gpu = ScoringTest.byFile(CovidCtScoring.score(CovidCtScoring.listImages(LocalSpark.session(),
                images), weights, ScoreOptions.defaults().withDevice(DeviceOption.Choice.cuda)));
        assertEquals(1, ExecutorModels.loads() - loads, "a second model, on the GPU");
        assertEquals(cpu.keySet(), gpu.keySet());
        cpu.forEach((path, c) -> {
            Row g = gpu.get(path);
            assertNull(g.getAs("error"));
            assertEquals(c.<Double>getAs("covid_probability"), g.<Double>getAs("covid_probability"), ATOL,
                    path.toString());
        });
    }
}
