package org.covidct.app.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.covidct.app.data.DataLayout;
import org.covidct.app.io.AtomicOutput;
import org.covidct.app.metrics.ClassNames;
import org.covidct.nn.data.split.SplitFractions;
import org.covidct.nn.io.ModelMetadata;

/**
 * A run's {@code config.json}: its settings and what it recorded of its data set
 * ({@link RecordedData}), written when it starts and read when it resumes. A file that is not JSON,
 * lacks a field, or no longer matches the run's checkpoint is refused in one line naming the file
 * and the field. A file written before the data set's layout, classes and split were recorded
 * lacks them, and describes a run on COVID-CT's own split files.
 */
final class ConfigFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigFile() {
    }

    /**
     * Writes the settings and what the run recorded of its data set; null for a run started before
     * that was recorded, whose file stays as it was.
     */
    static void write(Path file, TrainConfig c, RecordedData data) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("arch", c.arch());
        o.put("weights", c.weights());
        o.put("data", c.data().toAbsolutePath().toString());
        if (data != null) {
            o.put("data_layout", data.layout().id());
            o.putArray("classes").add(data.classes().negative()).add(data.classes().positive());
        }
        if (c.positiveClass() != null) {
            o.put("positive_class", c.positiveClass());
        }
        o.put("split_fractions", c.splitFractions().toString());
        if (data != null) {
            o.put("split_sha256", data.splitSha256());
        }
        o.put("out", c.out().toAbsolutePath().toString());
        o.put("epochs", c.epochs());
        o.put("batch_size", c.batchSize());
        o.put("accumulate", c.accumulate());
        o.put("lr", c.lr());
        o.put("momentum", c.momentum());
        o.put("image_size", c.imageSize());
        o.put("seed", c.seed());
        o.put("workers", c.workers());
        o.put("patience", c.patience());
        writeRecipe(o.putObject("recipe"), c.recipe());
        AtomicOutput.text(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
    }

    /** The settings in {@code file}; the run lives in {@code runDir}, wherever it was moved. */
    static TrainConfig read(Path file, Path runDir) throws IOException {
        JsonNode o = tree(file);
        Fields f = new Fields(o, file);
        try {
            return new TrainConfig(f.text("arch"), f.text("weights"), Path.of(f.text("data")), runDir,
                    f.integer("epochs"), f.integer("batch_size"), f.integer("accumulate"), (float) f.number("lr"),
                    (float) f.number("momentum"), f.integer("image_size"), f.whole("seed"), f.integer("workers"),
                    f.integer("patience"), o.has("positive_class") ? f.text("positive_class") : null,
                    o.has("split_fractions") ? SplitFractions.parse(f.text("split_fractions")) : SplitFractions.COVID_CT,
                    o.has("recipe") ? readRecipe(new Fields(o.get("recipe"), file, "recipe.")) : TrainingRecipe.TUTORIAL);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    private static void writeRecipe(ObjectNode r, TrainingRecipe recipe) {
        r.put("name", recipe.name());
        r.put("optimizer", TrainingRecipe.nameOf(recipe.optimizer()));
        r.put("weight_decay", recipe.weightDecay());
        r.put("schedule", TrainingRecipe.nameOf(recipe.schedule()));
        r.put("warmup_epochs", recipe.warmupEpochs());
        r.put("label_smoothing", recipe.labelSmoothing());
        r.put("augmentation", TrainingRecipe.nameOf(recipe.augmentation()));
        r.put("freeze_epochs", recipe.freezeEpochs());
        r.put("ema_decay", recipe.emaDecay());
        r.put("test_time_flip", recipe.testTimeFlip());
    }

    /** A recipe object; a config.json without one describes a run of the tutorial's recipe. */
    private static TrainingRecipe readRecipe(Fields r) throws IOException {
        if (!r.o().isObject()) {
            throw new IOException(r.file() + ": field \"recipe\" is not an object");
        }
        return new TrainingRecipe(r.text("name"), r.choice("optimizer", TrainingRecipe.OptimizerKind.class),
                (float) r.number("weight_decay"), r.choice("schedule", TrainingRecipe.Schedule.class),
                r.integer("warmup_epochs"), (float) r.number("label_smoothing"),
                r.choice("augmentation", TrainingRecipe.Augmentation.class), r.integer("freeze_epochs"),
                (float) r.number("ema_decay"), r.bool("test_time_flip"));
    }

    /**
     * What {@code file} records of the run's data set; empty for a run started before it was recorded,
     * which trains on COVID-CT's split files.
     */
    static Optional<RecordedData> readData(Path file) throws IOException {
        JsonNode o = tree(file);
        if (!o.has("data_layout")) {
            return Optional.empty();
        }
        Fields f = new Fields(o, file);
        DataLayout layout = DataLayout.byId(f.text("data_layout"));
        if (layout == null) {
            throw new IOException(file + ": field \"data_layout\" is none of covid-ct, image-folder, csv-manifest");
        }
        JsonNode classes = o.get("classes");
        if (classes == null || !classes.isArray() || classes.size() != 2 || !classes.get(0).isTextual()
                || !classes.get(1).isTextual()) {
            throw f.missing("classes", "two class names");
        }
        ClassNames names;
        try {
            names = ClassNames.of(List.of(classes.get(0).asText(), classes.get(1).asText()));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": field \"classes\": " + e.getMessage());
        }
        if (!names.positive().equals(f.text("positive_class"))) {
            throw new IOException(file + ": field \"positive_class\" is not the second of \"classes\"");
        }
        String digest = f.text("split_sha256");
        if (!digest.matches("[0-9a-f]{64}")) {
            throw f.missing("split_sha256", "a SHA-256 in hex");
        }
        return Optional.of(new RecordedData(layout, names, digest));
    }

    private static JsonNode tree(Path file) throws IOException {
        JsonNode o;
        try {
            o = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr());
        }
        if (o == null || !o.isObject()) {
            throw new IOException(file + ": not a JSON object");
        }
        return o;
    }

    /**
     * Refuses settings that contradict what {@code checkpoint} records of the model it holds: a
     * config.json edited after the run started would resume another model than the one saved.
     */
    static void requireMatches(TrainConfig config, Path file, Path checkpoint) throws IOException {
        Optional<ModelMetadata> recorded = ModelMetadata.read(checkpoint);
        if (recorded.isEmpty()) {
            return;
        }
        ModelMetadata m = recorded.get();
        if (!m.architecture().equals(config.arch()) || m.imageSize() != config.imageSize()) {
            throw new IOException(file + " says " + config.arch() + " at " + config.imageSize() + " px, but "
                    + checkpoint + " holds " + m.architecture() + " at " + m.imageSize()
                    + " px; put back the settings the run was started with");
        }
    }

    /** The fields of one config.json, each refused by name when missing or of the wrong kind. */
    private record Fields(JsonNode o, Path file, String prefix) {
        Fields(JsonNode o, Path file) {
            this(o, file, "");
        }

        String text(String name) throws IOException {
            JsonNode v = o.get(name);
            if (v == null || !v.isTextual()) {
                throw missing(name, "a string");
            }
            return v.asText();
        }

        int integer(String name) throws IOException {
            JsonNode v = o.get(name);
            if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
                throw missing(name, "an integer");
            }
            return v.asInt();
        }

        long whole(String name) throws IOException {
            JsonNode v = o.get(name);
            if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
                throw missing(name, "an integer");
            }
            return v.asLong();
        }

        boolean bool(String name) throws IOException {
            JsonNode v = o.get(name);
            if (v == null || !v.isBoolean()) {
                throw missing(name, "true or false");
            }
            return v.asBoolean();
        }

        <E extends Enum<E>> E choice(String name, Class<E> type) throws IOException {
            Optional<E> value = TrainingRecipe.byName(type, text(name));
            if (value.isEmpty()) {
                throw missing(name, "one of " + TrainingRecipe.names(type));
            }
            return value.get();
        }

        double number(String name) throws IOException {
            JsonNode v = o.get(name);
            if (v == null || !v.isNumber()) {
                throw missing(name, "a number");
            }
            return v.asDouble();
        }

        IOException missing(String name, String kind) {
            return new IOException(file + ": field \"" + prefix + name + "\" is missing or not " + kind);
        }
    }
}
