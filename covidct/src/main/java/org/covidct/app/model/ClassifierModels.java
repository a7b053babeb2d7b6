package org.covidct.app.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.io.Checkpoint;
import org.covidct.nn.io.SafeTensors;
import org.covidct.nn.io.TorchWeights;
import org.covidct.nn.io.WeightFileException;
import org.covidct.nn.io.WeightsTool;
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
    /** NonCOVID and COVID. */
    public static final int CLASSES = 2;
    public static final String MOBILENET_V2 = "mobilenet_v2";

    private ClassifierModels() {
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
     * decided by content.
     */
    public static Module build(String arch, String weights, Generator gen) throws IOException {
        return build(arch, weights, gen, null);
    }

    /**
     * As {@link #build(String, String, Generator)}; without weights, a mobilenet_v2 takes the variant
     * of the state dict in {@code shapedLike} (a checkpoint about to be restored into it), if given.
     */
    public static Module build(String arch, String weights, Generator gen, Path shapedLike) throws IOException {
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
            return loaded(model, state, Path.of(weights));
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
        return loaded(model, state, file);
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
    private static <M extends Module> M loaded(M model, Map<String, Tensor> state, Path file) throws IOException {
        try {
            loadState(model, state, file);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Copies the weights in {@code file} into {@code model}, tolerating only a different head. */
    public static void load(Module model, Path file) throws IOException {
        loadState(model, readStateDict(file), file);
    }

    /** Copies {@code state} into {@code model} (closing the state), tolerating only a different last layer. */
    private static void loadState(Module model, Map<String, Tensor> state, Path file) throws IOException {
        List<String> head = model instanceof MobileNetV2
                ? List.of("classifier.1.weight", "classifier.1.bias")
                : List.of("classifier.6.weight", "classifier.6.bias");
        try {
            Map<String, Tensor> keyed = TorchWeights.addMissingBatchCounters(TorchWeights.stripPrefix(state, "module."));
            Module.StateDictReport report = model.compareStateDict(keyed);
            List<String> problems = new ArrayList<>(report.missing());
            problems.addAll(report.unexpected());
            for (String mismatch : report.mismatched()) {
                if (head.stream().noneMatch(mismatch::startsWith)) {
                    problems.add(mismatch);
                }
            }
            if (!problems.isEmpty()) {
                throw new WeightFileException(file + ": does not fit this architecture: " + problems);
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
        if (TfliteModel.looksLikeTflite(file)) {
            return TfliteMobileNetV2.read(file).stateDict();
        }
        Map<String, Tensor> state = WeightsTool.load(file);
        if (!state.keySet().stream().allMatch(k -> k.startsWith("model.") || k.startsWith("optimizer.momentum."))
                || !Checkpoint.FORMAT.equals(SafeTensors.readMetadata(file).get("format"))) {
            return state;
        }
        Map<String, Tensor> model = new LinkedHashMap<>();
        state.forEach((name, t) -> {
            if (name.startsWith("model.")) {
                model.put(name.substring("model.".length()), t);
            } else {
                t.close(); // optimiser state is not needed to run a model
            }
        });
        return model;
    }
}
