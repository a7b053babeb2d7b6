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
 * <p>Training keeps the copies of the parameters that its optimiser and recipe need
 * ({@link #parameterCopies}) and each image's activations once (the batch-norm outputs that
 * ReLUs consume are freed, which leaves room for the backward pass's gradients), or, for
 * {@code train}, {@link #END_OF_RUN_COPIES} more copies of the parameters where that is more, adds
 * {@link #TRAINING_BASE} for the images in flight, the reports and plots, and gets at least
 * {@link #MIN_TRAINING}: G1 grows the heap to what it is allowed, so a generous one is resident
 * memory wasted (vgg19_bn at 224 on batches of 8 peaked at 4.96 GiB resident with 5.6 GB of heap,
 * 3.44 GiB with 3.3 GB, at the same speed). Scoring
 * keeps {@link #SCORING_PARAMETER_COPIES} copies of the parameters and the largest layer's
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
    /**
     * Copies of the parameters a scoring command may hold at once: the model built with its random
     * initialisation, the file's tensors read into it, the copies that folding for inference or a
     * move to the GPU makes, and the array pool's spares. Measured: evaluating a vgg11_bn checkpoint
     * (129 M parameters) ran out of memory in 2 GB of heap and ran in 3 GB.
     */
    static final int SCORING_PARAMETER_COPIES = 6;
    /** What a training command holds besides its network and step: images in flight, reports, plots. */
    static final long TRAINING_BASE = 512 * MIB;
    /**
     * Copies of the parameters that {@code train} holds at its end besides its optimiser's, once
     * the trained model and its optimiser are closed: the best checkpoint's model, the tensors read
     * into it, and the array pool's spares. Measured: vgg11_bn (129 M parameters) at 32 px, batch 8,
     * ran out of memory after training in 2.5 GB of heap and finished in 3.0 GB; at 112 px it had
     * run out within its first steps in the 2.2 GB that the step alone was given.
     */
    static final int END_OF_RUN_COPIES = 3;
    /** The least heap a training command gets, whatever its network. */
    static final long MIN_TRAINING = 2048 * MIB;
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
        return network(args).map(Network::heapBytes).orElse(BASE);
    }

    /**
     * Whether a training command's parameters and their copies fill at least a third of its heap,
     * as VGG's do at batch 8 (47% at 224): its memory is then a few hundred large arrays, which the
     * serial collector holds with less overhead than G1 (vgg19_bn at 224, batch 8, peaked at
     * 3.50 GiB resident against 3.62, at 112 at 2.47 against 2.58, and trained 3 to 13% faster).
     * MobileNetV2, whose memory is many smaller activations, trained 2 to 10% slower with it.
     */
    static boolean parameterBound(List<String> args) {
        return network(args).filter(n -> TRAINING.contains(n.command()))
                .map(n -> 3L * Float.BYTES * n.parameterFloats() >= n.heapBytes())
                .orElse(false);
    }

    /** A command that runs a network: its name, the footprint, the batch and the parameter copies training keeps. */
    private record Network(String command, Footprint footprint, long batch, int parameterCopies) {
        /** The parameters and their copies that training keeps throughout, in floats. */
        long parameterFloats() {
            return parameterCopies * footprint.parameters();
        }

        long heapBytes() {
            if (TRAINING.contains(command)) {
                long step = parameterFloats() + batch * footprint.savedPerImage();
                long end = command.equals("train") ? parameterFloats() + END_OF_RUN_COPIES * footprint.parameters() : 0;
                return Math.max(MIN_TRAINING, TRAINING_BASE + Float.BYTES * Math.max(step, end));
            }
            long activations = command.equals("gradcam") ? 2 * footprint.savedPerImage()
                    : 2 * batch * footprint.livePerImage();
            return SCORING_BASE + Float.BYTES * (SCORING_PARAMETER_COPIES * footprint.parameters() + activations);
        }
    }

    /** The network {@code args} run, or empty for a command without one or with options the command will reject. */
    private static Optional<Network> network(List<String> args) {
        String command = command(args);
        if (!TRAINING.contains(command) && !SCORING.contains(command)) {
            return Optional.empty();
        }
        try {
            String header = option(args, "--weights").map(HeapBudget::safeTensorsHeader).orElse("");
            String arch = option(args, "--arch").or(() -> recorded(header, "architecture")).orElse(DEFAULT_ARCH);
            int size = option(args, "--image-size").or(() -> recorded(header, "image_size")).map(Integer::parseInt)
                    .orElse(DEFAULT_SIZE);
            long batch = option(args, "--batch-size").map(Long::parseLong).orElse((long) DEFAULT_BATCH);
            return Optional.of(new Network(command, Footprint.of(arch, CLASSES, size), batch, parameterCopies(args)));
        } catch (IllegalArgumentException e) {
            // A malformed option or unreadable file: the command itself will say so, in its own words.
            return Optional.empty();
        }
    }

    /**
     * Copies of the parameters a training run holds: weights, gradients, the optimiser's states
     * (SGD's momentum; AdamW's two moments, the transfer recipe's default) and the transfer recipe's
     * moving average of the weights.
     */
    static int parameterCopies(List<String> args) {
        boolean transfer = option(args, "--recipe").filter("transfer"::equalsIgnoreCase).isPresent();
        boolean adamw = option(args, "--optimizer").map("adamw"::equalsIgnoreCase).orElse(transfer);
        boolean average = option(args, "--ema-decay").map(d -> Double.parseDouble(d) > 0).orElse(transfer);
        return 2 + (adamw ? 2 : 1) + (average ? 1 : 0);
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
