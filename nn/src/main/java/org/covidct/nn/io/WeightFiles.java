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
        if (!isSafeTensors(file)) {
            return TorchWeights.read(file);
        }
        SafeTensors.Contents contents = SafeTensors.readContents(file);
        return Checkpoint.FORMAT.equals(contents.metadata().get("format"))
                ? Checkpoint.modelPart(contents.tensors()) : contents.tensors();
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
