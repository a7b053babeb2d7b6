package org.covidct.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.covidct.tensor.Tensor;

/**
 * State dicts in weight files told apart by content rather than name: safetensors (a checkpoint of
 * ours gives its model's part) or PyTorch's zip or legacy format; and their conversion to
 * safetensors, which later runs memory-map.
 */
public final class WeightFiles {
    /** What a conversion wrote. */
    public record Conversion(Path output, int tensors, long values) {
    }

    private WeightFiles() {
    }

    /** The state dict in {@code file}, by PyTorch's dotted names; the caller closes the tensors. */
    public static Map<String, Tensor> readStateDict(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new WeightFileException(file + ": no such file");
        }
        Map<String, Tensor> state;
        if (isSafeTensors(file)) {
            SafeTensors.Contents contents = SafeTensors.readContents(file);
            state = Checkpoint.FORMAT.equals(contents.metadata().get("format"))
                    ? Checkpoint.modelPart(contents.tensors()) : contents.tensors();
        } else {
            state = TorchWeights.read(file);
        }
        try {
            requireFinite(file, state);
        } catch (WeightFileException e) {
            state.values().forEach(Tensor::close);
            throw e;
        }
        return state;
    }

    /**
     * Refuses weights holding NaN or an infinity, naming the file and the first such tensor: a model
     * loaded from them would only ever compute NaN. The caller still owns (and closes) the tensors.
     */
    public static void requireFinite(Path file, Map<String, Tensor> tensors) throws WeightFileException {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            float[] values = e.getValue().toArray();
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    throw new WeightFileException(file + ": tensor " + e.getKey() + " " + e.getValue().shape()
                            + " holds " + values[i] + " at element " + i + "; the weights are corrupt");
                }
            }
        }
    }

    /**
     * Writes the state dict in {@code in} to {@code out} as F32 safetensors, atomically, keeping the
     * tensor names and order and the model's description ({@link ModelMetadata}) if {@code in} has
     * one. Of a checkpoint only the model is written, not the optimiser's state.
     */
    public static Conversion convert(Path in, Path out) throws IOException {
        Map<String, Tensor> tensors = readStateDict(in);
        try {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt"); // what Hugging Face's loaders expect of a PyTorch state dict
            meta.put("source", in.getFileName().toString());
            ModelMetadata.read(in).ifPresent(m -> meta.putAll(m.toMetadata()));
            long values = 0;
            for (Tensor t : tensors.values()) {
                values += t.numel();
            }
            SafeTensors.write(out, tensors, meta);
            return new Conversion(out, tensors.size(), values);
        } finally {
            tensors.values().forEach(Tensor::close);
        }
    }

    /** Safetensors starts with a little-endian length and then the header's '{'. */
    static boolean isSafeTensors(Path file) throws IOException {
        byte[] head = new byte[9];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, 9) == 9 && head[8] == '{';
        }
    }
}
