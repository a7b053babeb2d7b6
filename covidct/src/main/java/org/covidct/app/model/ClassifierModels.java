package org.covidct.app.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import java.util.function.Consumer;
import org.covidct.app.metrics.ClassNames;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.data.image.Normalize;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.nn.io.TorchWeights;
import org.covidct.nn.io.WeightFileException;
import org.covidct.nn.io.WeightFiles;
import org.covidct.nn.io.tflite.TfliteModel;
import org.covidct.nn.io.tflite.TfliteMobileNetV2;
import org.covidct.nn.models.MobileNetV2;
import org.covidct.nn.models.Vgg;
import org.covidct.tensor.Tensor;

/**
 * Builds the two-class CT classifier and fills it from whatever weights the user names: nothing
 * (random initialisation), an ImageNet file (every layer but the replaced last classifier layer:
 * torchvision's .pth, or for mobilenet_v2 a TFLite file), a two-class state dict saved by PyTorch,
 * or one of our checkpoints.
 *
 * <p>mobilenet_v2 comes in the variant its weights need (see {@link MobileNetV2.Variant}): a TFLite
 * file, or a checkpoint trained from one, gives the TensorFlow variant with folded batch norm; no
 * weights or torchvision's give torchvision's. Either takes the pipeline's [0, 1] input and maps
 * it to [-1, 1], the TensorFlow MobileNets' own input range (their uint8 input is quantized to
 * it), so that checkpoints evaluate with the scaling they were trained with whatever they started
 * from.
 */
public final class ClassifierModels {
    /**
     * The output classes of a model trained on COVID-CT, in order: index 0 NonCOVID, 1 COVID, as the
     * data set labels them; the names a checkpoint records when it records none (see
     * {@link #classNames}).
     */
    public static final List<String> CLASS_NAMES = List.of("NonCOVID", "COVID");
    public static final int CLASSES = CLASS_NAMES.size();
    /** The tutorial's input side, for weights that do not record theirs. */
    public static final int DEFAULT_IMAGE_SIZE = 224;
    /** Five 2x2 max-pools (VGG) or stride-2 stages (MobileNetV2) need at least this many pixels. */
    public static final int MIN_IMAGE_SIZE = 32;
    /**
     * The largest input side: eight times the tutorial's, past any CT slice's resolution, and small
     * enough that an image's 3 x side x side values and its activations stay countable in an int.
     */
    public static final int MAX_IMAGE_SIZE = 4096;
    public static final String MOBILENET_V2 = "mobilenet_v2";
    private static final int WIDEST_CHANNELS = 64;
    /** How many mismatched keys an error names before it only counts them. */
    private static final int KEYS_NAMED = 3;

    private ClassifierModels() {
    }

    /** Whether the classifier can take inputs of this side: {@link #MIN_IMAGE_SIZE} to {@link #MAX_IMAGE_SIZE}. */
    public static boolean isImageSize(int side) {
        return side >= MIN_IMAGE_SIZE && side <= MAX_IMAGE_SIZE;
    }

    /** The usage error for a side that {@link #isImageSize} refuses. */
    public static String imageSizeError(int side) {
        return "--image-size " + side + ": must be " + MIN_IMAGE_SIZE + " to " + MAX_IMAGE_SIZE + " pixels";
    }

    /**
     * The usage error for a batch whose widest activation (the VGGs' 64 channels at full size, the
     * widest of every architecture here) would hold more values than a tensor can index; empty when
     * the batch fits.
     */
    public static Optional<String> batchSizeError(int batchSize, int side) {
        if (batchSize < 1) {
            return Optional.of("--batch-size " + batchSize + ": must be at least 1");
        }
        long widest = (long) WIDEST_CHANNELS * side * side;
        if (batchSize * widest <= Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "--batch-size %d at %d px: the first layer's activations would "
                + "hold %,d values, more than a tensor can (%,d); use --batch-size %d or less", batchSize, side,
                batchSize * widest, Integer.MAX_VALUE, Integer.MAX_VALUE / widest));
    }

    /** The description of a model of COVID-CT's classes trained with these settings. */
    public static ModelMetadata describe(String arch, int imageSize, Normalize normalize) {
        return describe(arch, imageSize, normalize, CLASS_NAMES);
    }

    /**
     * The description that this application's checkpoints record for a model trained with these
     * settings on classes {@code classNames}, the second one positive.
     */
    public static ModelMetadata describe(String arch, int imageSize, Normalize normalize, List<String> classNames) {
        return ModelMetadata.of(arch, imageSize, normalize.mean(), normalize.std(), classNames, classNames.get(1));
    }

    /**
     * The class names a model trained on a data set of classes {@code data} records: the data set's,
     * except that COVID-CT's folder names CT_NonCOVID and CT_COVID stay NonCOVID and COVID, the names
     * its checkpoints have always recorded (and predict prints).
     */
    public static List<String> classNames(ClassNames data) {
        return data.equals(ClassNames.COVID_CT) ? CLASS_NAMES : data.list();
    }

    /** The input normalisation a description records. */
    public static Normalize normalize(ModelMetadata m) {
        return new Normalize(m.mean(), m.std());
    }

    /**
     * Refuses a recorded description that this classifier cannot run as recorded: an architecture
     * it does not build, other classes than its two (the second one positive), or a normalisation
     * that is not per RGB channel.
     */
    public static void checkRunnable(ModelMetadata m, Path file) throws WeightFileException {
        if (!architectures().contains(m.architecture())) {
            throw new WeightFileException(file + ": records the architecture '" + m.architecture()
                    + "', which is none of " + architectures());
        }
        if (m.classNames().size() != CLASSES || !m.positiveClass().equals(m.classNames().get(1))) {
            throw new WeightFileException(file + ": records the classes " + m.classNames() + " with positive class "
                    + m.positiveClass() + "; the classifier has " + CLASSES + ", the second positive");
        }
        if (m.mean().length != 3) {
            throw new WeightFileException(file + ": records a normalisation of " + m.mean().length
                    + " channels; images have 3");
        }
    }

    /** Every architecture {@link #build} knows. */
    public static List<String> architectures() {
        List<String> all = new ArrayList<>(Vgg.architectures());
        all.add(MOBILENET_V2);
        return all;
    }

    /**
     * The model for {@code arch} with a two-class head. {@code weights} is null or "none" for a
     * fresh model, else a .pth (zip or legacy), .safetensors or, for mobilenet_v2, .tflite file,
     * decided by content, whose every tensor must fit: a classifier is never run with a head that
     * was not trained for its classes.
     */
    public static Module build(String arch, String weights, Generator gen) throws IOException {
        return build(arch, weights, gen, null, null);
    }

    /**
     * As {@link #build(String, String, Generator)}, but a head of another number of classes (an
     * ImageNet file's) is left out and {@code headReplaced} told so: the start of fine-tuning.
     */
    public static Module buildForFineTuning(String arch, String weights, Generator gen, Consumer<String> headReplaced)
            throws IOException {
        return build(arch, weights, gen, null, headReplaced);
    }

    /**
     * As {@link #build(String, String, Generator)}; without weights, a mobilenet_v2 takes the variant
     * of the state dict in {@code shapedLike} (a checkpoint about to be restored into it), if given.
     */
    public static Module build(String arch, String weights, Generator gen, Path shapedLike) throws IOException {
        return build(arch, weights, gen, shapedLike, null);
    }

    /** {@code headReplaced} null: the head must fit. */
    private static Module build(String arch, String weights, Generator gen, Path shapedLike,
                                Consumer<String> headReplaced) throws IOException {
        boolean none = weights == null || weights.equals("none");
        if (!arch.equals(MOBILENET_V2)) {
            if (none) {
                return Vgg.create(arch, CLASSES, gen);
            }
            Map<String, Tensor> state = readStateDict(Path.of(weights));
            Vgg model;
            try {
                model = Vgg.create(arch, CLASSES, gen);
            } catch (RuntimeException e) {
                state.values().forEach(Tensor::close);
                throw e;
            }
            return loaded(model, state, Path.of(weights), headReplaced);
        }
        if (none) {
            MobileNetV2.Variant variant = MobileNetV2.Variant.TORCHVISION;
            if (shapedLike != null) {
                Map<String, Tensor> state = readStateDict(shapedLike);
                variant = variantOf(state);
                state.values().forEach(Tensor::close);
            }
            return mobileNet(variant, gen);
        }
        Path file = Path.of(weights);
        Map<String, Tensor> state = readStateDict(file);
        MobileNetV2 model;
        try {
            model = mobileNet(variantOf(state), gen);
        } catch (RuntimeException e) {
            state.values().forEach(Tensor::close);
            throw e;
        }
        return loaded(model, state, file, headReplaced);
    }

    private static MobileNetV2 mobileNet(MobileNetV2.Variant variant, Generator gen) {
        MobileNetV2 model = new MobileNetV2(CLASSES, variant, gen);
        model.setInputScaling(2f, -1f);
        return model;
    }

    /** TensorFlow's variant when the convolutions carry the biases (batch norm folded in). */
    private static MobileNetV2.Variant variantOf(Map<String, Tensor> state) {
        return state.containsKey("features.0.0.bias") && !state.containsKey("features.0.1.running_mean")
                ? MobileNetV2.Variant.TENSORFLOW : MobileNetV2.Variant.TORCHVISION;
    }

    /** {@code model} filled from {@code state} (which this closes), or closed itself when it does not fit. */
    private static <M extends Module> M loaded(M model, Map<String, Tensor> state, Path file,
                                               Consumer<String> headReplaced) throws IOException {
        try {
            loadState(model, state, file, headReplaced);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Copies the weights in {@code file} into {@code model}; every tensor must fit. */
    public static void load(Module model, Path file) throws IOException {
        loadState(model, readStateDict(file), file, null);
    }

    /**
     * The classifier's last layer, the one fine-tuning replaces: the last layer of the model's
     * {@code classifier} (VGG's classifier[6], MobileNetV2's classifier[1]).
     *
     * @throws IllegalArgumentException if the model has no {@code classifier} sequence
     */
    public static Module head(Module model) {
        if (!(model.children().get("classifier") instanceof Sequential classifier)) {
            throw new IllegalArgumentException(model.getClass().getSimpleName() + " has no classifier sequence whose "
                    + "last layer is its head");
        }
        return classifier.get(-1);
    }

    /**
     * Copies {@code state} into {@code model} (closing the state). A last layer of another shape is
     * refused when {@code headReplaced} is null, else left out and reported to it.
     */
    private static void loadState(Module model, Map<String, Tensor> state, Path file, Consumer<String> headReplaced)
            throws IOException {
        String headLayer = model instanceof MobileNetV2 ? "classifier.1" : "classifier.6";
        List<String> head = List.of(headLayer + ".weight", headLayer + ".bias");
        try {
            Map<String, Tensor> keyed = TorchWeights.addMissingBatchCounters(TorchWeights.stripPrefix(state, "module."));
            Module.StateDictReport report = model.compareStateDict(keyed);
            List<String> problems = new ArrayList<>();
            report.missing().forEach(key -> problems.add("missing " + key));
            report.unexpected().forEach(key -> problems.add("unexpected " + key));
            List<String> headMismatches = new ArrayList<>();
            for (String mismatch : report.mismatched()) {
                if (head.stream().anyMatch(key -> mismatch.startsWith(key + " "))) {
                    headMismatches.add(mismatch);
                } else {
                    problems.add("mis-shaped " + mismatch);
                }
            }
            if (!problems.isEmpty()) {
                throw new WeightFileException(file + ": does not fit this architecture: " + problems.size()
                        + " keys differ, such as " + String.join(", ", problems.subList(0, Math.min(KEYS_NAMED,
                        problems.size()))) + " (were the weights trained as another --arch?)");
            }
            if (!headMismatches.isEmpty()) {
                String mismatch = headMismatches.get(0); // "KEY (file SHAPE, model SHAPE)"
                int fileClasses = keyed.get(mismatch.substring(0, mismatch.indexOf(' '))).dim(0);
                if (headReplaced == null) {
                    throw new WeightFileException(file + ": the head " + mismatch + " has " + fileClasses
                            + " classes, not the classifier's " + CLASSES + " (only train --weights replaces a head)");
                }
                headReplaced.accept("replacing the " + fileClasses + "-class head " + headLayer + " of " + file
                        + " with a new " + CLASSES + "-class one");
            }
            model.loadStateDict(keyed, false);
            for (Map.Entry<String, Tensor> e : keyed.entrySet()) {
                if (!state.containsKey(e.getKey())) {
                    e.getValue().close(); // a batch counter added above
                }
            }
        } finally {
            state.values().forEach(Tensor::close);
        }
    }

    /** The state dict in a weight file: a TFLite MobileNetV2's, our checkpoint's model part, or the whole file. */
    static Map<String, Tensor> readStateDict(Path file) throws IOException {
        return TfliteModel.looksLikeTflite(file) ? TfliteMobileNetV2.read(file).stateDict()
                : WeightFiles.readStateDict(file);
    }
}
