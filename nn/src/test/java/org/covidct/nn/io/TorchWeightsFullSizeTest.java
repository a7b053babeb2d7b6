package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.covidct.nn.Generator;
import org.covidct.nn.models.Vgg;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * torchvision's own vgg19_bn-c79401a0.pth (548 MB, legacy format, no num_batches_tracked) loads
 * strictly into {@link Vgg#vgg19Bn}. The file is not in the repository: point COVIDCT_VGG19_BN_PTH
 * at a copy (for example the one WeightsDownload caches) to run this test.
 */
@EnabledIfEnvironmentVariable(named = "COVIDCT_VGG19_BN_PTH", matches = ".+")
class TorchWeightsFullSizeTest {
    @Test
    void torchvisionsVgg19BnFileLoadsStrictly() throws IOException {
        Path file = Path.of(System.getenv("COVIDCT_VGG19_BN_PTH"));
        List<String> expected;
        try (InputStream in = TorchWeightsFullSizeTest.class.getResourceAsStream("/weights/vgg19_bn_keys.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        try (TensorScope scope = TensorScope.open(); Vgg model = Vgg.vgg19Bn(1000, new Generator(0))) {
            Map<String, Tensor> state = TorchWeights.addMissingBatchCounters(
                    TorchWeights.stripPrefix(TorchWeights.read(file), "module."));
            List<String> actual = new ArrayList<>();
            state.forEach((k, v) -> actual.add(k + " " + v.shape()));
            assertEquals(expected, actual);
            assertTrue(model.loadStateDict(state, true).isClean());
            model.replaceHead(2, new Generator(1));
            assertEquals(2, model.numClasses());
        }
    }
}
