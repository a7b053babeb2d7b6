package org.covidct.spark.sweep;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One grid point: its number in the sweep and its settings, key to value in the grid's key order.
 *
 * @param index    the point's number, from 0
 * @param settings the grid keys' values at this point
 */
public record SweepPoint(int index, LinkedHashMap<String, String> settings) implements Serializable {
    public SweepPoint {
        settings = new LinkedHashMap<>(settings);
    }

    @Override
    public LinkedHashMap<String, String> settings() {
        return new LinkedHashMap<>(settings);
    }

    /**
     * The run directory's name: the number, then each setting (a weight file by its file name),
     * with anything but letters, digits, '.', '_', '+' and '-' made '-': {@code p01-seed-1_lr-0.01}.
     */
    public String name() {
        return String.format(Locale.ROOT, "p%02d-", index) + settings.entrySet().stream()
                .map(e -> e.getKey() + "-" + shown(e))
                .map(s -> s.replaceAll("[^A-Za-z0-9._+-]", "-"))
                .collect(Collectors.joining("_"));
    }

    /** The settings but the seed: the points that differ only by seed form one setting. */
    public Map<String, String> setting() {
        LinkedHashMap<String, String> s = settings();
        s.remove(SweepGrid.SEED);
        return s;
    }

    private static String shown(Map.Entry<String, String> e) {
        if (!e.getKey().equals("weights") || e.getValue().equals("none")) {
            return e.getValue();
        }
        Path name = Path.of(e.getValue()).getFileName();
        return name == null ? e.getValue() : name.toString();
    }
}
