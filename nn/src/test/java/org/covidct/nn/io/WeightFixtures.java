package org.covidct.nn.io;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.covidct.nn.Generator;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.models.Vgg;
import org.covidct.tensor.TensorScope;
import org.covidct.tensor.testing.GoldenFile;

/** The weight-file fixtures of scripts/golden/make_weight_fixtures.py and the narrow VGGs they hold. */
final class WeightFixtures {
    static final GoldenFile GOLD = GoldenFile.load("/weights/weights.gold");
    /** torchvision's cfg "A" with every width divided by 32, as the script builds vgg11bn_narrow. */
    static final int[] VGG11_NARROW = {2, Vgg.M, 4, Vgg.M, 8, 8, Vgg.M, 16, 16, Vgg.M, 16, 16, Vgg.M};
    /** cfg "B" divided by 64, as in vgg13_narrow. */
    static final int[] VGG13_NARROW = {1, 1, Vgg.M, 2, 2, Vgg.M, 4, 4, Vgg.M, 8, 8, Vgg.M, 8, 8, Vgg.M};
    static final int HIDDEN = 8;

    private WeightFixtures() {
    }

    static Path path(String name) {
        URL url = WeightFixtures.class.getResource("/weights/" + name);
        if (url == null) {
            throw new IllegalArgumentException("fixture " + name + " not found; run scripts/golden/make_weight_fixtures.py");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Vgg vgg11bnNarrow(int numClasses) {
        return new Vgg(VGG11_NARROW, true, HIDDEN, numClasses, new Generator(3));
    }

    static Vgg vgg13Narrow(int numClasses) {
        return new Vgg(VGG13_NARROW, false, HIDDEN, numClasses, new Generator(4));
    }

    /** The model for a fixture file name: vgg11bn_narrow (5 classes) or vgg13_narrow (3 classes). */
    static Vgg modelFor(String file) {
        return file.startsWith("vgg11bn") ? vgg11bnNarrow(5) : vgg13Narrow(3);
    }

    /** Eval-mode logits on the fixtures' input. */
    static float[] logits(Vgg model) {
        model.eval();
        try (TensorScope scope = TensorScope.open(); GradMode.Guard g = GradMode.noGrad()) {
            return model.forward(Variable.constant(GOLD.tensor("input"))).data().toArray();
        }
    }
}
