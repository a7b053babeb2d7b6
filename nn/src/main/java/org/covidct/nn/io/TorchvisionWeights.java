package org.covidct.nn.io;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where torchvision publishes the ImageNet weights of each VGG; the file names carry a prefix of
 * their SHA-256, which {@link WeightsDownload} checks.
 */
public final class TorchvisionWeights {
    private static final String BASE = "https://download.pytorch.org/models/";
    private static final Map<String, String> FILES = new TreeMap<>(Map.of(
            "vgg11", "vgg11-8a719046.pth", "vgg11_bn", "vgg11_bn-6002323d.pth",
            "vgg13", "vgg13-19584684.pth", "vgg13_bn", "vgg13_bn-abd245e5.pth",
            "vgg16", "vgg16-397923af.pth", "vgg16_bn", "vgg16_bn-6c64b313.pth",
            "vgg19", "vgg19-dcbb9e9d.pth", "vgg19_bn", "vgg19_bn-c79401a0.pth"));

    private TorchvisionWeights() {
    }

    /** The architectures with published weights. */
    public static Set<String> architectures() {
        return FILES.keySet();
    }

    public static URI url(String arch) {
        return URI.create(BASE + fileName(arch));
    }

    /** Where {@link WeightsDownload} keeps the file of {@code arch} in {@code cacheDir}. */
    public static Path cachedFile(Path cacheDir, String arch) {
        return cacheDir.resolve(fileName(arch));
    }

    private static String fileName(String arch) {
        String f = FILES.get(arch);
        if (f == null) {
            throw new IllegalArgumentException("torchvision publishes no ImageNet weights for '" + arch
                    + "' here; known: " + FILES.keySet());
        }
        return f;
    }
}
