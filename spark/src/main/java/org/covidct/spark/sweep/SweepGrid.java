package org.covidct.spark.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The grid of a sweep, from {@code --grid KEY=V1,V2,...} arguments: every combination of the
 * keys' values is one training run. The first key varies slowest.
 *
 * @param values each key's values, in the order the arguments gave them
 */
public record SweepGrid(LinkedHashMap<String, List<String>> values) {
    /** The key whose values are repeats of one setting; {@code seeds} is the same key. */
    public static final String SEED = "seed";
    /** The train options a grid can vary. */
    public static final Set<String> KEYS = Set.of(SEED, "lr", "momentum", "epochs", "batch-size", "accumulate",
            "image-size", "arch", "weights", "patience", "recipe");

    /** Parses {@code KEY=V1,V2,...} arguments; a malformed one is an IllegalArgumentException that names it. */
    public static SweepGrid parse(List<String> args) {
        LinkedHashMap<String, List<String>> values = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--grid " + arg + ": expected KEY=V1,V2,... with KEY one of "
                        + sortedKeys());
            }
            String key = arg.substring(0, eq).strip();
            if (key.equals("seeds")) {
                key = SEED;
            }
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("--grid " + arg + ": unknown key '" + key + "'; the keys are "
                        + sortedKeys() + " (seeds is seed)");
            }
            if (values.containsKey(key)) {
                throw new IllegalArgumentException("--grid " + arg + ": " + key + " is given twice");
            }
            List<String> list = new ArrayList<>();
            for (String v : arg.substring(eq + 1).split(",", -1)) {
                if (v.isBlank()) {
                    throw new IllegalArgumentException("--grid " + arg + ": an empty value");
                }
                if (list.contains(v.strip())) {
                    throw new IllegalArgumentException("--grid " + arg + ": " + v.strip() + " is given twice");
                }
                list.add(v.strip());
            }
            values.put(key, List.copyOf(list));
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException("--grid: give at least one KEY=V1,V2,...");
        }
        return new SweepGrid(values);
    }

    /**
     * The same grid with each weight file named by its absolute path, as the driver resolves it:
     * an executor's working directory is another one.
     */
    public SweepGrid withAbsoluteWeights() {
        LinkedHashMap<String, List<String>> absolute = new LinkedHashMap<>(values);
        absolute.computeIfPresent("weights", (key, files) -> files.stream()
                .map(f -> f.equals("none") ? f : Path.of(f).toAbsolutePath().toString()).toList());
        return new SweepGrid(absolute);
    }

    /** The grid's keys, in order. */
    public List<String> keys() {
        return List.copyOf(values.keySet());
    }

    /** Every combination, numbered from 0, the last key varying fastest. */
    public List<SweepPoint> points() {
        List<LinkedHashMap<String, String>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<String>> key : values.entrySet()) {
            List<LinkedHashMap<String, String>> next = new ArrayList<>();
            for (LinkedHashMap<String, String> combo : combos) {
                for (String v : key.getValue()) {
                    LinkedHashMap<String, String> extended = new LinkedHashMap<>(combo);
                    extended.put(key.getKey(), v);
                    next.add(extended);
                }
            }
            combos = next;
        }
        List<SweepPoint> points = new ArrayList<>();
        for (int i = 0; i < combos.size(); i++) {
            points.add(new SweepPoint(i, combos.get(i)));
        }
        return points;
    }

    private static List<String> sortedKeys() {
        return KEYS.stream().sorted().toList();
    }
}
