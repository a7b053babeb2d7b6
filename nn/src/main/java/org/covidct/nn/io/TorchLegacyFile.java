package org.covidct.nn.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.io.pickle.PyValues;
import org.covidct.nn.io.pickle.StorageRef;
import org.covidct.nn.io.pickle.Unpickler;

/**
 * The legacy format of torch.save (before torch 1.6, and with _use_new_zipfile_serialization=False):
 * five pickles in a row (the magic number, the protocol version 1001, a sys-info dict, the state
 * dict whose storages are persistent ids, the list of storage keys), then for each key in that list
 * an int64 element count and the storage's raw little-endian bytes. The file is memory-mapped, the
 * storage table is checked against the file size up front, and tensors are decoded straight from
 * the mapping.
 */
final class TorchLegacyFile implements StorageSource {
    private static final BigInteger MAGIC_NUMBER = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long PROTOCOL_VERSION = 1001;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String source;
    private final Arena arena;
    private final MemorySegment file;
    private final Map<String, Long> dataOffsets = new HashMap<>();
    private Object pickled;

    private TorchLegacyFile(String source, Arena arena, MemorySegment file) {
        this.source = source;
        this.arena = arena;
        this.file = file;
    }

    static TorchLegacyFile open(Path path, String source) throws WeightFileException {
        Arena arena = Arena.ofConfined();
        try {
            MemorySegment mapped;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            TorchLegacyFile f = new TorchLegacyFile(source, arena, mapped);
            f.parse();
            return f;
        } catch (IOException | RuntimeException e) {
            arena.close();
            if (e instanceof WeightFileException w) {
                throw w;
            }
            throw new WeightFileException(source + ": cannot read: " + TorchWeights.why(e), e);
        }
    }

    private void parse() throws WeightFileException {
        Unpickler u = new Unpickler(source, file, 0, null);
        Object magic = u.load();
        if (!MAGIC_NUMBER.equals(magic)) {
            throw new WeightFileException(source + ": not a PyTorch weight file: the first pickle is a "
                    + PyValues.typeName(magic) + ", not torch.save's magic number");
        }
        u = new Unpickler(source, file, u.position(), null);
        Object protocol = u.load();
        if (!(protocol instanceof Long p) || p != PROTOCOL_VERSION) {
            throw new WeightFileException(source + ": unsupported legacy protocol version "
                    + (protocol instanceof Long p ? p.toString() : "of type " + PyValues.typeName(protocol))
                    + ", expected " + PROTOCOL_VERSION);
        }
        u = new Unpickler(source, file, u.position(), null);
        Object sysInfo = u.load();
        if (!(sysInfo instanceof Map<?, ?> info)) {
            throw new WeightFileException(source + ": the sys-info pickle is a " + PyValues.typeName(sysInfo)
                    + ", not a dict");
        }
        if (Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new WeightFileException(source + ": the file was written on a big-endian machine;"
                    + " only little-endian files are supported");
        }
        StoragePersistentIds ids = new StoragePersistentIds(true);
        u = new Unpickler(source, file, u.position(), ids);
        pickled = u.load();
        u = new Unpickler(source, file, u.position(), null);
        Object keys = u.load();
        if (!(keys instanceof List<?> keyList)) {
            throw new WeightFileException(source + ": the storage key list is a " + PyValues.typeName(keys)
                    + ", not a list");
        }
        long pos = u.position();
        long end = file.byteSize();
        for (Object k : keyList) {
            String key = PyValues.asString(k, "storage key in the key list");
            StorageRef root = ids.roots().get(key);
            if (root == null) {
                throw new WeightFileException(source + ": storage " + PyValues.quote(key)
                        + " is listed but no tensor uses it");
            }
            if (dataOffsets.containsKey(key)) {
                throw new WeightFileException(source + ": storage " + PyValues.quote(key) + " is listed twice");
            }
            if (end - pos < Long.BYTES) {
                throw new WeightFileException(source + ": truncated: the element count of storage "
                        + PyValues.quote(key) + " at offset " + pos + " is missing");
            }
            long count = file.get(I64, pos);
            pos += Long.BYTES;
            if (count != root.rootNumel()) {
                throw new WeightFileException(source + ": storage " + PyValues.quote(key) + " at offset " + (pos - 8)
                        + " holds " + count + " elements but the state dict declares " + root.rootNumel());
            }
            int es = root.type().elementSize();
            if (count > (end - pos) / es) {
                throw new WeightFileException(source + ": truncated: storage " + PyValues.quote(key) + " of " + count
                        + " elements of " + root.type() + " at offset " + pos + " needs more than the " + (end - pos)
                        + " bytes left");
            }
            dataOffsets.put(key, pos);
            pos += count * es;
        }
        for (String key : ids.roots().keySet()) {
            if (!dataOffsets.containsKey(key)) {
                throw new WeightFileException(source + ": storage " + PyValues.quote(key)
                        + " is used by a tensor but has no data in the file");
            }
        }
    }

    @Override
    public Object pickled() {
        return pickled;
    }

    @Override
    public void checkAvailable(StorageRef root) throws WeightFileException {
        if (!dataOffsets.containsKey(root.key())) {
            throw new WeightFileException(source + ": storage " + PyValues.quote(root.key()) + " has no data in the file");
        }
    }

    @Override
    public void read(StorageRef ref, long elementOffset, float[] dst) {
        long base = dataOffsets.get(ref.key());
        int es = ref.type().elementSize();
        ElementDecoder.decode(ref.type(), file, base + (ref.offset() + elementOffset) * es, dst, 0, dst.length);
    }

    @Override
    public void close() {
        arena.close();
    }
}
