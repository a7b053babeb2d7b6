package org.covidct.nn.data.layout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.covidct.nn.data.Batch;
import org.covidct.nn.data.DataLoader;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.Split;
import org.covidct.nn.data.image.Transforms;
import org.covidct.nn.data.split.SplitFractions;
import org.covidct.nn.data.split.StratifiedSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a training run does with a data set: read, split with a seed, record the split, read it back, load. */
class SplitRunTest {
    @TempDir
    Path base;

    @Test
    void aRecordedSplitReadsBackAsTheSameSamplesAndLoads() throws IOException {
        for (int i = 0; i < 30; i++) {
            Trees.png(base, "data/" + (i % 3 == 0 ? "normal" : "pneumonia") + "/scan " + i + ".png");
        }
        LabelledDataset data = ImageFolder.read(base.resolve("data"));
        LabelledDataset split = StratifiedSplit.complete(data, SplitFractions.COVID_CT, 42).withPositiveClass("pneumonia");
        Path recorded = Files.createDirectories(base.resolve("runs/exp1")).resolve("split.csv");
        CsvManifest.write(recorded, split);

        LabelledDataset again = CsvManifest.read(recorded, split.classes()).withPositiveClass("pneumonia");
        assertEquals(List.of("normal", "pneumonia"), again.classes());
        assertEquals(1, again.positiveLabel().getAsInt());
        for (Split s : Split.values()) {
            assertEquals(split.samples(s), again.samples(s), s.id());
            assertTrue(!again.samples(s).isEmpty());
        }
        List<Sample> test = again.samples(Split.TEST);
        try (DataLoader loader = DataLoader.builder(test, Transforms.eval(8)).batchSize(test.size()).workers(1).build();
             DataLoader.Epoch epoch = loader.epoch(0);
             Batch batch = epoch.next()) {
            assertArrayEquals(new int[] {test.size(), 3, 8, 8}, batch.images().dims());
            assertArrayEquals(test.stream().mapToInt(Sample::label).toArray(), batch.labels());
        }
    }
}
