package org.covidct.app.launch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.covidct.nn.models.Footprint;

/**
 * The heap a command line needs, from the network it runs ({@link Footprint}), its batch and its
 * image size, rather than a share of the machine: a JVM allowed most of the memory lets its heap
 * grow far past what the work holds (a MobileNetV2 training run grew to 17 GB resident).
 *
 * <p>Training keeps four copies of the parameters (weights, gradients and up to two optimiser
 * states) and each image's activations twice over (the backward pass's gradients and the array
 * pool's spares), and adds {@link #BASE} for the images in flight, the reports and plots. Scoring
 * keeps two copies of the parameters (as read and folded for inference) and the largest layer's
 * input and output twice over (a model fused for inference frees each activation once the next
 * layer has made its own), and adds {@link #SCORING_BASE} for the images in flight: the heap is
 * what the serial collector fills before it collects the old generation, so a generous one would
 * be resident memory wasted. A command without a network gets {@code BASE}.
 */
final class HeapBudget {
    static final long MIB = 1L << 20;
    /** What a command holds besides its network. */
    static final long BASE = 768 * MIB;
    /** What a scoring command holds besides its network. */
    static final long SCORING_BASE = 128 * MIB;
    private static final Set<String> TRAINING = Set.of("train", "bench");
    private static final Set<String> SCORING = Set.of("predict", "evaluate", "gradcam");
    private static final String DEFAULT_ARCH = "vgg19_bn";
    private static final int DEFAULT_SIZE = 224, DEFAULT_BATCH = 8, CLASSES = 2;
    /** Longer safetensors headers are not read (the format allows 100 MB). */
    private static final long MAX_HEADER = 1 << 20;

    private HeapBudget() {
    }

    /** Whether the command line {@code args} of covidct.jar trains a network. */
    static boolean trains(List<String> args) {
        return TRAINING.contains(command(args));
    }

    private static String command(List<String> args) {
        return args.stream().filter(a -> !a.startsWith("-")).findFirst().orElse("");
    }

    /** Bytes of heap for the command line {@code args} of covidct.jar. */
    static long of(List<String> args) {
        String command = command(args);
        if (!TRAINING.contains(command) && !SCORING.contains(command)) {
            return BASE;
        }
        try {
            String header = option(args, "--weights").map(HeapBudget::safeTensorsHeader).orElse("");
            String arch = option(args, "--arch").or(() -> recorded(header, "architecture")).orElse(DEFAULT_ARCH);
            int size = option(args, "--image-size").or(() -> recorded(header, "image_size")).map(Integer::parseInt)
                    .orElse(DEFAULT_SIZE);
            long batch = option(args, "--batch-size").map(Long::parseLong).orElse((long) DEFAULT_BATCH);
            Footprint f = Footprint.of(arch, CLASSES, size);
            if (TRAINING.contains(command)) {
                return BASE + Float.BYTES * (4 * f.parameters() + 2 * batch * f.savedPerImage());
            }
            long floats = command.equals("gradcam") ? 4 * f.parameters() + 2 * f.savedPerImage()
                    : 2 * f.parameters() + 2 * batch * f.livePerImage();
            return SCORING_BASE + Float.BYTES * floats;
        } catch (IllegalArgumentException e) {
            // A malformed option or unreadable file: the command itself will say so, in its own words.
            return BASE;
        }
    }

    /** The value of {@code --name VALUE} or {@code --name=VALUE}, the last one given. */
    static Optional<String> option(List<String> args, String name) {
        String value = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(name) && i + 1 < args.size()) {
                value = args.get(i + 1);
            } else if (a.startsWith(name + "=")) {
                value = a.substring(name.length() + 1);
            }
        }
        return Optional.ofNullable(value);
    }

    /**
     * The JSON header of a safetensors file, or "" for any other file. Read here without a JSON
     * library: loading one would cost the launcher a third of a second, for two strings.
     */
    private static String safeTensorsHeader(String file) {
        try (var in = Files.newInputStream(Path.of(file))) {
            byte[] length = in.readNBytes(8);
            if (length.length < 8) {
                return "";
            }
            long size = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return size <= 0 || size > MAX_HEADER ? "" : new String(in.readNBytes((int) size), StandardCharsets.UTF_8);
        } catch (IOException | InvalidPathException e) {
            return "";
        }
    }

    /** The string value of {@code key} in a checkpoint's metadata, found in its header. */
    private static Optional<String> recorded(String header, String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*\"([^\"]*)\"").matcher(header);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
