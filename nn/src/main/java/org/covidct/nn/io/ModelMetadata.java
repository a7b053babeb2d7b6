package org.covidct.nn.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a weight file says about the model it holds, so that whoever runs it need not repeat it:
 * the architecture, the side of the square input, the input normalisation (per-channel mean and
 * std applied to pixels scaled to [0, 1]), the class names in output order, the positive class
 * (whose probability is the score) and the version of this library that wrote the file. Kept as
 * strings in a safetensors header's {@code __metadata__} map, lists as JSON arrays; a file without
 * it (an older checkpoint, a torchvision file) simply has none.
 */
public record ModelMetadata(String architecture, int imageSize, float[] mean, float[] std, List<String> classNames,
                            String positiveClass, String libraryVersion) {
    static final String ARCHITECTURE = "architecture";
    static final String IMAGE_SIZE = "image_size";
    static final String MEAN = "normalize_mean";
    static final String STD = "normalize_std";
    static final String CLASS_NAMES = "class_names";
    static final String POSITIVE_CLASS = "positive_class";
    static final String LIBRARY_VERSION = "library_version";

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelMetadata {
        if (architecture == null || architecture.isBlank() || imageSize < 1 || mean.length != std.length
                || classNames.size() < 2 || !classNames.contains(positiveClass) || libraryVersion == null) {
            throw new IllegalArgumentException("ModelMetadata: invalid architecture '" + architecture + "', image size "
                    + imageSize + ", mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) + ", classes "
                    + classNames + ", positive class '" + positiveClass + "' or library version " + libraryVersion);
        }
        mean = mean.clone();
        std = std.clone();
        classNames = List.copyOf(classNames);
    }

    /** The description of a model this library version writes. */
    public static ModelMetadata of(String architecture, int imageSize, float[] mean, float[] std,
                                   List<String> classNames, String positiveClass) {
        return new ModelMetadata(architecture, imageSize, mean, std, classNames, positiveClass, LibraryVersion.get());
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** The entries of a safetensors header's metadata that describe the model. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(ARCHITECTURE, architecture);
        m.put(IMAGE_SIZE, Integer.toString(imageSize));
        try {
            m.put(MEAN, JSON.writeValueAsString(mean));
            m.put(STD, JSON.writeValueAsString(std));
            m.put(CLASS_NAMES, JSON.writeValueAsString(classNames));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("ModelMetadata: cannot write JSON", e);
        }
        m.put(POSITIVE_CLASS, positiveClass);
        m.put(LIBRARY_VERSION, libraryVersion);
        return m;
    }

    /**
     * The description in a safetensors header's metadata, or empty when it names no architecture.
     * Once it does, every other entry must be there and valid, or the file is reported as damaged.
     */
    public static Optional<ModelMetadata> fromMetadata(Map<String, String> metadata, Path file)
            throws WeightFileException {
        if (!metadata.containsKey(ARCHITECTURE)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ModelMetadata(metadata.get(ARCHITECTURE),
                    Integer.parseInt(required(metadata, IMAGE_SIZE, file)),
                    JSON.readValue(required(metadata, MEAN, file), float[].class),
                    JSON.readValue(required(metadata, STD, file), float[].class),
                    List.of(JSON.readValue(required(metadata, CLASS_NAMES, file), String[].class)),
                    required(metadata, POSITIVE_CLASS, file), required(metadata, LIBRARY_VERSION, file)));
        } catch (IOException | RuntimeException e) {
            if (e instanceof WeightFileException w) {
                throw w;
            }
            throw new WeightFileException(file + ": the model description in its metadata is invalid ("
                    + firstLine(e) + ")", e);
        }
    }

    /** The description in a weight file's header; empty for a file without one, or not in safetensors format. */
    public static Optional<ModelMetadata> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new WeightFileException(file + ": no such file");
        }
        return WeightFiles.isSafeTensors(file) ? fromMetadata(SafeTensors.readMetadata(file), file) : Optional.empty();
    }

    private static String firstLine(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    }

    private static String required(Map<String, String> metadata, String key, Path file) throws WeightFileException {
        String value = metadata.get(key);
        if (value == null) {
            throw new WeightFileException(file + ": its metadata names an architecture but lacks '" + key + "'");
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelMetadata m && architecture.equals(m.architecture) && imageSize == m.imageSize
                && Arrays.equals(mean, m.mean) && Arrays.equals(std, m.std) && classNames.equals(m.classNames)
                && positiveClass.equals(m.positiveClass) && libraryVersion.equals(m.libraryVersion);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * architecture.hashCode() + imageSize) + classNames.hashCode();
    }

    @Override
    public String toString() {
        return "ModelMetadata[" + architecture + " at " + imageSize + ", mean " + Arrays.toString(mean) + ", std "
                + Arrays.toString(std) + ", classes " + classNames + ", positive " + positiveClass + ", library "
                + libraryVersion + "]";
    }
}
