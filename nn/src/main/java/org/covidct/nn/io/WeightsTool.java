package org.covidct.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.tensor.Tensor;

/**
 * The {@code weights} command: {@code convert IN OUT.safetensors} turns a torchvision .pth file (or
 * another safetensors file) into an F32 safetensors file once, so that later runs memory-map it;
 * {@code download [--cache DIR] [URL]} fetches torchvision's weights into the cache. Exit status 0
 * on success, 1 with a one-line {@code error: ...} on failure.
 */
public final class WeightsTool {
    public static final String USAGE = "usage: weights convert IN.pth OUT.safetensors | weights download [--cache DIR] [URL]";

    /** What a conversion wrote. */
    public record Conversion(Path output, int tensors, long values) {
    }

    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private WeightsTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command and returns its exit status; {@code args} may start with "weights". */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> a = new ArrayList<>(List.of(args));
        if (!a.isEmpty() && a.getFirst().equals("weights")) {
            a.removeFirst();
        }
        try {
            if (a.isEmpty()) {
                throw new UsageException(USAGE);
            }
            switch (a.getFirst()) {
                case "convert" -> {
                    if (a.size() != 3) {
                        throw new UsageException(USAGE);
                    }
                    Conversion c = convert(Path.of(a.get(1)), Path.of(a.get(2)));
                    out.println("wrote " + c.output() + ": " + c.tensors() + " tensors, " + c.values() + " values");
                }
                case "download" -> {
                    Path cache = defaultCacheDir();
                    URI url = WeightsDownload.VGG19_BN_URL;
                    boolean urlSeen = false;
                    for (int i = 1; i < a.size(); i++) {
                        String arg = a.get(i);
                        if (arg.equals("--cache") && i + 1 < a.size()) {
                            cache = Path.of(a.get(++i));
                        } else if (!arg.startsWith("-") && !urlSeen) {
                            url = parseUrl(arg);
                            urlSeen = true;
                        } else {
                            throw new UsageException(USAGE);
                        }
                    }
                    ConsoleProgress progress = err == System.err ? new ConsoleProgress() : new ConsoleProgress(err);
                    out.println(WeightsDownload.download(url, cache, progress));
                }
                case "-h", "--help", "help" -> out.println(USAGE);
                default -> throw new UsageException(USAGE);
            }
            return 0;
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
        } catch (NoSuchFileException e) {
            err.println("error: no such file: " + e.getFile());
        } catch (IOException | RuntimeException e) {
            err.println("error: " + oneLine(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        return 1;
    }

    /**
     * Converts a weight file to F32 safetensors, atomically, keeping the tensor names and order.
     * The input is recognised by its content: safetensors, or PyTorch's zip format.
     */
    public static Conversion convert(Path in, Path out) throws IOException {
        Map<String, Tensor> tensors = load(in);
        try {
            long values = 0;
            for (Tensor t : tensors.values()) {
                values += t.numel();
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt"); // what Hugging Face's loaders expect of a PyTorch state dict
            meta.put("source", in.getFileName().toString());
            SafeTensors.write(out, tensors, meta);
            return new Conversion(out, tensors.size(), values);
        } finally {
            tensors.values().forEach(Tensor::close);
        }
    }

    /** The state dict in a safetensors or PyTorch file, told apart by content rather than name. */
    public static Map<String, Tensor> load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new WeightFileException(file + ": no such file");
        }
        return isSafeTensors(file) ? SafeTensors.read(file) : TorchWeights.read(file);
    }

    /** Safetensors starts with a little-endian length and then the header's '{'. */
    static boolean isSafeTensors(Path file) throws IOException {
        byte[] head = new byte[9];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, 9) == 9 && head[8] == '{';
        }
    }

    /** ~/.cache/covidct/weights, or $XDG_CACHE_HOME/covidct/weights when that is set. */
    public static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("covidct").resolve("weights");
    }

    private static URI parseUrl(String s) throws UsageException {
        try {
            URI u = URI.create(s);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
                throw new UsageException("not an http(s) URL: " + s);
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new UsageException("not a URL: " + s);
        }
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
