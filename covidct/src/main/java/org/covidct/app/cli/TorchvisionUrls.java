package org.covidct.app.cli;

import java.net.URI;
import java.util.Map;

/** Where torchvision publishes each VGG's ImageNet weights; the file names carry their SHA-256 prefix. */
final class TorchvisionUrls {
    private static final String BASE = "https://download.pytorch.org/models/";
    private static final Map<String, String> FILES = Map.of(
            "vgg11", "vgg11-8a719046.pth", "vgg11_bn", "vgg11_bn-6002323d.pth",
            "vgg13", "vgg13-19584684.pth", "vgg13_bn", "vgg13_bn-abd245e5.pth",
            "vgg16", "vgg16-397923af.pth", "vgg16_bn", "vgg16_bn-6c64b313.pth",
            "vgg19", "vgg19-dcbb9e9d.pth", "vgg19_bn", "vgg19_bn-c79401a0.pth");

    private TorchvisionUrls() {
    }

    static String fileName(String arch) {
        String f = FILES.get(arch);
        if (f == null) {
            throw new IllegalArgumentException("unknown architecture '" + arch + "'; expected one of "
                    + new java.util.TreeSet<>(FILES.keySet()));
        }
        return f;
    }

    static URI url(String arch) {
        return URI.create(BASE + fileName(arch));
    }
}
