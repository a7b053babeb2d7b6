package org.covidct.app.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.covidct.app.io.AtomicOutput;

/**
 * The SHA-256 of every file a run reads from its data set, by path relative to the data set's root,
 * in {@code sha256sum}'s format (so {@code sha256sum -c} checks it from the root). A resumed run
 * checks its data against it: the same files with the same content, wherever the data set now is.
 * A file outside the root (an image a CSV manifest names as {@code ../scans/a.png}) is named with
 * {@code ..}, so it is expected to keep its place relative to the root, as the manifest expects.
 */
public final class DataManifest {
    private static final int SHOWN_DIFFERENCES = 3;

    /** Hex SHA-256 by relative path, in path order. */
    private final Map<String, String> digests;

    private DataManifest(Map<String, String> digests) {
        this.digests = digests;
    }

    /** The manifest of {@code files}, named relative to {@code root}. */
    public static DataManifest of(Path root, List<Path> files) throws IOException {
        Map<String, String> digests = new TreeMap<>();
        for (Path file : files) {
            digests.put(relativeName(root, file), sha256(file));
        }
        return new DataManifest(digests);
    }

    public void write(Path file) throws IOException {
        StringBuilder text = new StringBuilder();
        digests.forEach((name, digest) -> text.append(digest).append("  ").append(name).append('\n'));
        AtomicOutput.text(file, text.toString());
    }

    /** Reads a manifest {@link #write} wrote; a damaged line is refused naming the file and the line. */
    public static DataManifest read(Path file) throws IOException {
        Map<String, String> digests = new TreeMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.length() < 67 || !line.substring(0, 64).matches("[0-9a-f]{64}") || !line.startsWith("  ", 64)) {
                throw new IOException(file + ", line " + (i + 1) + ": not a \"<sha256>  <path>\" line");
            }
            digests.put(line.substring(66), line.substring(0, 64));
        }
        return new DataManifest(digests);
    }

    /** How many files it lists. */
    public int size() {
        return digests.size();
    }

    /**
     * Checks that {@code root} holds every listed file with its listed content; the IOException
     * says how many differ and names the first few.
     */
    public void requireMatches(Path root) throws IOException {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> e : digests.entrySet()) {
            Path file = root.resolve(e.getKey()).normalize(); // names were made lexically, with ".." where needed
            try {
                if (!sha256(file).equals(e.getValue())) {
                    differences.add(e.getKey() + " changed");
                }
            } catch (NoSuchFileException missing) {
                differences.add(e.getKey() + " is missing");
            }
        }
        if (!differences.isEmpty()) {
            throw new IOException(root + " is not the data the run trained on: " + differences.size() + " of "
                    + digests.size() + " files differ (" + String.join(", ",
                    differences.subList(0, Math.min(SHOWN_DIFFERENCES, differences.size())))
                    + (differences.size() > SHOWN_DIFFERENCES ? ", ..." : "") + ")");
        }
    }

    /**
     * The name a manifest gives {@code file}: its path relative to {@code root}, with {@code /}; its
     * absolute path where the two lie under different file-system roots.
     */
    public static String relativeName(Path root, Path file) {
        Path from = root.toAbsolutePath().normalize();
        Path to = file.toAbsolutePath().normalize();
        Path relative = from.getRoot() != null && from.getRoot().equals(to.getRoot()) ? from.relativize(to) : to;
        if (relative.toString().contains("\n") || relative.toString().contains("\r")) {
            throw new IllegalArgumentException("a data file's name holds a line break: " + file);
        }
        return relative.toString().replace('\\', '/');
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
