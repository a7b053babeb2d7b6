package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.covidct.nn.models.Vgg;
import org.junit.jupiter.api.Test;

class TorchvisionWeightsTest {
    @Test
    void everyVggHasAFileWhoseNameCarriesItsHash() {
        assertEquals(Set.copyOf(Vgg.architectures()), TorchvisionWeights.architectures());
        assertEquals(URI.create("https://download.pytorch.org/models/vgg19_bn-c79401a0.pth"),
                TorchvisionWeights.url("vgg19_bn"));
        for (String arch : TorchvisionWeights.architectures()) {
            String name = WeightsDownload.fileName(TorchvisionWeights.url(arch));
            assertTrue(name.startsWith(arch + "-"), name);
            assertEquals(8, WeightsDownload.expectedHashPrefix(name).length(), name);
            assertEquals(Path.of("cache", name), TorchvisionWeights.cachedFile(Path.of("cache"), arch));
        }
    }

    @Test
    void anotherArchitectureIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchvisionWeights.url("mobilenet_v2"));
        assertTrue(e.getMessage().contains("'mobilenet_v2'"), e.getMessage());
        assertTrue(e.getMessage().contains(List.copyOf(TorchvisionWeights.architectures()).toString()), e.getMessage());
    }
}
