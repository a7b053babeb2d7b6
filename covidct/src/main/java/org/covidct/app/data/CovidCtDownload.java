package org.covidct.app.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipError;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.covidct.nn.io.AtomicFile;
import org.covidct.nn.io.ProgressListener;
import org.covidct.nn.io.ResumableDownload;

/**
 * Fetches the COVID-CT data set into the layout {@link CovidCtDataset} reads, checking every file
 * against a {@link Sha256Manifest}. A manifest path {@code Images-processed/<folder>/<name>} comes
 * from the zip {@code Images-processed/<folder>.zip} under the base URL; any other path (the split
 * files) is fetched as it is. Transfers go to {@code .part} files in the root's {@value #STAGING}
 * folder and resume there after an interruption, in this run or the next (see
 * {@link ResumableDownload}).
 *
 * <p>Every file under its final name has matched the manifest: a download or zip entry is hashed
 * before it is renamed into place, and one that does not match is reported, one line naming it, and
 * left out. Files already present and matching are not fetched again, so a second run only verifies.
 * One process at a time downloads into a root.
 */
public final class CovidCtDownload {
    /** Where GitHub serves the files of the UCSD-AI4H/COVID-CT repository. */
    public static final String UPSTREAM = "https://raw.githubusercontent.com/UCSD-AI4H/COVID-CT/master";
    /** The folder, in the root, holding transfers until they are checked. */
    public static final String STAGING = ".download";

    private static final String IMAGES = "Images-processed";
    private static final String LOCK = ".lock";
    private static final int MAX_LISTED = 10;

    /** What a run did: files that were present and matched, and files it downloaded and installed. */
    public record Outcome(Path root, int alreadyPresent, int installed) {
    }

    /** A zip entry whose content does not hash to the manifest's value. */
    private static final class Mismatch extends IOException {
        Mismatch(String message) {
            super(message);
        }
    }

    private final URI base;
    private final Sha256Manifest manifest;
    private final ResumableDownload.Options options;
    private final ProgressListener progress;
    private final Consumer<String> notes;

    /**
     * Downloads from {@code base} (an http(s) URL laid out like the repository) the files of
     * {@code manifest}, reporting transfers to {@code progress} and each decision and failure as
     * one line to {@code notes}.
     */
    public CovidCtDownload(URI base, Sha256Manifest manifest, ResumableDownload.Options options,
                           ProgressListener progress, Consumer<String> notes) {
        if (!base.isAbsolute() || !("http".equals(base.getScheme()) || "https".equals(base.getScheme()))
                || base.getRawAuthority() == null || base.getRawQuery() != null || base.getRawFragment() != null) {
            throw new IllegalArgumentException(base + ": not an http(s) URL of a folder (no query or fragment)");
        }
        for (String path : manifest.files().keySet()) {
            if (path.startsWith(IMAGES + "/") && path.split("/").length != 3) {
                throw new IllegalArgumentException("manifest path '" + path + "': images must be " + IMAGES
                        + "/<folder>/<name>, the folder being the zip they come from");
            }
        }
        this.base = base;
        this.manifest = manifest;
        this.options = options;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        this.notes = notes;
    }

    /** ~/.cache/covidct/covid-ct, or $XDG_CACHE_HOME/covidct/covid-ct when that is set. */
    public static Path defaultDir() {
        return ResumableDownload.defaultCacheRoot().resolve("covid-ct");
    }

    /**
     * Makes {@code dir} hold every file of the manifest, verified; returns what it did. A file that
     * did not verify fails the run after the others are in place, naming up to ten of them.
     */
    public Outcome into(Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        Path staging = root.resolve(STAGING);
        Files.createDirectories(staging);
        Outcome outcome;
        try (FileChannel lockFile = FileChannel.open(staging.resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = lockFile.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this process
            }
            if (lock == null) {
                throw new IOException(root + ": another data download is writing here; wait for it to end");
            }
            try {
                outcome = download(root, staging);
            } catch (IOException | RuntimeException e) {
                lock.release();
                deleteIfNothingToResume(staging);
                throw e;
            }
        }
        deleteTree(staging);
        return outcome;
    }

    private Outcome download(Path root, Path staging) throws IOException {
        deleteInterruptedWrites(root);
        Set<String> needed = needed(root);
        int total = manifest.files().size();
        int present = total - needed.size();
        if (needed.isEmpty()) {
            notes.accept("all " + total + " files in " + root + " match the manifest; nothing to download");
            return new Outcome(root, present, 0);
        }
        notes.accept(present + " of " + total + " files in " + root + " match the manifest; fetching the other "
                + needed.size() + " from " + base);
        List<String> failed = new ArrayList<>();
        int installed = 0;
        for (Map.Entry<String, List<String>> source : bySource(needed).entrySet()) {
            installed += source.getKey().equals(source.getValue().getFirst())
                    ? fromFile(root, staging, source.getKey(), failed)
                    : fromZip(root, staging, source.getKey(), source.getValue(), failed);
        }
        if (!failed.isEmpty()) {
            throw new IOException(failed.size() + " of the " + total + " files did not verify and were not installed: "
                    + listed(failed) + "; the " + (present + installed) + " that did are in " + root);
        }
        notes.accept("installed " + installed + " files; all " + total + " in " + root + " match the manifest");
        return new Outcome(root, present, installed);
    }

    /** The manifest's paths that are missing or do not match, in manifest order. */
    private Set<String> needed(Path root) throws IOException {
        Set<String> needed = new LinkedHashSet<>();
        for (Map.Entry<String, String> f : manifest.files().entrySet()) {
            Path file = root.resolve(f.getKey());
            if (!Files.isRegularFile(file)) {
                needed.add(f.getKey());
            } else if (!ResumableDownload.sha256(file).equals(f.getValue())) {
                notes.accept(f.getKey() + ": SHA-256 does not match the manifest; fetching it again");
                needed.add(f.getKey());
            }
        }
        return needed;
    }

    /** The needed paths grouped by what is downloaded for them: their zip, or the file itself. */
    private static Map<String, List<String>> bySource(Set<String> needed) {
        Map<String, List<String>> sources = new LinkedHashMap<>();
        for (String path : needed) {
            String source = path.startsWith(IMAGES + "/") ? path.substring(0, path.lastIndexOf('/')) + ".zip" : path;
            sources.computeIfAbsent(source, k -> new ArrayList<>()).add(path);
        }
        return sources;
    }

    /** Downloads one file, and installs it if it matches; returns the number installed. */
    private int fromFile(Path root, Path staging, String path, List<String> failed) throws IOException {
        Path part = staging.resolve(path + ResumableDownload.PART_SUFFIX);
        fetch(path, part);
        String actual = ResumableDownload.sha256(part);
        String expected = manifest.files().get(path);
        if (!actual.equals(expected)) {
            Files.delete(part);
            fail(failed, path, "SHA-256 " + actual + " of " + url(path) + " does not match the manifest's " + expected);
            return 0;
        }
        Path target = root.resolve(path);
        Files.createDirectories(target.getParent());
        AtomicFile.sync(part);
        AtomicFile.commit(part, target);
        return 1;
    }

    /**
     * Downloads a zip (unless an earlier run finished it) and installs the needed entries that
     * match; returns the number installed. The zip is deleted once read.
     */
    private int fromZip(Path root, Path staging, String zipPath, List<String> paths, List<String> failed)
            throws IOException {
        Path zip = staging.resolve(zipPath);
        if (!Files.isRegularFile(zip)) {
            Path part = staging.resolve(zipPath + ResumableDownload.PART_SUFFIX);
            fetch(zipPath, part);
            AtomicFile.sync(part);
            AtomicFile.commit(part, zip);
        }
        Map<String, String> wanted = new LinkedHashMap<>();
        for (String path : paths) {
            wanted.put(path.substring(path.lastIndexOf('/') + 1), path);
        }
        int installed = 0;
        try (ZipFile archive = new ZipFile(zip.toFile(), StandardCharsets.UTF_8)) {
            Map<String, ZipEntry> entries = entriesByName(archive, zipPath, wanted.keySet(), failed);
            for (Map.Entry<String, String> w : wanted.entrySet()) {
                ZipEntry entry = entries.get(w.getKey());
                if (entry == null) {
                    if (!entries.containsKey(w.getKey())) {
                        fail(failed, w.getValue(), "not in " + zipPath);
                    }
                    continue;
                }
                try (InputStream in = archive.getInputStream(entry)) {
                    extract(in, root.resolve(w.getValue()), w.getValue(), zipPath);
                    installed++;
                } catch (Mismatch e) {
                    fail(failed, w.getValue(), e.getMessage());
                }
            }
        } catch (ZipException | ZipError | IllegalArgumentException e) {
            // ZipError and IllegalArgumentException: how ZipFile reports some damaged archives and undecodable names
            throw new IOException(zipPath + " from " + url(zipPath) + " is not a readable zip (" + e.getMessage()
                    + "); it was deleted, run again to download it anew", e);
        } finally {
            Files.deleteIfExists(zip);
        }
        return installed;
    }

    /**
     * The archive's image entries by file name, for the wanted names; a name held twice maps to
     * null and fails. Refuses the whole archive, before anything is extracted, if one entry climbs out.
     */
    private Map<String, ZipEntry> entriesByName(ZipFile archive, String zipPath, Set<String> wanted,
                                                List<String> failed) throws IOException {
        Map<String, ZipEntry> byName = new LinkedHashMap<>();
        Set<String> unlisted = new TreeSet<>();
        String folder = zipPath.substring(0, zipPath.length() - ".zip".length());
        for (ZipEntry entry : archive.stream().toList()) {
            String name = ZipEntries.fileName(zipPath, entry.getName());
            if (name == null) {
                continue;
            }
            if (!wanted.contains(name)) {
                if (!manifest.files().containsKey(folder + "/" + name)) {
                    unlisted.add(name);
                }
            } else if (byName.containsKey(name)) {
                ZipEntry first = byName.put(name, null);
                if (first != null) {
                    fail(failed, folder + "/" + name, zipPath + " holds it more than once ('" + first.getName()
                            + "', '" + entry.getName() + "')");
                }
            } else {
                byName.put(name, entry);
            }
        }
        if (!unlisted.isEmpty()) {
            notes.accept(zipPath + ": skipped " + unlisted.size() + " files the manifest does not list: "
                    + listed(List.copyOf(unlisted)));
        }
        return byName;
    }

    /** Writes an entry to {@code target} through a temporary file that is renamed only if its hash matches. */
    private void extract(InputStream in, Path target, String path, String zipPath) throws IOException {
        String expected = manifest.files().get(path);
        AtomicFile.write(target, out -> {
            MessageDigest md = ResumableDownload.newSha256();
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            String actual = HexFormat.of().formatHex(md.digest());
            if (!actual.equals(expected)) {
                throw new Mismatch("SHA-256 " + actual + " in " + zipPath + " does not match the manifest's " + expected);
            }
        });
    }

    private void fetch(String path, Path part) throws IOException {
        Files.createDirectories(part.getParent());
        ResumableDownload.fetch(url(path), part, path, progress, options);
        progress.finished(Files.size(part));
    }

    private void fail(List<String> failed, String path, String why) {
        failed.add(path);
        notes.accept(path + ": " + why);
    }

    /** {@code path} under the base URL, each segment percent-encoded ({@code %}, spaces and all). */
    URI url(String path) {
        StringBuilder sb = new StringBuilder(base.toString().replaceAll("/+$", ""));
        for (String segment : path.split("/")) {
            sb.append('/');
            for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                    sb.append(c);
                } else {
                    sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
                }
            }
        }
        return URI.create(sb.toString());
    }

    /** Deletes the temporary files of writes a killed run left in the manifest's folders (see {@link AtomicFile}). */
    private void deleteInterruptedWrites(Path root) throws IOException {
        Set<Path> folders = new TreeSet<>();
        for (String path : manifest.files().keySet()) {
            folders.add(root.resolve(path).getParent());
        }
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder,
                    f -> f.getFileName().toString().startsWith(".")
                            && f.getFileName().toString().endsWith(AtomicFile.TEMP_SUFFIX) && Files.isRegularFile(f))) {
                for (Path f : files) {
                    Files.delete(f);
                }
            }
        }
    }

    /** Deletes the staging folder after a failed run unless it holds a transfer the next run can continue. */
    private static void deleteIfNothingToResume(Path staging) {
        try (Stream<Path> walk = Files.walk(staging)) {
            if (walk.noneMatch(p -> Files.isRegularFile(p) && !p.getFileName().toString().equals(LOCK))) {
                deleteTree(staging);
            }
        } catch (IOException e) {
            // the run's own failure matters more
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String listed(List<String> paths) {
        StringBuilder sb = new StringBuilder(String.join(", ", paths.subList(0, Math.min(paths.size(), MAX_LISTED))));
        if (paths.size() > MAX_LISTED) {
            sb.append(", and ").append(paths.size() - MAX_LISTED).append(" more");
        }
        return sb.toString();
    }
}
