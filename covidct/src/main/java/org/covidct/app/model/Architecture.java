package org.covidct.app.model;

/**
 * The architectures {@link ClassifierModels} builds, as the command line's {@code --arch} takes
 * them; the names are torchvision's.
 */
public enum Architecture {
    vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn, mobilenet_v2;

    /** The tutorial's network, which the commands fall back to when nothing says otherwise. */
    public static final Architecture DEFAULT = vgg19_bn;
}
