package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;

/**
 * The VGG-shaped network of the golden fixture (scripts/golden/make_vgg_fixture.py), with
 * torchvision VGG's attribute names: features, avgpool, classifier.
 */
final class SmallVgg extends Module {
    final Sequential features;
    final AdaptiveAvgPool2d avgpool;
    final Sequential classifier;

    SmallVgg(Generator gen) {
        features = registerModule("features", new Sequential(
                new Conv2d(3, 4, 3, 1, 1, true, gen), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2, 2),
                new Conv2d(4, 8, 3, 1, 1, true, gen), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2, 2)));
        avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(7, 7));
        classifier = registerModule("classifier", new Sequential(
                new Linear(8 * 7 * 7, 16, true, gen), new ReLU(), new Dropout(0f, gen),
                new Linear(16, 16, true, gen), new ReLU(), new Dropout(0f, gen),
                new Linear(16, 2, true, gen)));
    }

    @Override
    public Variable forward(Variable x) {
        return classifier.forward(Functional.flatten(avgpool.forward(features.forward(x))));
    }
}
