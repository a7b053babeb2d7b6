package org.covidct.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.covidct.nn.data.Sample;
import org.covidct.nn.io.ResumableDownload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads a tiny fake COVID-CT (two zips laid out as upstream's may be, two split files, a
 * manifest of their own) from an HTTP server on 127.0.0.1 that the test runs and misbehaves on purpose.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CovidCtDownloadTest {
    private static final ResumableDownload.Options FAST = new ResumableDownload.Options(4, Duration.ofMillis(10),
            Duration.ofMillis(50), Duration.ofSeconds(5), Duration.ofSeconds(5));
    private static final String COVID_ZIP = "Images-processed/CT_COVID.zip";
    private static final String NON_COVID_ZIP = "Images-processed/CT_NonCOVID.zip";

    /** How the server answers one request for a path. */
    private enum Behaviour { NORMAL, DROP_HALFWAY }

    @TempDir
    Path tmp;

    private Path root;
    private HttpServer server;
    private ExecutorService executor;
    /** What the server holds, by path under /repo/. */
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    /** How the next requests for a path are answered; NORMAL once a path's queue is empty. */
    private final Map<String, Queue<Behaviour>> scripts = new ConcurrentHashMap<>();
    /** Each request as "path Range", Range being "none" when absent. */
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> notes = new CopyOnWriteArrayList<>();
    private volatile boolean honourRange = true;

    /** The fake data set's files by layout path; the images are also inside the zips. */
    private final Map<String, byte[]> files = new LinkedHashMap<>();

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(buf, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return buf.toByteArray();
    }

    private static Map<String, byte[]> entries(Object... nameThenBytes) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenBytes.length; i += 2) {
            m.put((String) nameThenBytes[i], (byte[]) nameThenBytes[i + 1]);
        }
        return m;
    }

    @BeforeEach
    void startServer() throws IOException {
        root = tmp.resolve("covid-ct");
        byte[] big = randomBytes(300_000, 1); // random, so that the zip is as large and a dropped body matters
        byte[] a = randomBytes(5_000, 2);
        byte[] n1 = randomBytes(7_000, 3);
        byte[] n2 = randomBytes(6_000, 4);
        files.put("Images-processed/CT_COVID/2020.03.01 scan %1 (a),b.png", big);
        files.put("Images-processed/CT_COVID/covid-2.jpg", a);
        files.put("Images-processed/CT_NonCOVID/n1.jpg", n1);
        files.put("Images-processed/CT_NonCOVID/n2.png", n2);
        files.put("Data-split/COVID/trainCT_COVID.txt",
                "2020.03.01 scan %1 (a),b.png\r\ncovid-2.jpg".getBytes(StandardCharsets.UTF_8));
        files.put("Data-split/NonCOVID/trainCT_NonCOVID.txt", "n1.jpg\nn2.png\n".getBytes(StandardCharsets.UTF_8));
        // The COVID zip puts its images in a folder and carries macOS's junk; the other has them at the top.
        served.put(COVID_ZIP, zip(entries(
                "CT_COVID/", new byte[0],
                "CT_COVID/2020.03.01 scan %1 (a),b.png", big,
                "__MACOSX/CT_COVID/._2020.03.01 scan %1 (a),b.png", new byte[] {1, 2, 3},
                "CT_COVID/.DS_Store", new byte[] {4, 5},
                "CT_COVID/covid-2.jpg", a,
                "CT_COVID/not-listed.png", new byte[] {6})));
        served.put(NON_COVID_ZIP, zip(entries("n1.jpg", n1, "n2.png", n2)));
        for (String split : List.of("Data-split/COVID/trainCT_COVID.txt", "Data-split/NonCOVID/trainCT_NonCOVID.txt")) {
            served.put(split, files.get(split));
        }

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.createContext("/repo/", this::handle);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
        executor.shutdownNow();
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/repo");
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath().substring("/repo/".length());
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(path + " " + (range == null ? "none" : range));
        byte[] body = served.get(path);
        if (body == null) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        Queue<Behaviour> script = scripts.get(path);
        Behaviour b = script == null || script.isEmpty() ? Behaviour.NORMAL : script.poll();
        int from = 0;
        if (range != null && honourRange) {
            from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            if (from >= body.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + body.length);
                ex.sendResponseHeaders(416, -1);
                ex.close();
                return;
            }
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(206, body.length - from);
        } else {
            ex.sendResponseHeaders(200, body.length);
        }
        OutputStream out = ex.getResponseBody();
        if (b == Behaviour.DROP_HALFWAY) {
            out.write(body, from, (body.length - from) / 2);
            out.flush();
            ex.close(); // a fixed-length body closed early: the server drops the connection
            return;
        }
        out.write(body, from, body.length - from);
        ex.close();
    }

    private Sha256Manifest manifest() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            sb.append(sha256(f.getValue())).append("  ").append(f.getKey()).append('\n');
        }
        return Sha256Manifest.parse(sb.toString(), "test manifest");
    }

    private CovidCtDownload.Outcome download(Sha256Manifest manifest) throws IOException {
        return new CovidCtDownload(base(), manifest, FAST, null, notes::add).into(root);
    }

    /** Every file under the root, relative, with / separators, sorted. */
    private List<String> listing() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    private void assertInstalled(String... paths) throws IOException {
        for (String p : paths) {
            assertArrayEquals(files.get(p), Files.readAllBytes(root.resolve(p)), p);
        }
    }

    private long requestsFor(String path) {
        return requests.stream().filter(r -> r.startsWith(path + " ")).count();
    }

    @Test
    void aFullDownloadLaysOutTheDataSetAndLeavesNothingElse() throws Exception {
        CovidCtDownload.Outcome outcome = download(manifest());
        assertEquals(new CovidCtDownload.Outcome(root.toAbsolutePath().normalize(), 0, 6), outcome);
        assertEquals(files.keySet().stream().sorted().toList(), listing());
        assertInstalled(files.keySet().toArray(String[]::new));
        assertEquals(List.of(COVID_ZIP + " none", NON_COVID_ZIP + " none",
                "Data-split/COVID/trainCT_COVID.txt none", "Data-split/NonCOVID/trainCT_NonCOVID.txt none"), requests);
        assertTrue(notes.contains(COVID_ZIP + ": skipped 1 files the manifest does not list: not-listed.png"),
                notes.toString());
        List<Sample> train = new CovidCtDataset(outcome.root()).split("train");
        assertEquals(List.of("n1.jpg", "n2.png", "2020.03.01 scan %1 (a),b.png", "covid-2.jpg"),
                train.stream().map(s -> s.path().getFileName().toString()).toList());
    }

    @Test
    void aSecondRunOnlyVerifiesAndADamagedFileIsFetchedAgain() throws Exception {
        Sha256Manifest manifest = manifest();
        download(manifest);
        int first = requests.size();
        notes.clear();
        assertEquals(new CovidCtDownload.Outcome(root.toAbsolutePath().normalize(), 6, 0), download(manifest));
        assertEquals(first, requests.size(), "no request when everything is present");
        assertEquals(List.of("all 6 files in " + root.toAbsolutePath().normalize()
                + " match the manifest; nothing to download"), notes);

        Files.write(root.resolve("Images-processed/CT_NonCOVID/n2.png"), new byte[] {0});
        notes.clear();
        assertEquals(new CovidCtDownload.Outcome(root.toAbsolutePath().normalize(), 5, 1), download(manifest));
        assertEquals(List.of(NON_COVID_ZIP + " none"), requests.subList(first, requests.size()));
        assertTrue(notes.contains("Images-processed/CT_NonCOVID/n2.png: SHA-256 does not match the manifest; "
                + "fetching it again"), notes.toString());
        assertInstalled("Images-processed/CT_NonCOVID/n2.png");
        assertEquals(files.keySet().stream().sorted().toList(), listing());
    }

    @Test
    void anInterruptedTransferResumesWithARangeRequest() throws Exception {
        scripts.put(COVID_ZIP, new ArrayDeque<>(List.of(Behaviour.DROP_HALFWAY)));
        download(manifest());
        assertInstalled(files.keySet().toArray(String[]::new));
        List<String> zipRequests = requests.stream().filter(r -> r.startsWith(COVID_ZIP + " ")).toList();
        assertEquals(2, zipRequests.size(), zipRequests::toString);
        assertEquals(COVID_ZIP + " none", zipRequests.get(0));
        long resumedAt = Long.parseLong(zipRequests.get(1).replaceAll("^.* bytes=(\\d+)-$", "$1"));
        assertTrue(resumedAt > 0 && resumedAt <= served.get(COVID_ZIP).length / 2, "resumed at byte " + resumedAt);
        assertEquals(files.keySet().stream().sorted().toList(), listing());
    }

    @Test
    void aPartFileAnEarlierRunLeftIsContinued() throws Exception {
        Path part = root.resolve(CovidCtDownload.STAGING).resolve(COVID_ZIP + ".part");
        Files.createDirectories(part.getParent());
        Files.write(part, Arrays.copyOf(served.get(COVID_ZIP), 1000));
        download(manifest());
        assertEquals(List.of(COVID_ZIP + " bytes=1000-"),
                requests.stream().filter(r -> r.startsWith(COVID_ZIP + " ")).toList());
        assertInstalled(files.keySet().toArray(String[]::new));
        assertEquals(files.keySet().stream().sorted().toList(), listing());
    }

    @Test
    void aServerWithoutRangeSupportIsReadAgainFromTheStart() throws Exception {
        honourRange = false;
        scripts.put(COVID_ZIP, new ArrayDeque<>(List.of(Behaviour.DROP_HALFWAY)));
        download(manifest());
        List<String> zipRequests = requests.stream().filter(r -> r.startsWith(COVID_ZIP + " ")).toList();
        assertEquals(2, zipRequests.size(), zipRequests::toString);
        assertTrue(zipRequests.get(1).matches(".* bytes=[1-9]\\d*-"), "it asked to resume (and got 200): " + zipRequests);
        assertInstalled(files.keySet().toArray(String[]::new));
        assertEquals(files.keySet().stream().sorted().toList(), listing());
    }

    @Test
    void aFileThatDoesNotMatchTheManifestIsNamedAndNotInstalled() throws Exception {
        String badImage = "Images-processed/CT_COVID/covid-2.jpg";
        String badSplit = "Data-split/NonCOVID/trainCT_NonCOVID.txt";
        String absent = "Images-processed/CT_NonCOVID/n3.png";
        String zero = "0".repeat(64);
        String text = manifest().files().entrySet().stream()
                .map(f -> (f.getKey().equals(badImage) || f.getKey().equals(badSplit) ? zero : f.getValue()) + "  "
                        + f.getKey())
                .reduce("", (x, y) -> x + y + "\n") + zero + "  " + absent + "\n";
        IOException e = assertThrows(IOException.class, () -> download(Sha256Manifest.parse(text, "test")));
        assertEquals("3 of the 7 files did not verify and were not installed: " + badImage + ", " + absent + ", "
                + badSplit + "; the 4 that did are in " + root.toAbsolutePath().normalize(), e.getMessage());
        assertTrue(notes.contains(badImage + ": SHA-256 " + sha256(files.get(badImage)) + " in " + COVID_ZIP
                + " does not match the manifest's " + zero), notes.toString());
        assertTrue(notes.contains(absent + ": not in " + NON_COVID_ZIP), notes.toString());
        assertTrue(notes.contains(badSplit + ": SHA-256 " + sha256(files.get(badSplit)) + " of " + base() + "/"
                + badSplit + " does not match the manifest's " + zero), notes.toString());
        // Nothing under a final name that did not verify, no temporary file, nothing left to resume.
        List<String> good = files.keySet().stream().filter(p -> !p.equals(badImage) && !p.equals(badSplit))
                .sorted().toList();
        assertEquals(good, listing());
        assertInstalled(good.toArray(String[]::new));
    }

    @Test
    void aZipEntryThatClimbsOutRefusesTheWholeArchive() throws Exception {
        served.put(COVID_ZIP, zip(entries(
                "CT_COVID/covid-2.jpg", files.get("Images-processed/CT_COVID/covid-2.jpg"),
                "CT_COVID/../../../2020.03.01 scan %1 (a),b.png",
                files.get("Images-processed/CT_COVID/2020.03.01 scan %1 (a),b.png"))));
        IOException e = assertThrows(IOException.class, () -> download(manifest()));
        assertEquals(COVID_ZIP + ": the entry 'CT_COVID/../../../2020.03.01 scan %1 (a),b.png' climbs out of the "
                + "folder it is extracted to; the archive was refused and deleted", e.getMessage());
        assertEquals(List.of(), listing(), "nothing extracted, the zip deleted");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(root), s.toList(), "nothing written beside the root");
        }
    }

    @Test
    void aZipHoldingAnImageTwiceFailsThatImage() throws Exception {
        byte[] n1 = files.get("Images-processed/CT_NonCOVID/n1.jpg");
        served.put(NON_COVID_ZIP, zip(entries("a/n1.jpg", n1, "b/n1.jpg", n1,
                "n2.png", files.get("Images-processed/CT_NonCOVID/n2.png"))));
        IOException e = assertThrows(IOException.class, () -> download(manifest()));
        assertTrue(e.getMessage().startsWith("1 of the 6 files did not verify and were not installed: "
                + "Images-processed/CT_NonCOVID/n1.jpg;"), e.getMessage());
        assertTrue(notes.contains("Images-processed/CT_NonCOVID/n1.jpg: " + NON_COVID_ZIP
                + " holds it more than once ('a/n1.jpg', 'b/n1.jpg')"), notes.toString());
        assertFalse(Files.exists(root.resolve("Images-processed/CT_NonCOVID/n1.jpg")));
    }

    @Test
    void aFileMissingOnTheServerFailsAtOnceAndARerunFetchesOnlyWhatIsMissing() throws Exception {
        served.remove("Data-split/COVID/trainCT_COVID.txt");
        IOException e = assertThrows(IOException.class, () -> download(manifest()));
        assertEquals("HTTP 404 from " + base() + "/Data-split/COVID/trainCT_COVID.txt", e.getMessage());
        assertEquals(1, requestsFor("Data-split/COVID/trainCT_COVID.txt"));
        served.put("Data-split/COVID/trainCT_COVID.txt", files.get("Data-split/COVID/trainCT_COVID.txt"));
        requests.clear();
        assertEquals(new CovidCtDownload.Outcome(root.toAbsolutePath().normalize(), 4, 2), download(manifest()));
        assertEquals(List.of("Data-split/COVID/trainCT_COVID.txt none", "Data-split/NonCOVID/trainCT_NonCOVID.txt none"),
                requests);
    }

    @Test
    void aSecondDownloadIntoTheSameFolderIsRefusedWhileOneRuns() throws Exception {
        Path staging = Files.createDirectories(root.resolve(CovidCtDownload.STAGING));
        Path part = Files.write(staging.resolve("CT_COVID.zip.part"), new byte[] {1, 2, 3});
        try (FileChannel held = FileChannel.open(staging.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = held.lock()) {
            IOException e = assertThrows(IOException.class, () -> download(manifest()));
            assertEquals(root.toAbsolutePath().normalize() + ": another data download is writing here; wait for it "
                    + "to end", e.getMessage());
        }
        assertEquals(List.of(), requests);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(part), "the other download's files are left alone");
    }

    @Test
    void aBaseUrlMustBeHttpWithoutQuery() throws Exception {
        Sha256Manifest manifest = manifest();
        for (String url : List.of("ftp://host/repo", "repo/relative", "http://host/repo?x=1", "file:///tmp/repo")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new CovidCtDownload(URI.create(url), manifest, FAST, null, notes::add));
            assertEquals(url + ": not an http(s) URL of a folder (no query or fragment)", e.getMessage());
        }
    }

    @Test
    void pathsArePercentEncodedUnderTheBase() throws Exception {
        CovidCtDownload d = new CovidCtDownload(URI.create("https://host/a/b/"), manifest(), FAST, null, notes::add);
        assertEquals("https://host/a/b/Images-processed/CT_COVID/2020.03.01%20scan%20%251%20%28a%29%2Cb.png",
                d.url("Images-processed/CT_COVID/2020.03.01 scan %1 (a),b.png").toString());
    }
}
