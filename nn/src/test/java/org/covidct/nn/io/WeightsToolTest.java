package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Map;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WeightsToolTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return WeightsTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(WeightsToolTest.class.getResource("/weights/" + name).toURI());
    }

    private static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
        expected.forEach((k, v) -> {
            assertArrayEquals(v.dims(), actual.get(k).dims(), k);
            assertArrayEquals(v.toArray(), actual.get(k).toArray(), k);
        });
    }

    /** The .pth fixtures and the safetensors file the fixture script wrote by hand hold one state dict. */
    @ParameterizedTest
    @ValueSource(strings = {"vgg11bn_narrow.zip.pth", "vgg11bn_narrow.legacy.pth", "vgg11bn_narrow.safetensors"})
    void convertsToSafeTensorsThatMatchAnIndependentWriter(String input) throws Exception {
        Path converted = dir.resolve("out.safetensors");
        assertEquals(0, run("weights", "convert", fixture(input).toString(), converted.toString()), err());
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("wrote " + converted), out.toString());
        assertEquals("", err());
        assertEquals(Map.of("format", "pt", "source", input), SafeTensors.readMetadata(converted));
        Map<String, Tensor> reference = SafeTensors.read(fixture("vgg11bn_narrow.safetensors"));
        Map<String, Tensor> ours = SafeTensors.read(converted);
        try {
            assertSameTensors(reference, ours);
        } finally {
            reference.values().forEach(Tensor::close);
            ours.values().forEach(Tensor::close);
        }
    }

    @Test
    void failuresAreOneLineNamingTheFile() throws IOException {
        Path missing = dir.resolve("nope.pth");
        assertEquals(1, run("convert", missing.toString(), dir.resolve("o.safetensors").toString()));
        assertTrue(err().startsWith("error: ") && err().contains("nope.pth"), err());
        assertEquals(1, err().strip().lines().count(), err());

        err.reset();
        Path garbage = Files.writeString(dir.resolve("garbage.pth"), "this is not a weight file");
        assertEquals(1, run("convert", garbage.toString(), dir.resolve("o.safetensors").toString()));
        assertTrue(err().startsWith("error: ") && err().contains("garbage.pth"), err());
        assertEquals(1, err().strip().lines().count(), err());
        assertFalse(Files.exists(dir.resolve("o.safetensors")));

        err.reset();
        byte[] bad = SafeTensorsTest.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[9],\"data_offsets\":[0,36]}}", new byte[8]);
        Path truncated = Files.write(dir.resolve("cut.safetensors"), bad);
        assertEquals(1, run("convert", truncated.toString(), dir.resolve("o.safetensors").toString()));
        assertTrue(err().startsWith("error: " + truncated), err());
        assertEquals(1, err().strip().lines().count(), err());

        for (String[] args : new String[][] {{}, {"convert", "a"}, {"frobnicate"}, {"download", "--cache"},
                {"download", "ftp://host/x.pth"}}) {
            err.reset();
            assertEquals(1, run(args), String.join(" ", args));
            assertTrue(err().startsWith("error: "), err());
        }
    }

    @Test
    void downloadsIntoTheGivenCache() throws Exception {
        byte[] bytes = "pretend weights".repeat(1000).getBytes(StandardCharsets.UTF_8);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        String name = "w-" + hash.substring(0, 8) + ".pth";
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
        try {
            Path cache = dir.resolve("cache");
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/m/" + name;
            assertEquals(0, run("weights", "download", "--cache", cache.toString(), url), err());
            assertEquals(cache.resolve(name).toString(), out.toString(StandardCharsets.UTF_8).strip());
            assertArrayEquals(bytes, Files.readAllBytes(cache.resolve(name)));
            assertTrue(err().contains("100.0%"), err());
        } finally {
            server.stop(0);
        }
    }
}
