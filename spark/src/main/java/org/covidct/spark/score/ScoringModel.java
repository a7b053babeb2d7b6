package org.covidct.spark.score;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.tensor.Device;

/**
 * A weight file's bytes with the model they describe, as the driver broadcasts them: each executor
 * builds the classifier from them once ({@link ExecutorModels}), so the executors need no access
 * to the file. The SHA-256 of the bytes names the model in an executor's cache.
 */
final class ScoringModel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final byte[] weights;
    private final String sha256;
    private final String architecture;
    private final int imageSize;
    private final float[] mean;
    private final float[] std;
    private final ArrayList<String> classNames;
    private final String positiveClass;
    private final String libraryVersion;

    private ScoringModel(Path source, byte[] weights, ModelMetadata described) {
        this.source = source.toString();
        this.weights = weights;
        this.sha256 = sha256(weights);
        this.architecture = described.architecture();
        this.imageSize = described.imageSize();
        this.mean = described.mean();
        this.std = described.std();
        this.classNames = new ArrayList<>(described.classNames());
        this.positiveClass = described.positiveClass();
        this.libraryVersion = described.libraryVersion();
    }

    /** Reads {@code weights} on the driver; {@code described} is the model it holds, resolved as predict does. */
    static ScoringModel read(Path weights, ModelMetadata described) throws IOException {
        long size = Files.size(weights);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException(weights + ": " + size + " bytes, more than a broadcast byte array holds (2 GiB)");
        }
        return new ScoringModel(weights, Files.readAllBytes(weights), described);
    }

    /** The model's description, as predict resolved it. */
    ModelMetadata described() {
        return new ModelMetadata(architecture, imageSize, mean, std, classNames, positiveClass, libraryVersion);
    }

    /** Names this model in an executor's cache. */
    String sha256() {
        return sha256;
    }

    /**
     * Builds the classifier on {@code device} as predict does: from the weights (through a
     * temporary file, since the readers take files), with batch norm folded into the convolutions.
     */
    LoadedClassifier load(Device device) throws IOException {
        Path file = Files.createTempFile("covidct-weights-", ".bin");
        try {
            Files.write(file, weights);
            Module model = Sequential.fuseForInference(ClassifierModels.build(architecture, file.toString(),
                    new Generator(0)));
            return new LoadedClassifier(model, described(), device);
        } catch (IOException e) {
            throw new IOException(source + " (broadcast): " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256, which every Java has", e);
        }
    }

    @Override
    public String toString() {
        return source + " (" + architecture + " at " + imageSize + " px, sha256 " + sha256.substring(0, 12) + ")";
    }
}
