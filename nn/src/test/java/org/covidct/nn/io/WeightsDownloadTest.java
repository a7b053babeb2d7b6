package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from an HTTP server on 127.0.0.1 that the test runs and misbehaves on purpose. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WeightsDownloadTest {
    private static final ResumableDownload.Options FAST = new ResumableDownload.Options(4, Duration.ofMillis(10),
            Duration.ofMillis(50), Duration.ofSeconds(5), Duration.ofSeconds(5));

    /** How the server answers a request, by its index (0 = first). */
    private enum Behaviour { NORMAL, DROP_HALFWAY, IGNORE_RANGE, ERROR_503, STALL_HALFWAY }

    @TempDir
    Path cache;

    private HttpServer server;
    private ExecutorService executor;
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile byte[] content;
    private volatile List<Behaviour> script = List.of();
    private volatile boolean honourRange = true;

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.createContext("/models/", this::handle);
        server.start();
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private URI url(String name) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/" + name);
    }

    private void handle(HttpExchange ex) throws IOException {
        int index = requests.getAndIncrement();
        Behaviour b = index < script.size() ? script.get(index) : Behaviour.NORMAL;
        String range = ex.getRequestHeaders().getFirst("Range");
        ranges.add(range == null ? "none" : range);
        byte[] body = content;
        if (b == Behaviour.ERROR_503) {
            ex.sendResponseHeaders(503, -1);
            ex.close();
            return;
        }
        int from = 0;
        if (range != null && honourRange && b != Behaviour.IGNORE_RANGE) {
            from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(206, body.length - from);
        } else {
            ex.sendResponseHeaders(200, body.length);
        }
        OutputStream out = ex.getResponseBody();
        if (b == Behaviour.DROP_HALFWAY || b == Behaviour.STALL_HALFWAY) {
            out.write(body, from, (body.length - from) / 2);
            out.flush();
            if (b == Behaviour.STALL_HALFWAY) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ex.close(); // a fixed-length body closed early: the server drops the connection
            return;
        }
        out.write(body, from, body.length - from);
        ex.close();
    }

    /** Content and a torchvision-style name carrying the first 8 hex digits of its SHA-256. */
    private String serve(byte[] bytes) throws Exception {
        content = bytes;
        return "tiny_vgg-" + sha256(bytes).substring(0, 8) + ".pth";
    }

    private List<String> cacheListing() throws IOException {
        try (Stream<Path> s = Files.list(cache)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static final class Recorder implements ProgressListener {
        final List<Long> starts = new CopyOnWriteArrayList<>();
        volatile long lastDone = -1;
        volatile long finished = -1;
        final AtomicInteger retries = new AtomicInteger();

        @Override
        public void started(String name, long resumedFrom, long total) {
            starts.add(resumedFrom);
        }

        @Override
        public void progress(long done, long total) {
            lastDone = done;
        }

        @Override
        public void retrying(int attempt, int maxAttempts, IOException cause, Duration wait) {
            retries.incrementAndGet();
        }

        @Override
        public void finished(long total) {
            finished = total;
        }
    }

    @Test
    void cleanDownloadLandsVerifiedInTheCache() throws Exception {
        byte[] bytes = randomBytes(300_000, 1);
        String name = serve(bytes);
        Recorder rec = new Recorder();
        Path got = WeightsDownload.download(url(name), cache, rec, FAST);
        assertEquals(cache.resolve(name), got);
        assertArrayEquals(bytes, Files.readAllBytes(got));
        assertEquals(List.of(name), cacheListing());
        assertEquals(List.of(0L), rec.starts);
        assertEquals(bytes.length, rec.lastDone);
        assertEquals(bytes.length, rec.finished);
        assertEquals(List.of("none"), ranges);

        // Cached and verified: no network at all, even with the server gone.
        server.stop(0);
        assertEquals(got, WeightsDownload.download(url(name), cache, null, FAST));
        assertEquals(1, requests.get());
    }

    @Test
    void anInterruptedTransferResumesWithARangeRequest() throws Exception {
        byte[] bytes = randomBytes(400_001, 2);
        String name = serve(bytes);
        script = List.of(Behaviour.DROP_HALFWAY);
        Recorder rec = new Recorder();
        Path got = WeightsDownload.download(url(name), cache, rec, FAST);
        assertArrayEquals(bytes, Files.readAllBytes(got));
        assertEquals(2, requests.get());
        // The server sent half before dropping the connection; how much of it arrived before the
        // drop was noticed depends on the network stack, so the resume point is what was on disk.
        long resumedAt = rec.starts.get(1);
        assertTrue(resumedAt > 0 && resumedAt <= bytes.length / 2, "resumed at byte " + resumedAt);
        assertEquals(List.of("none", "bytes=" + resumedAt + "-"), ranges);
        assertEquals(0L, rec.starts.get(0));
        assertEquals(1, rec.retries.get());
        assertEquals(List.of(name), cacheListing());
    }

    @Test
    void aServerThatIgnoresRangeIsReadFromTheStart() throws Exception {
        byte[] bytes = randomBytes(200_000, 3);
        String name = serve(bytes);
        honourRange = false;
        script = List.of(Behaviour.DROP_HALFWAY);
        Path got = WeightsDownload.download(url(name), cache, null, FAST);
        assertArrayEquals(bytes, Files.readAllBytes(got));
        assertEquals(2, ranges.size(), ranges::toString);
        assertEquals("none", ranges.get(0));
        long askedFrom = Long.parseLong(ranges.get(1).replaceAll("^bytes=(\\d+)-$", "$1"));
        assertTrue(askedFrom > 0 && askedFrom <= bytes.length / 2, "it asked to resume (got 200) from " + askedFrom);
        assertEquals(List.of(name), cacheListing());
    }

    @Test
    void aLeftoverPartFileIsResumed() throws Exception {
        byte[] bytes = randomBytes(100_000, 4);
        String name = serve(bytes);
        Files.write(cache.resolve(name + ".part"), java.util.Arrays.copyOf(bytes, 30_000));
        Path got = WeightsDownload.download(url(name), cache, null, FAST);
        assertArrayEquals(bytes, Files.readAllBytes(got));
        assertEquals(List.of("bytes=30000-"), ranges);
    }

    @Test
    void aStalledTransferIsAbandonedAndResumed() throws Exception {
        byte[] bytes = randomBytes(200_000, 5);
        String name = serve(bytes);
        script = List.of(Behaviour.STALL_HALFWAY);
        ResumableDownload.Options impatient = new ResumableDownload.Options(3, Duration.ofMillis(10),
                Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofMillis(400));
        long start = System.nanoTime();
        Path got = WeightsDownload.download(url(name), cache, null, impatient);
        assertArrayEquals(bytes, Files.readAllBytes(got));
        assertEquals("bytes=" + bytes.length / 2 + "-", ranges.get(1));
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "the stall was noticed quickly");
    }

    @Test
    void serverErrorsAreRetried() throws Exception {
        byte[] bytes = randomBytes(10_000, 6);
        String name = serve(bytes);
        script = List.of(Behaviour.ERROR_503, Behaviour.ERROR_503);
        Path got = WeightsDownload.download(url(name), cache, null, FAST);
        assertArrayEquals(bytes, Files.readAllBytes(got));
        assertEquals(3, requests.get());
    }

    @Test
    void givesUpAfterTheLastAttempt() throws Exception {
        String name = serve(randomBytes(10_000, 7));
        script = List.of(Behaviour.ERROR_503, Behaviour.ERROR_503, Behaviour.ERROR_503, Behaviour.ERROR_503);
        IOException e = assertThrows(IOException.class, () -> WeightsDownload.download(url(name), cache, null, FAST));
        assertTrue(e.getMessage().contains("after 4 attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("503"), e.getMessage());
        assertFalse(Files.exists(cache.resolve(name)));
    }

    @Test
    void aWrongHashIsAnErrorAndLeavesNothingInTheCache() throws Exception {
        byte[] bytes = randomBytes(50_000, 8);
        serve(bytes);
        String name = "tiny_vgg-00000000.pth";
        WeightFileException e = assertThrows(WeightFileException.class,
                () -> WeightsDownload.download(url(name), cache, null, FAST));
        assertTrue(e.getMessage().contains("00000000"), e.getMessage());
        assertTrue(e.getMessage().contains(sha256(bytes)), e.getMessage());
        assertEquals(List.of(), cacheListing());
    }

    @Test
    void aCorruptCachedFileIsReplaced() throws Exception {
        byte[] bytes = randomBytes(20_000, 9);
        String name = serve(bytes);
        Files.write(cache.resolve(name), "damaged".getBytes(StandardCharsets.UTF_8));
        Path got = WeightsDownload.download(url(name), cache, null, FAST);
        assertArrayEquals(bytes, Files.readAllBytes(got));
        assertEquals(1, requests.get());
    }

    @Test
    void notFoundFailsAtOnce() throws Exception {
        server.removeContext("/models/");
        server.createContext("/models/", ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        IOException e = assertThrows(IOException.class,
                () -> WeightsDownload.download(url("missing-12345678.pth"), cache, null, FAST));
        assertTrue(e.getMessage().contains("404"), e.getMessage());
        assertEquals(1, requests.get());
        assertEquals(List.of(), cacheListing());
    }

    @Test
    void hashPrefixesFollowTorchvisionNames() {
        assertEquals("c79401a0", WeightsDownload.expectedHashPrefix("vgg19_bn-c79401a0.pth"));
        assertEquals(null, WeightsDownload.expectedHashPrefix("model.safetensors"));
        assertEquals(null, WeightsDownload.expectedHashPrefix("vgg19_bn-XYZ.pth"));
        assertThrows(IllegalArgumentException.class, () -> WeightsDownload.fileName(URI.create("http://host/models/")));
        assertThrows(IllegalArgumentException.class, () -> WeightsDownload.fileName(URI.create("http://host/a/..")));
    }
}
