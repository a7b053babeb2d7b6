package org.covidct.nn.io;

import static org.covidct.nn.io.WeightFixtures.GOLD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.covidct.nn.Module;
import org.covidct.nn.io.pickle.PickleBytes;
import org.covidct.nn.models.Vgg;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TorchWeightsTest {
    private static final byte[] MAGIC_LE = {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8,
        0x50, 0x19};

    @TempDir
    Path tmp;

    private static String failure(Path file) {
        WeightFileException e = assertThrows(WeightFileException.class, () -> TorchWeights.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    // ---- hand-made files ----------------------------------------------------------------------------

    /** data.pkl of {'w': tensor of {@code size} float elements over storage '0' of {@code storageNumel}}. */
    private static PickleBytes stateDictPickle(long storageNumel, long size, boolean legacy) {
        return stateDictPickle(storageNumel, size, legacy, 0);
    }

    /** The same with {@code copies} more keys holding that very tensor (a memo reference). */
    private static PickleBytes stateDictPickle(long storageNumel, long size, boolean legacy, int copies) {
        PickleBytes p = PickleBytes.proto2().global("collections", "OrderedDict").op(')').op('R')
                .str("w").global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(storageNumel);
        if (legacy) {
            p.op('N');
        }
        p.op('t').op('Q').integer(0).integer(size).op(0x85).integer(1).op(0x85).op(0x89)
                .global("collections", "OrderedDict").op(')').op('R').op('t').op('R').op('q').u8(9).op('s');
        for (int i = 0; i < copies; i++) {
            p.str("w" + i).op('h').u8(9).op('s');
        }
        return p.stop();
    }

    private static byte[] legacyFile(PickleBytes stateDict, long count, int dataBytes) {
        PickleBytes p = PickleBytes.proto2().op(0x8a).u8(10).raw(MAGIC_LE).stop()
                .op(0x80).u8(2).integer(1001).stop()
                .op(0x80).u8(2).op('}').str("little_endian").op(0x88).op('s').stop()
                .raw(stateDict.bytes())
                .op(0x80).u8(2).op(']').str("0").op('a').stop();
        return p.i64(count).raw(new byte[dataBytes]).bytes();
    }

    private static byte[] zipFile(byte[] dataPkl, byte[] storage) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            storedEntry(zip, "archive/data.pkl", dataPkl);
            storedEntry(zip, "archive/data/0", storage);
            storedEntry(zip, "archive/version", "3\n".getBytes());
        }
        return bytes.toByteArray();
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

    // ---- fixtures from torch.save -------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vgg11bn_narrow", "vgg13_narrow"})
    void bothFormatsHoldTheSameTensorsInTorchvisionsOrder(String name) throws WeightFileException {
        try (TensorScope scope = TensorScope.open(); Vgg model = WeightFixtures.modelFor(name)) {
            Map<String, Tensor> zip = TorchWeights.read(WeightFixtures.path(name + ".zip.pth"));
            Map<String, Tensor> legacy = TorchWeights.read(WeightFixtures.path(name + ".legacy.pth"));
            List<String> keys = List.copyOf(model.stateDict().keySet());
            assertEquals(keys, List.copyOf(zip.keySet()));
            assertEquals(keys, List.copyOf(legacy.keySet()));
            for (String k : keys) {
                assertArrayEquals(model.stateDict().get(k).dims(), zip.get(k).dims(), k);
                assertArrayEquals(zip.get(k).dims(), legacy.get(k).dims(), k);
                assertArrayEquals(zip.get(k).toArray(), legacy.get(k).toArray(), k);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dtypes.zip.pth", "dtypes.legacy.pth"})
    void everyDtypeAndStorageViewConvertsExactly(String file) throws WeightFileException {
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> state = TorchWeights.read(WeightFixtures.path(file));
            List<String> expected = new ArrayList<>();
            for (String name : GOLD.names()) {
                if (name.startsWith("dtypes.")) {
                    String key = name.substring("dtypes.".length());
                    expected.add(key);
                    assertArrayEquals(GOLD.dims(name), state.get(key).dims(), key);
                    assertArrayEquals(GOLD.floats(name), state.get(key).toArray(), key);
                }
            }
            assertEquals(expected, List.copyOf(state.keySet()));
            assertEquals(0, state.get("scalar_i64").rank());
        }
    }

    @Test
    void batchCounterIsReadAsAFloatScalar() throws WeightFileException {
        try (TensorScope scope = TensorScope.open()) {
            for (String f : List.of("vgg11bn_narrow.zip.pth", "vgg11bn_narrow.legacy.pth")) {
                Tensor counter = TorchWeights.read(WeightFixtures.path(f)).get("features.1.num_batches_tracked");
                assertEquals(0, counter.rank());
                assertEquals(7f, counter.item());
            }
            try (Vgg model = WeightFixtures.vgg11bnNarrow(5)) {
                model.loadStateDict(TorchWeights.read(WeightFixtures.path("vgg11bn_narrow.zip.pth")), true);
                assertEquals(7, ((org.covidct.nn.BatchNorm2d) model.features().get(1)).numBatchesTracked());
            }
        }
    }

    @Test
    void nonContiguousTensorsAreRefused() {
        String m = failure(WeightFixtures.path("noncontiguous.zip.pth"));
        assertTrue(m.contains("tensor 't' of size [3, 2] has strides [1, 3]: non-contiguous"), m);
    }

    @Test
    void picklesThatCallCodeAreRefusedNamingTheGlobal() {
        String m = failure(WeightFixtures.path("malicious_eval.zip.pth"));
        assertTrue(m.contains("refusing global '__builtin__.eval'"), m);
        m = failure(WeightFixtures.path("malicious_system.legacy.pth"));
        assertTrue(m.contains("refusing global 'posix.system'"), m);
    }

    @Test
    void whatIsNotAWeightFileIsReported() throws IOException {
        assertTrue(failure(tmp.resolve("absent.pth")).endsWith(": no such file"));
        assertTrue(failure(tmp).endsWith(": not a regular file"));
        assertTrue(failure(write("empty.pth", new byte[0])).contains("only 0 bytes"));
        assertTrue(failure(write("text.pth", "hello world".getBytes())).contains("not a PyTorch weight file"));
        assertTrue(failure(write("pickle.pth", PickleBytes.proto2().integer(5).stop().bytes()))
                .contains("the first pickle is a int, not torch.save's magic number"));
        assertTrue(failure(write("zip.pth", zipFile(new byte[0], new byte[0])).getParent().resolve("zip.pth"))
                .contains("without a STOP"));
    }

    @Test
    void legacyStorageLargerThanTheFileIsRefusedBeforeAllocation() throws IOException {
        long huge = 1L << 40;
        String m = failure(write("huge.pth", legacyFile(stateDictPickle(huge, 4, true), huge, 16)));
        assertTrue(m.contains("truncated: storage '0' of 1099511627776 elements of torch.FloatStorage"), m);
        m = failure(write("count.pth", legacyFile(stateDictPickle(4, 4, true), Long.MIN_VALUE, 16)));
        assertTrue(m.contains("holds -9223372036854775808 elements but the state dict declares 4"), m);
    }

    @Test
    void zipStorageLargerThanItsRecordIsRefusedBeforeAllocation() throws IOException {
        String m = failure(write("huge.pth", zipFile(stateDictPickle(100_000_000, 100_000_000, false).bytes(),
                new byte[16])));
        assertTrue(m.contains("storage '0' of 100000000 elements of torch.FloatStorage needs more bytes than the 16"), m);
        m = failure(write("big-tensor.pth", zipFile(stateDictPickle(1L << 40, 1L << 40, false).bytes(), new byte[16])));
        assertTrue(m.contains("too large for a CPU tensor"), m);
    }

    @Test
    void tensorsMustLieInsideTheirStorage() throws IOException {
        String m = failure(write("outside.pth", zipFile(stateDictPickle(4, 8, false).bytes(), new byte[16])));
        assertTrue(m.contains("tensor 'w' needs elements [0, 8) of storage '0', which has 4"), m);
        try (TensorScope scope = TensorScope.open()) {
            byte[] four = {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, (byte) 0x80, 0x40};
            Map<String, Tensor> ok = TorchWeights.read(write("ok.pth",
                    zipFile(stateDictPickle(4, 4, false).bytes(), four)));
            assertArrayEquals(new float[] {1, 2, 3, 4}, ok.get("w").toArray());
            ok = TorchWeights.read(write("ok-legacy.pth", legacyFile(stateDictPickle(4, 4, true), 4, 16)));
            assertArrayEquals(new float[4], ok.get("w").toArray());
        }
    }

    @Test
    void sharedStoragesAreNotCopiedWithoutLimit() throws IOException {
        byte[] data = new byte[4 * 1000];
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> tied = TorchWeights.read(write("tied.pth",
                    zipFile(stateDictPickle(1000, 1000, false, 2).bytes(), data)));
            assertEquals(List.of("w", "w0", "w1"), List.copyOf(tied.keySet()));
        }
        String m = failure(write("copies.pth", zipFile(stateDictPickle(1000, 1000, false, 10_000).bytes(), data)));
        assertTrue(m.contains("its tensors ask for 10001000 elements from storages of 1000"), m);
    }

    @Test
    void wholeModulePicklesAreRefused() throws IOException {
        byte[] pkl = PickleBytes.proto2().op('(').str("module").op('N').str("src").op('t').op('Q').stop().bytes();
        String m = failure(write("module.pth", zipFile(pkl, new byte[0])));
        assertTrue(m.contains("pickles a whole nn.Module"), m);
    }

    @Test
    void truncatedFilesAreReported() throws IOException {
        byte[] legacy = Files.readAllBytes(WeightFixtures.path("vgg13_narrow.legacy.pth"));
        String m = failure(write("cut.pth", Arrays.copyOf(legacy, legacy.length - 10)));
        assertTrue(m.contains("truncated: storage"), m);
        m = failure(write("cut-pickle.pth", Arrays.copyOf(legacy, 300)));
        assertTrue(m.contains("truncated pickle") || m.contains("without a STOP"), m);
        byte[] zip = Files.readAllBytes(WeightFixtures.path("vgg13_narrow.zip.pth"));
        m = failure(write("cut.zip.pth", Arrays.copyOf(zip, zip.length - 10)));
        assertTrue(m.contains("not a readable zip archive"), m);
    }

    // ---- helpers for loading -------------------------------------------------------------------------

    @Test
    void stripPrefixKeepsOrderAndOtherKeys() {
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("module.a", Tensor.scalar(1));
            state.put("b", Tensor.scalar(2));
            state.put("module.c.module.d", Tensor.scalar(3));
            Map<String, Tensor> out = TorchWeights.stripPrefix(state, "module.");
            assertEquals(List.of("a", "b", "c.module.d"), List.copyOf(out.keySet()));
            state.put("a", Tensor.scalar(4));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TorchWeights.stripPrefix(state, "module."));
            assertTrue(e.getMessage().contains("'a'"), e.getMessage());
        }
    }

    @Test
    void strictLoadReportsEveryProblemAndCopiesNothing() throws WeightFileException {
        try (TensorScope scope = TensorScope.open(); Vgg model = WeightFixtures.vgg13Narrow(4)) {
            Map<String, Tensor> state = new LinkedHashMap<>(TorchWeights.read(WeightFixtures.path("vgg13_narrow.zip.pth")));
            state.remove("features.2.bias");
            state.put("features.0.weight", Tensor.zeros(org.covidct.tensor.Device.CPU, 1, 3, 3));
            state.put("extra.weight", Tensor.scalar(1));
            float[] before = model.stateDict().get("features.2.weight").toArray();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.loadStateDict(state, true));
            for (String problem : List.of("missing keys [features.2.bias]", "unexpected keys [extra.weight]",
                    "features.0.weight (file [1, 3, 3], model [1, 3, 3, 3])", "classifier.6.weight (file [3, 8], model [4, 8])",
                    "classifier.6.bias (file [3], model [4])")) {
                assertTrue(e.getMessage().contains(problem), problem + " in " + e.getMessage());
            }
            assertArrayEquals(before, model.stateDict().get("features.2.weight").toArray());
        }
    }

    @Test
    void nonStrictLoadIntoATwoClassModelSkipsTheHead() throws WeightFileException {
        try (TensorScope scope = TensorScope.open(); Vgg model = WeightFixtures.vgg11bnNarrow(2)) {
            Map<String, Tensor> state = TorchWeights.read(WeightFixtures.path("vgg11bn_narrow.legacy.pth"));
            float[] head = model.stateDict().get("classifier.6.weight").toArray();
            Module.StateDictReport report = model.loadStateDict(state, false);
            assertEquals(List.of(), report.missing());
            assertEquals(List.of(), report.unexpected());
            assertEquals(List.of("classifier.6.weight (file [5, 8], model [2, 8])",
                    "classifier.6.bias (file [5], model [2])"), report.mismatched());
            model.stateDict().forEach((k, v) -> {
                if (k.startsWith("classifier.6.")) {
                    return;
                }
                assertArrayEquals(state.get(k).toArray(), v.toArray(), k);
            });
            assertArrayEquals(head, model.stateDict().get("classifier.6.weight").toArray());
        }
    }
}
