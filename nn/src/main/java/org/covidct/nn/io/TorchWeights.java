package org.covidct.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.covidct.nn.io.pickle.PyValues;
import org.covidct.nn.io.pickle.StorageRef;
import org.covidct.nn.io.pickle.TensorRef;
import org.covidct.tensor.Tensor;

/**
 * Reads PyTorch state dicts saved with torch.save, in the zip format (torch >= 1.6) and in the
 * legacy format (torchvision's model-zoo files such as vgg19_bn-c79401a0.pth), without running any
 * code from the file: the pickle is read by a restricted unpickler that knows only the globals a
 * state dict needs. Every tensor comes back as a CPU float32 {@link Tensor}; float16, bfloat16 and
 * float64 are converted, integer tensors (num_batches_tracked) become float values.
 *
 * <pre>{@code
 * Map<String, Tensor> state = TorchWeights.stripPrefix(TorchWeights.read(path), "module.");
 * model.loadStateDict(TorchWeights.addMissingBatchCounters(state), true);
 * }</pre>
 */
public final class TorchWeights {
    /** The most elements one CPU tensor holds. */
    static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE - 8;
    /**
     * Tensors may share storages (tied weights, views), but together they may not read more than
     * this many times the elements of the storages they use: one memoised tensor under a million
     * keys would otherwise turn a small file into a million copies.
     */
    static final long MAX_READS_PER_STORED_ELEMENT = 4;
    private static final String NUM_BATCHES_TRACKED = "num_batches_tracked";

    private TorchWeights() {
    }

    /**
     * The tensors of a state dict file, in file order. The caller owns (and closes) the tensors.
     *
     * @throws WeightFileException if the file is missing, is not a PyTorch state dict, is damaged,
     *     or names anything a state dict does not need; the message names the file and the problem
     */
    public static Map<String, Tensor> read(Path file) throws WeightFileException {
        String source = String.valueOf(file);
        long size;
        byte[] head;
        try {
            if (!Files.isRegularFile(file)) {
                throw new WeightFileException(source + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
            }
            size = Files.size(file);
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(4);
            }
        } catch (WeightFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new WeightFileException(source + ": cannot read: " + why(e), e);
        }
        StorageSource storages;
        if (head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            storages = TorchZipArchive.open(file, source, size);
        } else if (head.length > 0 && (head[0] & 0xff) == 0x80) {
            storages = TorchLegacyFile.open(file, source);
        } else {
            StringBuilder hex = new StringBuilder();
            for (byte b : head) {
                hex.append(String.format(" %02x", b));
            }
            throw new WeightFileException(source + ": not a PyTorch weight file: it starts with bytes" + hex
                    + (head.length < 4 ? " (only " + head.length + " bytes in all)" : "")
                    + ", neither a zip archive nor a pickle");
        }
        try (storages) {
            return materialise(source, stateDict(source, storages.pickled()), storages);
        }
    }

    /**
     * The same tensors with {@code prefix} removed from every key that starts with it, as
     * torch.nn.modules.utils.consume_prefix_in_state_dict_if_present does for DataParallel's
     * "module."; other keys are kept. Two keys that become equal are an error.
     */
    public static Map<String, Tensor> stripPrefix(Map<String, Tensor> state, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey().startsWith(prefix) ? e.getKey().substring(prefix.length()) : e.getKey();
            if (out.putIfAbsent(key, e.getValue()) != null) {
                throw new IllegalArgumentException("stripPrefix: removing " + PyValues.quote(prefix) + " from "
                        + PyValues.quote(e.getKey()) + " collides with another key " + PyValues.quote(key));
            }
        }
        return out;
    }

    /**
     * Adds a num_batches_tracked of 0 after each BatchNorm's running_var that lacks one, as
     * BatchNorm's loader does for files written before the counter existed (torch before 0.4, such as
     * torchvision's vgg19_bn-c79401a0.pth). The new scalar tensors belong to the caller.
     */
    public static Map<String, Tensor> addMissingBatchCounters(Map<String, Tensor> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            out.put(e.getKey(), e.getValue());
            if (e.getKey().endsWith("running_var")) {
                String counter = e.getKey().substring(0, e.getKey().length() - "running_var".length())
                        + NUM_BATCHES_TRACKED;
                if (!state.containsKey(counter)) {
                    out.put(counter, Tensor.scalar(0f));
                }
            }
        }
        return out;
    }

    private static Map<String, TensorRef> stateDict(String source, Object pickled) throws WeightFileException {
        if (!(pickled instanceof Map<?, ?> map)) {
            throw new WeightFileException(source + ": the file holds a " + PyValues.typeName(pickled)
                    + ", not a state dict");
        }
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new WeightFileException(source + ": state dict key of type " + PyValues.typeName(e.getKey())
                        + " is not a str");
            }
            if (!(e.getValue() instanceof TensorRef t)) {
                throw new WeightFileException(source + ": state dict entry " + PyValues.quote(key) + " is a "
                        + PyValues.typeName(e.getValue()) + ", not a tensor");
            }
            out.put(key, t);
        }
        return out;
    }

    private record Planned(String name, TensorRef ref, int[] dims, int numel) {
    }

    private static Map<String, Tensor> materialise(String source, Map<String, TensorRef> refs, StorageSource storages)
            throws WeightFileException {
        // Check every shape and storage against the file before the first array is allocated.
        List<Planned> plans = new ArrayList<>();
        Set<String> checkedRoots = new HashSet<>();
        long stored = 0;
        long requested = 0;
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            Planned p = plan(source, e.getKey(), e.getValue());
            if (checkedRoots.add(p.ref().storage().key())) {
                storages.checkAvailable(p.ref().storage());
                stored += p.ref().storage().rootNumel();
            }
            requested += p.numel();
            plans.add(p);
        }
        if (requested > MAX_READS_PER_STORED_ELEMENT * stored + 1024) {
            throw new WeightFileException(source + ": its tensors ask for " + requested + " elements from storages of "
                    + stored + "; refusing to copy shared storages more than " + MAX_READS_PER_STORED_ELEMENT
                    + " times over");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            for (Planned p : plans) {
                float[] data = new float[p.numel()];
                if (p.numel() > 0) {
                    storages.read(p.ref().storage(), p.ref().storageOffset(), data);
                }
                out.put(p.name(), Tensor.of(data, p.dims()));
            }
            return out;
        } catch (WeightFileException | RuntimeException e) {
            out.values().forEach(Tensor::close);
            throw e;
        }
    }

    private static Planned plan(String source, String name, TensorRef ref) throws WeightFileException {
        String what = source + ": tensor " + PyValues.quote(name);
        long[] size = ref.size();
        long[] stride = ref.stride();
        int[] dims = new int[size.length];
        long numel = 1;
        for (int i = 0; i < size.length; i++) {
            if (size[i] > MAX_TENSOR_ELEMENTS) {
                throw new WeightFileException(what + " has dimension " + size[i] + ", too large for a CPU tensor");
            }
            dims[i] = (int) size[i];
            // Saturates: both factors are at most 2^31, so the product cannot overflow first.
            numel = Math.min(numel * size[i], MAX_TENSOR_ELEMENTS + 1);
        }
        if (numel > MAX_TENSOR_ELEMENTS) {
            throw new WeightFileException(what + " has more than " + MAX_TENSOR_ELEMENTS
                    + " elements, too many for a CPU tensor");
        }
        if (numel > 0) {
            long expected = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                if (size[i] != 1 && stride[i] != expected) {
                    throw new WeightFileException(what + " of size " + java.util.Arrays.toString(size) + " has strides "
                            + java.util.Arrays.toString(stride) + ": non-contiguous tensors are not supported"
                            + " (save tensor.contiguous())");
                }
                expected *= size[i];
            }
            StorageRef s = ref.storage();
            if (ref.storageOffset() > s.numel() || numel > s.numel() - ref.storageOffset()) {
                throw new WeightFileException(what + " needs elements [" + ref.storageOffset() + ", "
                        + (ref.storageOffset() + numel) + ") of storage " + PyValues.quote(s.key()) + ", which has "
                        + s.numel());
            }
        }
        return new Planned(name, ref, dims, (int) numel);
    }

    /** An exception's message on one line, or its type when it has none. */
    static String why(Throwable e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replaceAll("[\\r\\n]+", " ");
    }
}
