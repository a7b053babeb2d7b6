package org.covidct.app.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A list of files and their SHA-256, in the format {@code sha256sum} writes and {@code sha256sum -c}
 * checks: one {@code <64 hex digits>  <relative path>} a line ({@code " *"} instead of two spaces
 * marks binary mode, which changes nothing here). Paths are relative, separated by {@code /}, and
 * never climb out of the folder they are relative to.
 */
public record Sha256Manifest(Map<String, String> files) {
    /** The manifest of the COVID-CT layout, committed next to this class. */
    public static final String COVID_CT_RESOURCE = "covid-ct.sha256";

    private static final Pattern LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

    /** {@code files} maps each relative path to its SHA-256 in lower-case hex, in manifest order. */
    public Sha256Manifest {
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    /** The manifest of every file of the COVID-CT layout (images and split files). */
    public static Sha256Manifest covidCt() throws IOException {
        try (InputStream in = Sha256Manifest.class.getResourceAsStream(COVID_CT_RESOURCE)) {
            if (in == null) {
                throw new IOException("the COVID-CT manifest " + COVID_CT_RESOURCE + " is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), COVID_CT_RESOURCE);
        }
    }

    /**
     * Parses manifest text; {@code source} names it in errors. Blank lines are skipped; a malformed
     * line, an unsafe path or a path listed twice is an {@link IllegalArgumentException}.
     */
    public static Sha256Manifest parse(String text, String source) {
        Map<String, String> files = new LinkedHashMap<>();
        String[] lines = text.split("\r\n|\r|\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            Matcher m = LINE.matcher(lines[i]);
            if (!m.matches()) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": expected '<sha256>  <path>', got '"
                        + lines[i] + "'");
            }
            String path = m.group(2);
            String problem = unsafe(path);
            if (problem != null) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": path '" + path + "' " + problem);
            }
            if (files.put(path, m.group(1).toLowerCase(Locale.ROOT)) != null) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": '" + path + "' is listed twice");
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(source + " lists no files");
        }
        return new Sha256Manifest(files);
    }

    /** Why {@code path} is not a plain relative path, or null if it is one. */
    static String unsafe(String path) {
        if (path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0 || path.matches("^[A-Za-z]:.*")) {
            return "is not a relative path with / separators";
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "has an empty, '.' or '..' segment";
            }
        }
        return null;
    }
}
