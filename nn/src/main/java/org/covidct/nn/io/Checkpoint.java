package org.covidct.nn.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.Parameter;
import org.covidct.nn.optim.Sgd;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * Everything needed to resume training exactly: the model's state dict, SGD's momentum buffers by
 * parameter name, the epoch, the learning rate, the generator's state (which fixes every later
 * dropout mask and shuffle drawn from it) and the application's own JSON state (early stopping,
 * latest metrics) in {@code extra}, and what the model is ({@link ModelMetadata}), so that a
 * checkpoint can be run without being told. Saved as one safetensors file: tensors named "model.*"
 * and "optimizer.momentum.*", the rest as strings in the header's metadata. The checkpoint owns
 * its tensors; close it to free them.
 *
 * @param model         state dict, by PyTorch's dotted names
 * @param momentum      momentum buffers by parameter name; parameters without one have not stepped
 * @param epoch         the application's epoch counter
 * @param learningRate  the optimiser's current learning rate
 * @param generatorSeed generator state: seed
 * @param generatorPosition generator state: position in the stream
 * @param extra         application state as JSON values; after a load, numbers come back as
 *                      Integer, Long or Double and objects as maps, as Jackson reads them
 * @param description   what the model is; null in a checkpoint written without it
 */
public record Checkpoint(Map<String, Tensor> model, Map<String, Tensor> momentum, int epoch, float learningRate,
                         long generatorSeed, long generatorPosition, Map<String, Object> extra,
                         ModelMetadata description) implements AutoCloseable {
    public static final String FORMAT = "covidct-checkpoint";
    public static final int VERSION = 1;
    static final String MODEL_PREFIX = "model.";
    static final String MOMENTUM_PREFIX = "optimizer.momentum.";

    /** NaN and infinities stay numbers, so that a diverged loss in the metrics survives a round trip. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();

    public Checkpoint {
        model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
        momentum = Collections.unmodifiableMap(new LinkedHashMap<>(momentum));
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra == null ? Map.of() : extra));
    }

    /**
     * A snapshot of the training state: copies of the model's tensors and the momentum buffers,
     * independent of the live ones, so training may go on while it is saved or kept.
     */
    public static Checkpoint capture(Module model, Sgd sgd, Generator gen, int epoch, Map<String, Object> extra,
                                     ModelMetadata description) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        Map<String, Tensor> buffers = new LinkedHashMap<>();
        try {
            model.stateDict().forEach((name, t) -> state.put(name, TensorScope.detach(Ops.copy(t))));
            momentumByName(model, sgd).forEach((name, t) -> buffers.put(name, TensorScope.detach(Ops.copy(t))));
        } catch (RuntimeException | Error e) {
            state.values().forEach(Tensor::close);
            buffers.values().forEach(Tensor::close);
            throw e;
        }
        return new Checkpoint(state, buffers, epoch, sgd.learningRate(), gen.seed(), gen.position(), extra,
                description);
    }

    /**
     * Writes the live training state to {@code file} without copying its tensors first: what
     * {@code capture(...).save(file)} writes, with no second copy of the model in memory.
     */
    public static void write(Path file, Module model, Sgd sgd, Generator gen, int epoch, Map<String, Object> extra,
                             ModelMetadata description) throws IOException {
        new Checkpoint(model.stateDict(), momentumByName(model, sgd), epoch, sgd.learningRate(), gen.seed(),
                gen.position(), extra, description).save(file);
    }

    private static Map<String, Tensor> momentumByName(Module model, Sgd sgd) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
            Tensor buf = sgd.momentumBuffer(p);
            if (buf != null) {
                out.put(name, buf);
            }
        });
        if (out.size() != sgd.momentumBuffers().size()) {
            throw new IllegalArgumentException("Checkpoint: the optimiser holds momentum for parameters outside the model");
        }
        return out;
    }

    /**
     * Puts the training state back: strict state-dict load into the model, the learning rate and
     * exactly this checkpoint's momentum buffers into the optimiser (others are dropped), and the
     * generator's state. The model and optimiser must be built as they were when it was captured.
     */
    public void restore(Module model, Sgd sgd, Generator gen) {
        Map<String, Parameter> params = model.namedParameters();
        for (String name : momentum.keySet()) {
            Parameter p = params.get(name);
            if (p == null) {
                throw new IllegalArgumentException("Checkpoint.restore: momentum for '" + name
                        + "', which is not a parameter of the model");
            }
            if (!sgd.parameters().contains(p)) {
                throw new IllegalArgumentException("Checkpoint.restore: momentum for '" + name
                        + "', which the optimiser does not update");
            }
        }
        model.loadStateDict(this.model, true);
        sgd.setLearningRate(learningRate);
        params.forEach((name, p) -> {
            if (sgd.parameters().contains(p)) {
                sgd.setMomentumBuffer(p, momentum.get(name));
            }
        });
        gen.setState(generatorSeed, generatorPosition);
    }

    /** Writes this checkpoint atomically: a crash leaves the previous file, never a partial one. */
    public void save(Path file) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.forEach((name, t) -> tensors.put(MODEL_PREFIX + name, t));
        momentum.forEach((name, t) -> tensors.put(MOMENTUM_PREFIX + name, t));
        Map<String, String> meta = new LinkedHashMap<>();
        if (description != null) {
            meta.putAll(description.toMetadata());
        }
        meta.put("format", FORMAT);
        meta.put("version", Integer.toString(VERSION));
        meta.put("epoch", Integer.toString(epoch));
        meta.put("learning_rate", Float.toString(learningRate));
        meta.put("generator", "{\"seed\":" + generatorSeed + ",\"position\":" + generatorPosition + "}");
        try {
            meta.put("extra", JSON.writeValueAsString(extra));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Checkpoint.save: extra state is not JSON-serialisable: "
                    + e.getOriginalMessage(), e);
        }
        SafeTensors.write(file, tensors, meta);
    }

    /** Reads a checkpoint written by {@link #save}; the caller closes it. */
    public static Checkpoint load(Path file) throws IOException {
        SafeTensors.Contents contents = SafeTensors.readContents(file);
        Map<String, Tensor> tensors = contents.tensors();
        try {
            Map<String, String> meta = contents.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new WeightFileException(file + ": not a checkpoint (metadata format is "
                        + meta.get("format") + ", expected " + FORMAT + ")");
            }
            if (!Integer.toString(VERSION).equals(meta.get("version"))) {
                throw new WeightFileException(file + ": checkpoint version " + meta.get("version")
                        + " is not supported (expected " + VERSION + ")");
            }
            Map<String, Tensor> model = new LinkedHashMap<>();
            Map<String, Tensor> momentum = new LinkedHashMap<>();
            List<String> stray = new ArrayList<>();
            tensors.forEach((name, t) -> {
                if (name.startsWith(MODEL_PREFIX)) {
                    model.put(name.substring(MODEL_PREFIX.length()), t);
                } else if (name.startsWith(MOMENTUM_PREFIX)) {
                    momentum.put(name.substring(MOMENTUM_PREFIX.length()), t);
                } else {
                    stray.add(name);
                }
            });
            if (!stray.isEmpty()) {
                throw new WeightFileException(file + ": unexpected tensors in a checkpoint: " + stray);
            }
            WeightFiles.requireFinite(file, tensors);
            int epoch = parse(file, "epoch", meta, Integer::parseInt);
            float lr = parse(file, "learning_rate", meta, Float::parseFloat);
            Map<String, Object> generator = parse(file, "generator", meta, Checkpoint::jsonObject);
            Map<String, Object> extra = parse(file, "extra", meta, Checkpoint::jsonObject);
            if (!(generator.get("seed") instanceof Number seed) || !(generator.get("position") instanceof Number pos)
                    || !isLong(seed) || !isLong(pos)) {
                throw new WeightFileException(file + ": checkpoint generator state " + meta.get("generator")
                        + " lacks an integer seed and position");
            }
            return new Checkpoint(model, momentum, epoch, lr, seed.longValue(), pos.longValue(), extra,
                    ModelMetadata.fromMetadata(meta, file).orElse(null));
        } catch (IOException | RuntimeException | Error e) {
            tensors.values().forEach(Tensor::close);
            throw e;
        }
    }

    /** The model's tensors among a checkpoint file's, by their names in the model; closes the optimiser's. */
    static Map<String, Tensor> modelPart(Map<String, Tensor> fileTensors) {
        Map<String, Tensor> model = new LinkedHashMap<>();
        fileTensors.forEach((name, t) -> {
            if (name.startsWith(MODEL_PREFIX)) {
                model.put(name.substring(MODEL_PREFIX.length()), t);
            } else {
                t.close();
            }
        });
        return model;
    }

    private static boolean isLong(Number n) {
        return n instanceof Integer || n instanceof Long;
    }

    private interface Parser<T> {
        T parse(String s) throws Exception;
    }

    private static <T> T parse(Path file, String key, Map<String, String> meta, Parser<T> parser)
            throws WeightFileException {
        String value = meta.get(key);
        if (value == null) {
            throw new WeightFileException(file + ": checkpoint metadata lacks '" + key + "'");
        }
        try {
            return parser.parse(value);
        } catch (Exception e) {
            throw new WeightFileException(file + ": checkpoint metadata '" + key + "' is invalid: " + value, e);
        }
    }

    private static Map<String, Object> jsonObject(String s) throws IOException {
        Map<String, Object> m = JSON.readValue(s, new TypeReference<LinkedHashMap<String, Object>>() { });
        if (m == null) {
            throw new IOException("not a JSON object");
        }
        return m;
    }

    /** Frees the checkpoint's tensors. */
    @Override
    public void close() {
        model.values().forEach(Tensor::close);
        momentum.values().forEach(Tensor::close);
    }
}
