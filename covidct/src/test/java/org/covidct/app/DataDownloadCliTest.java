package org.covidct.app;

import static org.covidct.app.CliRun.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data download} on the command line: its usage errors exit 2, a failed download 1, each in one line. */
class DataDownloadCliTest {
    @TempDir
    Path dir;

    @Test
    void aBadUrlOrDirIsAUsageError() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        for (List<String> args : List.of(
                List.of("--url", "ftp://host/COVID-CT", "--dir", dir.toString()),
                List.of("--url", "http://host/COVID-CT?ref=master", "--dir", dir.toString()),
                List.of("--url", "COVID-CT", "--dir", dir.toString()),
                List.of("--url", "http://host/a b", "--dir", dir.toString()),
                List.of("--url", "http://127.0.0.1:9/COVID-CT", "--dir", file.toString()))) {
            String[] command = Stream.concat(Stream.of("data", "download"), args.stream()).toArray(String[]::new);
            CliRun r = cli(command);
            assertEquals(2, r.code(), args + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), args + ": " + r.err());
            assertTrue(r.err().startsWith("error: ") && (r.err().contains("--url") || r.err().contains("--dir")),
                    args + ": " + r.err());
            assertEquals("", r.out(), args.toString());
        }
        assertEquals("error: --url ftp://host/COVID-CT: not an http(s) URL of a folder (no query or fragment)",
                cli("data", "download", "--url", "ftp://host/COVID-CT").err().strip());
        assertEquals("error: --dir " + file + ": not a folder",
                cli("data", "download", "--dir", file.toString()).err().strip());
    }

    /** A server that has none of the files: the first one fails the run in one line, and nothing is left. */
    @Test
    void aFailedDownloadExitsOneNamingTheUrl() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> asked = new CopyOnWriteArrayList<>();
        server.createContext("/", ex -> {
            asked.add(ex.getRequestURI().getRawPath());
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/COVID-CT";
            Path root = dir.resolve("data");
            CliRun r = cli("data", "download", "--url", base, "--dir", root.toString());
            assertEquals(1, r.code(), r.err());
            assertEquals("", r.out());
            assertEquals("error: HTTP 404 from " + base + "/Images-processed/CT_COVID.zip",
                    r.err().strip().lines().reduce((a, b) -> b).orElseThrow());
            assertEquals(List.of("/COVID-CT/Images-processed/CT_COVID.zip"), asked);
            assertFalse(Files.exists(root.resolve(".download")), "nothing to resume, nothing kept");
        } finally {
            server.stop(0);
        }
    }
}
