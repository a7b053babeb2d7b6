package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The zip format's own hazards, on copies of a torch.save fixture. */
class TorchZipArchiveTest {
    private static final String FIXTURE = "vgg13_narrow.zip.pth";

    @TempDir
    Path tmp;

    /**
     * A second record named like an existing one (data.pkl, or a storage) with other bytes: torch.load
     * and the JDK's ZipFile need not pick the same one, so the file is refused rather than read either way.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"data.pkl", "data/0"})
    void aDuplicatedRecordNameIsRefused(String record) throws IOException {
        String name = archivePrefix() + record;
        String standIn = name.substring(0, name.length() - 1) + "~";
        byte[] other = recordOfFixture(name); // the same size, so that only its values differ
        Arrays.fill(other, (byte) 0x3f);
        byte[] withExtraRecord = fixtureWithExtraRecord(standIn, other);
        try (TensorScope scope = TensorScope.open()) {
            TorchWeights.read(Files.write(tmp.resolve("extra.pth"), withExtraRecord)); // reads while the name is new
        }
        Path file = Files.write(tmp.resolve("duplicate.pth"), renamed(withExtraRecord, standIn, name));

        WeightFileException e = assertThrows(WeightFileException.class, () -> TorchWeights.read(file));
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": ") && m.contains("more than one record named '" + name + "'"), m);
        assertFalse(m.contains("\n"), m);
    }

    private static String archivePrefix() throws IOException {
        try (ZipFile zip = new ZipFile(WeightFixtures.path(FIXTURE).toFile())) {
            String pkl = zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith("/data.pkl")).findFirst()
                    .orElseThrow();
            return pkl.substring(0, pkl.length() - "data.pkl".length());
        }
    }

    private static byte[] recordOfFixture(String name) throws IOException {
        try (ZipFile zip = new ZipFile(WeightFixtures.path(FIXTURE).toFile());
             var in = zip.getInputStream(zip.getEntry(name))) {
            return in.readAllBytes();
        }
    }

    /** The fixture's records, stored, then one more holding {@code data} under {@code name}. */
    private static byte[] fixtureWithExtraRecord(String name, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipFile fixture = new ZipFile(WeightFixtures.path(FIXTURE).toFile());
             ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (ZipEntry e : Collections.list(fixture.entries())) {
                try (var in = fixture.getInputStream(e)) {
                    storedEntry(zip, e.getName(), in.readAllBytes());
                }
            }
            storedEntry(zip, name, data);
        }
        return bytes.toByteArray();
    }

    /**
     * The archive with record {@code from} renamed to {@code to} of the same length, in its local
     * header and in the central directory: ZipOutputStream itself refuses to write a repeated name.
     */
    private static byte[] renamed(byte[] archive, String from, String to) {
        byte[] out = archive.clone();
        byte[] fromBytes = from.getBytes(StandardCharsets.UTF_8);
        byte[] toBytes = to.getBytes(StandardCharsets.UTF_8);
        List<Integer> at = occurrences(out, fromBytes);
        assertEquals(2, at.size(), "the name should appear in one local header and one directory entry");
        for (int p : at) {
            System.arraycopy(toBytes, 0, out, p, toBytes.length);
        }
        return out;
    }

    private static List<Integer> occurrences(byte[] haystack, byte[] needle) {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                found.add(i);
            }
        }
        return found;
    }

    private static void storedEntry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
