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
import org.covidct.nn.models.Vgg;
import org.covidct.tensor.Tensor;

/**
 * Builds the two-class CT classifier and fills it from whatever weights the user names: nothing
 * (random initialisation), torchvision's ImageNet file (every layer but the replaced
 * classifier[6]), a two-class state dict saved by PyTorch, or one of our checkpoints.
 */
public final class ClassifierModels {
    /** NonCOVID and COVID. */
    public static final int CLASSES = 2;
    private static final List<String> IMAGENET_HEAD = List.of("classifier.6.weight", "classifier.6.bias");

    private ClassifierModels() {
    }

    /**
     * The model for {@code arch} with a two-class head. {@code weights} is null or "none" for a
     * fresh model, else a .pth (zip or legacy) or .safetensors file, decided by content.
     */
    public static Vgg build(String arch, String weights, Generator gen) throws IOException {
        Vgg model = Vgg.create(arch, CLASSES, gen);
        if (weights == null || weights.equals("none")) {
            return model;
        }
        try {
            load(model, Path.of(weights));
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Copies the weights in {@code file} into {@code model}, tolerating only a different head. */
    public static void load(Module model, Path file) throws IOException {
        Map<String, Tensor> state = readStateDict(file);
        try {
            Map<String, Tensor> keyed = TorchWeights.addMissingBatchCounters(TorchWeights.stripPrefix(state, "module."));
            Module.StateDictReport report = model.compareStateDict(keyed);
            List<String> problems = new ArrayList<>(report.missing());
            problems.addAll(report.unexpected());
            for (String mismatch : report.mismatched()) {
                if (IMAGENET_HEAD.stream().noneMatch(mismatch::startsWith)) {
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

    /** The state dict in a weight file: our checkpoint's model part, or the whole file. */
    static Map<String, Tensor> readStateDict(Path file) throws IOException {
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
