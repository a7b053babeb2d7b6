package org.covidct.nn.io;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads a weight file into a cache directory, as torch.hub does for torchvision's weights:
 * the file is named after the URL, and when that name carries a hash prefix
 * ({@code name-<hex>.pth}) the SHA-256 of the finished file must start with it. The transfer goes
 * to {@code <name>.part} and resumes after an interruption (see {@link ResumableDownload}), and the
 * file is moved into place only once verified. A verified cached file is returned without touching
 * the network.
 */
public final class WeightsDownload {
    private static final Pattern HASH_PREFIX = Pattern.compile("-([0-9a-f]{8,64})\\.[^.]+$");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

    private WeightsDownload() {
    }

    /** ~/.cache/covidct/weights, or $XDG_CACHE_HOME/covidct/weights when that is set. */
    public static Path defaultCacheDir() {
        return ResumableDownload.defaultCacheRoot().resolve("weights");
    }

    /** {@link #download(URI, Path, ProgressListener, ResumableDownload.Options)} with the default options. */
    public static Path download(URI url, Path cacheDir, ProgressListener listener) throws IOException {
        return download(url, cacheDir, listener, ResumableDownload.Options.defaults());
    }

    /**
     * The verified file for {@code url} in {@code cacheDir}, downloading it if it is not there yet.
     * A file whose hash does not match is deleted and reported as a {@link WeightFileException}.
     */
    public static Path download(URI url, Path cacheDir, ProgressListener listener, ResumableDownload.Options options)
            throws IOException {
        ProgressListener progress = listener == null ? ProgressListener.NONE : listener;
        String name = fileName(url);
        String expected = expectedHashPrefix(name);
        Files.createDirectories(cacheDir);
        Path target = cacheDir.resolve(name);
        Path part = cacheDir.resolve(name + ResumableDownload.PART_SUFFIX);
        if (Files.isRegularFile(target)) {
            if (expected == null || ResumableDownload.sha256(target).startsWith(expected)) {
                return target;
            }
            Files.delete(target);
        }
        ResumableDownload.fetch(url, part, name, progress, options);
        if (expected != null) {
            String actual = ResumableDownload.sha256(part);
            if (!actual.startsWith(expected)) {
                Files.deleteIfExists(part);
                throw new WeightFileException(target + ": SHA-256 " + actual + " of the download from " + url
                        + " does not start with " + expected + "; the file was deleted");
            }
        }
        AtomicFile.sync(part);
        AtomicFile.commit(part, target);
        progress.finished(Files.size(target));
        return target;
    }

    /** The cache file name for {@code url}: the last segment of its path, as torch.hub names it. */
    public static String fileName(URI url) {
        String path = url.getPath();
        String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("cannot name a cache file after the URL " + url);
        }
        return name;
    }

    /** torchvision's hash prefix in a file name such as vgg19_bn-c79401a0.pth, or null if there is none. */
    public static String expectedHashPrefix(String fileName) {
        Matcher m = HASH_PREFIX.matcher(fileName);
        return m.find() ? m.group(1) : null;
    }
}
