package org.covidct.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP download into a {@code .part} file that survives interruptions: after a dropped or
 * stalled connection the next attempt continues the file with a Range request (or starts over when
 * the server ignores the range or sends the wrong one), with doubling waits between attempts. A
 * {@code .part} file left by an earlier process is continued the same way. Checking and renaming
 * the finished file is the caller's job.
 */
public final class ResumableDownload {
    /** Suffix of a file still being downloaded. */
    public static final String PART_SUFFIX = ".part";

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes\\s+\\*/(\\d+)");

    /**
     * How hard to try: attempts in all, the first wait between them (doubling up to
     * {@code maxBackoff}), how long to wait for a connection and for response headers, and how long
     * a body may go without data before the attempt is abandoned.
     */
    public record Options(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration connectTimeout,
                          Duration stallTimeout) {
        public Options {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
            }
        }

        /** Five attempts, waits from 1 s to 30 s, 30 s to connect and 60 s without data. */
        public static Options defaults() {
            return new Options(5, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(30),
                    Duration.ofSeconds(60));
        }
    }

    /** A failure that another attempt cannot fix, such as HTTP 404. */
    private static final class PermanentFailure extends IOException {
        PermanentFailure(String message) {
            super(message);
        }
    }

    private ResumableDownload() {
    }

    /** Where the application caches its downloads: ~/.cache/covidct, or $XDG_CACHE_HOME/covidct when that is set. */
    public static Path defaultCacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("covidct");
    }

    /**
     * Brings {@code part} (in an existing folder) to the complete content of {@code url}, continuing
     * what it already holds, and reports the progress under {@code label} to {@code listener} (null
     * for none). Fails when the last attempt failed, or at once on an answer such as HTTP 404; on
     * failure {@code part} keeps what arrived, for the next call to continue.
     */
    public static void fetch(URI url, Path part, String label, ProgressListener listener, Options options)
            throws IOException {
        ProgressListener progress = listener == null ? ProgressListener.NONE : listener;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(options.connectTimeout());
        try (HttpClient client = builder.build()) {
            Duration wait = options.initialBackoff();
            for (int attempt = 1; ; attempt++) {
                try {
                    transfer(client, url, label, part, progress, options);
                    return;
                } catch (PermanentFailure e) {
                    throw e;
                } catch (IOException e) {
                    if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
                        throw e;
                    }
                    if (attempt >= options.maxAttempts()) {
                        throw new IOException("download of " + url + " failed after " + attempt + " attempts: "
                                + why(e), e);
                    }
                    progress.retrying(attempt, options.maxAttempts(), e, wait);
                    sleep(wait);
                    wait = wait.multipliedBy(2);
                    if (wait.compareTo(options.maxBackoff()) > 0) {
                        wait = options.maxBackoff();
                    }
                }
            }
        }
    }

    /** The SHA-256 of a file, in lower-case hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = newSha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A new SHA-256 digest. */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    /** One attempt: continues {@code part} from its current length, or starts it over. */
    private static void transfer(HttpClient client, URI url, String label, Path part, ProgressListener progress,
                                 Options options) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET().timeout(options.stallTimeout());
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download of " + url + " interrupted");
        } catch (IOException e) {
            throw new IOException("no response from " + url.getHost() + ": " + why(e), e);
        }
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            long start;
            long total;
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    Files.deleteIfExists(part);
                    throw new IOException("server sent the wrong range for " + url + " ("
                            + response.headers().firstValue("Content-Range").orElse("no Content-Range") + "); starting over");
                }
                start = have;
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            } else if (status == 200) {
                start = 0; // the server ignored the range: the body is the whole file
                total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            } else if (status == 416 && have > 0) {
                Matcher m = UNSATISFIED_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (m.matches() && Long.parseLong(m.group(1)) == have) {
                    return; // the earlier attempt had already received every byte
                }
                Files.deleteIfExists(part);
                throw new IOException("server refused to resume " + url + " at byte " + have + "; starting over");
            } else if (status >= 500 || status == 408 || status == 429) {
                throw new IOException("HTTP " + status + " from " + url);
            } else {
                throw new PermanentFailure("HTTP " + status + " from " + url);
            }
            progress.started(label, start, total);
            long done;
            try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    start > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                done = copy(body, out, start, total, progress, options.stallTimeout());
            }
            if (total >= 0 && done != total) {
                throw new IOException("connection to " + url + " ended after " + done + " of " + total + " bytes");
            }
        }
    }

    /** Copies the body, abandoning it (by closing it) when no data arrives for {@code stall}. */
    private static long copy(InputStream in, OutputStream out, long start, long total, ProgressListener progress,
                             Duration stall) throws IOException {
        AtomicLong lastData = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        long stallNanos = stall.toNanos();
        long checkMillis = Math.max(10, Math.min(1000, stall.toMillis() / 4));
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                while (!stalled.get()) {
                    Thread.sleep(checkMillis);
                    if (System.nanoTime() - lastData.get() > stallNanos) {
                        stalled.set(true);
                        in.close();
                    }
                }
            } catch (InterruptedException | IOException e) {
                // the copy finished, or the stream is already gone
            }
        });
        long done = start;
        byte[] buf = new byte[1 << 16];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (total >= 0 && done + n > total) {
                    throw new IOException("server sent more than the " + total + " bytes it announced");
                }
                out.write(buf, 0, n);
                done += n;
                lastData.set(System.nanoTime());
                progress.progress(done, total);
            }
        } catch (IOException e) {
            if (stalled.get()) {
                throw new IOException("no data for " + stall.toMillis() + " ms after " + done + " bytes", e);
            }
            throw e;
        } finally {
            stalled.set(true);
            watchdog.interrupt();
        }
        return done;
    }

    /** A failure in words; the HTTP client's exceptions often have no message, only a class and a cause. */
    static String why(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                parts.add("host name not found (no network?)");
                break;
            }
            String m = t.getMessage();
            String part = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
            if (!parts.contains(part)) {
                parts.add(part);
            }
            if (m != null && !m.isBlank()) {
                break;
            }
        }
        return String.join(": ", parts);
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download interrupted");
        }
    }
}
