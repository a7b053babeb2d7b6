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
import java.util.Objects;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.optim.EmaState;
import org.covidct.nn.optim.ModelEma;
import org.covidct.nn.optim.Optimizer;
import org.covidct.nn.optim.OptimizerState;
import org.covidct.nn.optim.Sgd;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * Everything needed to resume training exactly: the model's state dict, the optimiser's
 * per-parameter state by parameter name ({@link OptimizerState}: SGD's momentum buffers, AdamW's
 * moments and step counts), the average of a {@link ModelEma} when the run keeps one, the epoch,
 * the learning rate, the generator's state (which fixes every later dropout mask and shuffle drawn
 * from it), the application's own JSON state (early stopping, latest metrics, a schedule's step
 * count) in {@code extra}, and what the model is ({@link ModelMetadata}), so that a checkpoint can
 * be run without being told. Saved as one safetensors file: tensors named "model.*",
 * "optimizer.&lt;slot&gt;.*" and "ema.*", the rest as strings in the header's metadata. Version 1
 * files (SGD only, no "optimizer" metadata) still load. The checkpoint owns its tensors; close it
 * to free them.
 *
 * @param model         state dict, by PyTorch's dotted names
 * @param optimizer     the optimiser's state; parameters without an entry have not stepped
 * @param ema           the averaged model, or null in a run without one
 * @param epoch         the application's epoch counter
 * @param learningRate  the optimiser's current learning rate
 * @param generatorSeed generator state: seed
 * @param generatorPosition generator state: position in the stream
 * @param extra         application state as JSON values; after a load, numbers come back as
 *                      Integer, Long or Double and objects as maps, as Jackson reads them
 * @param description   what the model is; null in a checkpoint written without it
 */
public record Checkpoint(Map<String, Tensor> model, OptimizerState optimizer, EmaState ema, int epoch,
                         float learningRate, long generatorSeed, long generatorPosition, Map<String, Object> extra,
                         ModelMetadata description) implements AutoCloseable {
    public static final String FORMAT = "covidct-checkpoint";
    public static final int VERSION = 2;
    static final String MODEL_PREFIX = "model.";
    static final String OPTIMIZER_PREFIX = "optimizer.";
    static final String EMA_PREFIX = "ema.";

    /** NaN and infinities stay numbers, so that a diverged loss in the metrics survives a round trip. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();

    public Checkpoint {
        model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
        Objects.requireNonNull(optimizer, "optimizer");
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra == null ? Map.of() : extra));
    }

    /** {@link #capture(Module, Optimizer, ModelEma, Generator, int, Map, ModelMetadata)} of a run without an average. */
    public static Checkpoint capture(Module model, Optimizer optimizer, Generator gen, int epoch,
                                     Map<String, Object> extra, ModelMetadata description) {
        return capture(model, optimizer, null, gen, epoch, extra, description);
    }

    /**
     * A snapshot of the training state: copies of the model's tensors, the optimiser's state and the
     * average ({@code ema} may be null), independent of the live ones, so training may go on while
     * it is saved or kept.
     */
    public static Checkpoint capture(Module model, Optimizer optimizer, ModelEma ema, Generator gen, int epoch,
                                     Map<String, Object> extra, ModelMetadata description) {
        List<Tensor> copies = new ArrayList<>();
        try {
            OptimizerState live = optimizer.state(model.namedParameters());
            Map<String, Tensor> state = copies(model.stateDict(), copies);
            OptimizerState opt = new OptimizerState(live.type(), copies(live.tensors(), copies), live.steps());
            EmaState averaged = ema == null ? null
                    : new EmaState(copies(ema.state().averaged(), copies), ema.updates());
            return new Checkpoint(state, opt, averaged, epoch, optimizer.learningRate(), gen.seed(), gen.position(),
                    extra, description);
        } catch (RuntimeException | Error e) {
            copies.forEach(Tensor::close);
            throw e;
        }
    }

    private static Map<String, Tensor> copies(Map<String, Tensor> live, List<Tensor> made) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        live.forEach((name, t) -> {
            Tensor copy = TensorScope.detach(Ops.copy(t));
            made.add(copy);
            out.put(name, copy);
        });
        return out;
    }

    /** {@link #write(Path, Module, Optimizer, ModelEma, Generator, int, Map, ModelMetadata)} of a run without an average. */
    public static void write(Path file, Module model, Optimizer optimizer, Generator gen, int epoch,
                             Map<String, Object> extra, ModelMetadata description) throws IOException {
        write(file, model, optimizer, null, gen, epoch, extra, description);
    }

    /**
     * Writes the live training state to {@code file} without copying its tensors first: what
     * {@code capture(...).save(file)} writes, with no second copy of the model in memory.
     */
    public static void write(Path file, Module model, Optimizer optimizer, ModelEma ema, Generator gen, int epoch,
                             Map<String, Object> extra, ModelMetadata description) throws IOException {
        new Checkpoint(model.stateDict(), optimizer.state(model.namedParameters()), ema == null ? null : ema.state(),
                epoch, optimizer.learningRate(), gen.seed(), gen.position(), extra, description).save(file);
    }

    /**
     * {@link #restore(Module, Optimizer, ModelEma, Generator)} of a run without an average.
     *
     * @throws IllegalArgumentException if the checkpoint holds an average
     */
    public void restore(Module model, Optimizer optimizer, Generator gen) {
        restore(model, optimizer, null, gen);
    }

    /**
     * Puts the training state back: strict state-dict load into the model, the learning rate and
     * exactly this checkpoint's per-parameter state into the optimiser (state for parameters the
     * checkpoint does not mention is dropped), the average into {@code ema}, and the generator's
     * state. The model, optimiser and average must be built as they were when it was captured; the
     * model is left as it was when the checkpoint does not fit them.
     *
     * @throws IllegalArgumentException if the optimiser's type differs from the checkpoint's, the
     *                                  state names parameters that the model lacks or the optimiser
     *                                  does not update, or exactly one of the checkpoint and the
     *                                  caller has an average
     */
    public void restore(Module model, Optimizer optimizer, ModelEma ema, Generator gen) {
        if ((ema == null) != (this.ema == null)) {
            throw new IllegalArgumentException(this.ema == null
                    ? "Checkpoint.restore: the checkpoint holds no averaged model to restore into the ModelEma"
                    : "Checkpoint.restore: the checkpoint holds an averaged model (" + this.ema.updates()
                            + " updates); restore it into a ModelEma");
        }
        Module.StateDictReport report = model.compareStateDict(this.model);
        if (!report.isClean()) {
            throw new IllegalArgumentException("Checkpoint.restore: " + report);
        }
        // Each load checks all of its entries before it changes anything, and the model loads last.
        optimizer.loadState(this.optimizer, model.namedParameters());
        if (ema != null) {
            ema.load(this.ema);
        }
        model.loadStateDict(this.model, true);
        optimizer.setLearningRate(learningRate);
        gen.setState(generatorSeed, generatorPosition);
    }

    /** Writes this checkpoint atomically: a crash leaves the previous file, never a partial one. */
    public void save(Path file) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.forEach((name, t) -> tensors.put(MODEL_PREFIX + name, t));
        optimizer.tensors().forEach((name, t) -> tensors.put(OPTIMIZER_PREFIX + name, t));
        if (ema != null) {
            ema.averaged().forEach((name, t) -> tensors.put(EMA_PREFIX + name, t));
        }
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
            Map<String, Object> opt = new LinkedHashMap<>();
            opt.put("type", optimizer.type());
            opt.put("steps", optimizer.steps());
            meta.put("optimizer", JSON.writeValueAsString(opt));
            if (ema != null) {
                meta.put("ema", JSON.writeValueAsString(Map.of("updates", ema.updates())));
            }
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
            String version = meta.get("version");
            if (!"1".equals(version) && !Integer.toString(VERSION).equals(version)) {
                throw new WeightFileException(file + ": checkpoint version " + version
                        + " is not supported (expected 1 or " + VERSION + ")");
            }
            Map<String, Tensor> model = new LinkedHashMap<>();
            Map<String, Tensor> optimizerTensors = new LinkedHashMap<>();
            Map<String, Tensor> emaTensors = new LinkedHashMap<>();
            List<String> stray = new ArrayList<>();
            tensors.forEach((name, t) -> {
                if (name.startsWith(MODEL_PREFIX)) {
                    model.put(name.substring(MODEL_PREFIX.length()), t);
                } else if (name.startsWith(OPTIMIZER_PREFIX)) {
                    optimizerTensors.put(name.substring(OPTIMIZER_PREFIX.length()), t);
                } else if (name.startsWith(EMA_PREFIX)) {
                    emaTensors.put(name.substring(EMA_PREFIX.length()), t);
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
            // Version 1 had SGD's momentum buffers only, and no "optimizer" entry.
            OptimizerState optimizer = "1".equals(version) ? new OptimizerState(Sgd.TYPE, optimizerTensors, Map.of())
                    : optimizerState(file, meta, optimizerTensors);
            EmaState ema = emaState(file, meta, emaTensors);
            return new Checkpoint(model, optimizer, ema, epoch, lr, seed.longValue(), pos.longValue(), extra,
                    ModelMetadata.fromMetadata(meta, file).orElse(null));
        } catch (IOException | RuntimeException | Error e) {
            tensors.values().forEach(Tensor::close);
            throw e;
        }
    }

    private static OptimizerState optimizerState(Path file, Map<String, String> meta, Map<String, Tensor> tensors)
            throws WeightFileException {
        Map<String, Object> json = parse(file, "optimizer", meta, Checkpoint::jsonObject);
        if (!(json.get("type") instanceof String type) || !(json.get("steps") instanceof Map<?, ?> steps)) {
            throw new WeightFileException(file + ": checkpoint optimizer state " + meta.get("optimizer")
                    + " lacks a type and step counts");
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : steps.entrySet()) {
            if (!(e.getValue() instanceof Number n) || !isLong(n) || n.longValue() < 1) {
                throw new WeightFileException(file + ": checkpoint optimizer step count " + e.getValue() + " for '"
                        + e.getKey() + "' is not a positive integer");
            }
            counts.put((String) e.getKey(), n.longValue());
        }
        return new OptimizerState(type, tensors, counts);
    }

    private static EmaState emaState(Path file, Map<String, String> meta, Map<String, Tensor> tensors)
            throws WeightFileException {
        if (!meta.containsKey("ema")) {
            if (!tensors.isEmpty()) {
                throw new WeightFileException(file + ": checkpoint has averaged-model tensors but no 'ema' metadata");
            }
            return null;
        }
        Map<String, Object> json = parse(file, "ema", meta, Checkpoint::jsonObject);
        if (!(json.get("updates") instanceof Number n) || !isLong(n) || n.longValue() < 0) {
            throw new WeightFileException(file + ": checkpoint averaged-model state " + meta.get("ema")
                    + " lacks a non-negative integer update count");
        }
        return new EmaState(tensors, n.longValue());
    }

    /** The model's tensors among a checkpoint file's, by their names in the model; closes the others. */
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
        optimizer.tensors().values().forEach(Tensor::close);
        if (ema != null) {
            ema.averaged().values().forEach(Tensor::close);
        }
    }
}
