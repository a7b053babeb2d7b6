package org.covidct.nn.models;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.AdaptiveAvgPool2d;
import org.covidct.nn.BatchNorm2d;
import org.covidct.nn.Conv2d;
import org.covidct.nn.Dropout;
import org.covidct.nn.Generator;
import org.covidct.nn.Init;
import org.covidct.nn.Linear;
import org.covidct.nn.MaxPool2d;
import org.covidct.nn.Module;
import org.covidct.nn.Parameter;
import org.covidct.nn.ReLU;
import org.covidct.nn.Sequential;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;

/**
 * torchvision.models.VGG: {@code features} (3x3 convolutions, optional BatchNorm, ReLU and 2x2
 * max-pools, as make_layers builds them), {@code avgpool} (adaptive to 7x7) and {@code classifier}
 * (Linear, ReLU, Dropout(0.5), Linear, ReLU, Dropout(0.5), Linear), with torchvision's module
 * indices, so state-dict keys (features.0.weight, classifier.6.bias, ...) and their order match
 * torchvision's and its weight files load as they are. Parameters start as VGG(init_weights=True)
 * sets them.
 *
 * <pre>{@code
 * Vgg model = Vgg.vgg19Bn(1000, gen);
 * model.loadStateDict(TorchWeights.addMissingBatchCounters(TorchWeights.read(path)), true);
 * model.replaceHead(2, gen); // model.classifier[6] = nn.Linear(4096, 2)
 * }</pre>
 */
public final class Vgg extends Module {
    /** The max-pool marker in a channel configuration ("M" in torchvision's cfgs). */
    public static final int M = -1;

    private static final int[] CFG_A = {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    private static final int[] CFG_B = {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    private static final int[] CFG_D = {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
    private static final int[] CFG_E =
            {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M};
    private static final int HIDDEN = 4096;
    private static final int POOLED = 7;
    private static final float DROPOUT = 0.5f;
    private static final int HEAD = 6;

    private record Arch(int[] config, boolean batchNorm) {
    }

    private static final Map<String, Arch> ARCHITECTURES = new LinkedHashMap<>();

    static {
        ARCHITECTURES.put("vgg11", new Arch(CFG_A, false));
        ARCHITECTURES.put("vgg11_bn", new Arch(CFG_A, true));
        ARCHITECTURES.put("vgg13", new Arch(CFG_B, false));
        ARCHITECTURES.put("vgg13_bn", new Arch(CFG_B, true));
        ARCHITECTURES.put("vgg16", new Arch(CFG_D, false));
        ARCHITECTURES.put("vgg16_bn", new Arch(CFG_D, true));
        ARCHITECTURES.put("vgg19", new Arch(CFG_E, false));
        ARCHITECTURES.put("vgg19_bn", new Arch(CFG_E, true));
    }

    private final Sequential features;
    private final AdaptiveAvgPool2d avgpool;
    private final Sequential classifier;
    private final int hidden;

    /**
     * A VGG with the given feature configuration (output channels of each 3x3 convolution, and
     * {@link #M} for each max-pool), BatchNorm after every convolution or none, {@code hidden}
     * units in the two hidden classifier layers, and {@code numClasses} outputs. torchvision's
     * models use hidden = 4096; narrower ones are for tests.
     */
    public Vgg(int[] config, boolean batchNorm, int hidden, int numClasses, Generator gen) {
        if (hidden < 1 || numClasses < 1) {
            throw new IllegalArgumentException("Vgg: invalid hidden width " + hidden + " or class count " + numClasses);
        }
        this.hidden = hidden;
        // The layers' own default init is overwritten below, so it draws from a throwaway generator.
        Generator scratch = new Generator(0);
        features = registerModule("features", new Sequential());
        int channels = 3;
        for (int v : config) {
            if (v == M) {
                features.add(new MaxPool2d(2, 2));
            } else if (v >= 1) {
                features.add(new Conv2d(channels, v, 3, 1, 1, true, scratch));
                if (batchNorm) {
                    features.add(new BatchNorm2d(v));
                }
                features.add(new ReLU());
                channels = v;
            } else {
                throw new IllegalArgumentException("Vgg: configuration " + Arrays.toString(config)
                        + " holds " + v + "; use channel counts >= 1 and Vgg.M for max-pools");
            }
        }
        if (Arrays.stream(config).noneMatch(v -> v != M)) {
            throw new IllegalArgumentException("Vgg: configuration " + Arrays.toString(config) + " has no convolution");
        }
        avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(POOLED, POOLED));
        classifier = registerModule("classifier", new Sequential(
                new Linear(channels * POOLED * POOLED, hidden, true, scratch), new ReLU(), new Dropout(DROPOUT, gen),
                new Linear(hidden, hidden, true, scratch), new ReLU(), new Dropout(DROPOUT, gen),
                new Linear(hidden, numClasses, true, scratch)));
        initialise(gen);
    }

    /** torchvision's VGG(init_weights=True), in module order. */
    private void initialise(Generator gen) {
        for (Module m : List.of(features, classifier)) {
            for (Module layer : m.children().values()) {
                if (layer instanceof Conv2d conv) {
                    int[] w = conv.weight().data().dims();
                    int fanOut = w[0] * w[2] * w[3];
                    fill(conv.weight(), Init.kaimingNormalFanOut(w[0] * w[1] * w[2] * w[3], fanOut, gen));
                    fill(conv.bias(), Init.constant(w[0], 0f));
                } else if (layer instanceof Linear linear) {
                    int[] w = linear.weight().data().dims();
                    fill(linear.weight(), Init.normal(w[0] * w[1], 0, 0.01, gen));
                    fill(linear.bias(), Init.constant(w[0], 0f));
                }
                // BatchNorm2d already starts at weight 1, bias 0.
            }
        }
    }

    private static void fill(Parameter p, float[] values) {
        try (Tensor src = Tensor.of(p.data().device(), values, p.data().dims())) {
            Ops.copyInto(src, p.data());
        }
    }

    /** The architectures {@link #create} knows, as torchvision names them. */
    public static List<String> architectures() {
        return List.copyOf(ARCHITECTURES.keySet());
    }

    /**
     * The channel configuration of a torchvision architecture (torchvision's cfgs "A", "B", "D" or
     * "E", with {@link #M} for "M"); architectures ending in "_bn" add BatchNorm to it.
     */
    public static int[] config(String arch) {
        return arch(arch).config().clone();
    }

    private static Arch arch(String arch) {
        Arch a = ARCHITECTURES.get(arch);
        if (a == null) {
            throw new IllegalArgumentException("Vgg: unknown architecture '" + arch + "'; valid names are "
                    + String.join(", ", ARCHITECTURES.keySet()));
        }
        return a;
    }

    /** The {@link Footprint} of {@code arch} with {@code numClasses} outputs on images of {@code size} pixels. */
    static Footprint footprint(String arch, int numClasses, int size) {
        Arch a = arch(arch);
        Footprint.Counter count = new Footprint.Counter();
        long side = size;
        int channels = 3;
        for (int v : a.config()) {
            long in = channels * side * side;
            if (v == M) {
                side /= 2;
                count.layer(0, in, channels * side * side);
            } else {
                long out = v * side * side;
                count.layer(9L * channels * v + v, in, out);
                if (a.batchNorm()) {
                    count.sameShape(4L * v, out);
                }
                count.sameShape(0, out);
                channels = v;
            }
        }
        long pooled = (long) channels * POOLED * POOLED;
        count.layer(0, channels * side * side, pooled);
        count.layer(pooled * HIDDEN + HIDDEN, pooled, HIDDEN).sameShape(0, HIDDEN).sameShape(0, HIDDEN);
        count.layer((long) HIDDEN * HIDDEN + HIDDEN, HIDDEN, HIDDEN).sameShape(0, HIDDEN).sameShape(0, HIDDEN);
        return count.layer((long) HIDDEN * numClasses + numClasses, HIDDEN, numClasses).footprint();
    }

    /** torchvision.models.&lt;arch&gt;(num_classes=numClasses) for arch in vgg11, vgg11_bn, ... vgg19_bn. */
    public static Vgg create(String arch, int numClasses, Generator gen) {
        Arch a = arch(arch);
        return new Vgg(a.config(), a.batchNorm(), HIDDEN, numClasses, gen);
    }

    public static Vgg vgg11(int numClasses, Generator gen) {
        return create("vgg11", numClasses, gen);
    }

    public static Vgg vgg11Bn(int numClasses, Generator gen) {
        return create("vgg11_bn", numClasses, gen);
    }

    public static Vgg vgg13(int numClasses, Generator gen) {
        return create("vgg13", numClasses, gen);
    }

    public static Vgg vgg13Bn(int numClasses, Generator gen) {
        return create("vgg13_bn", numClasses, gen);
    }

    public static Vgg vgg16(int numClasses, Generator gen) {
        return create("vgg16", numClasses, gen);
    }

    public static Vgg vgg16Bn(int numClasses, Generator gen) {
        return create("vgg16_bn", numClasses, gen);
    }

    public static Vgg vgg19(int numClasses, Generator gen) {
        return create("vgg19", numClasses, gen);
    }

    public static Vgg vgg19Bn(int numClasses, Generator gen) {
        return create("vgg19_bn", numClasses, gen);
    }

    public Sequential features() {
        return features;
    }

    public AdaptiveAvgPool2d avgpool() {
        return avgpool;
    }

    public Sequential classifier() {
        return classifier;
    }

    /** Units of the two hidden classifier layers (4096 in torchvision's models). */
    public int hiddenWidth() {
        return hidden;
    }

    /** Outputs of the last classifier layer. */
    public int numClasses() {
        return ((Linear) classifier.get(HEAD)).weight().data().dim(0);
    }

    /**
     * The transfer-learning step {@code model.classifier[6] = nn.Linear(4096, numClasses)}: a new
     * last layer with nn.Linear's default initialisation, as the tutorial gets it; the old one is closed.
     */
    public void replaceHead(int numClasses, Generator gen) {
        classifier.set(HEAD, new Linear(hidden, numClasses, true, gen));
        classifier.get(HEAD).train(isTraining());
    }

    @Override
    public Variable forward(Variable x) {
        return classifier.call(Functional.flatten(avgpool.call(features.call(x))));
    }
}
