package org.covidct.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.covidct.nn.io.pickle.PyValues;
import org.covidct.nn.io.pickle.StorageRef;
import org.covidct.nn.io.pickle.Unpickler;

/**
 * The zip format of torch.save (torch >= 1.6): {@code <archive>/data.pkl} holds the pickled state
 * dict, and {@code <archive>/data/<key>} the raw little-endian bytes of each storage, stored
 * uncompressed. The JDK's ZipFile parses the archive; storages are streamed in chunks straight
 * into the float arrays.
 */
final class TorchZipArchive implements StorageSource {
    /** data.pkl of a state dict is kilobytes; refuse absurd sizes before reading them. */
    static final long MAX_PICKLE_BYTES = 256L << 20;
    private static final int CHUNK_BYTES = 1 << 20;

    private final String source;
    private final long fileSize;
    private final ZipFile zip;
    private final String prefix;
    private final Object pickled;

    private TorchZipArchive(String source, long fileSize, ZipFile zip, String prefix, Object pickled) {
        this.source = source;
        this.fileSize = fileSize;
        this.zip = zip;
        this.prefix = prefix;
        this.pickled = pickled;
    }

    static TorchZipArchive open(Path file, String source, long fileSize) throws WeightFileException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new WeightFileException(source + ": not a readable zip archive: " + TorchWeights.why(e), e);
        }
        try {
            checkNamesAreUnique(zip, source);
            ZipEntry pkl = findDataPkl(zip, source);
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            checkByteOrder(zip, prefix, source, fileSize);
            byte[] bytes = readSmallRecord(zip, pkl, MAX_PICKLE_BYTES, fileSize, source);
            StoragePersistentIds ids = new StoragePersistentIds(false);
            Object pickled = new Unpickler(source + ": " + pkl.getName(), MemorySegment.ofArray(bytes), 0, ids).load();
            return new TorchZipArchive(source, fileSize, zip, prefix, pickled);
        } catch (WeightFileException | RuntimeException e) {
            closeQuietly(zip, e);
            if (e instanceof RuntimeException r) {
                throw new WeightFileException(source + ": malformed zip archive: " + TorchWeights.why(r), r);
            }
            throw e;
        }
    }

    /**
     * Two records of one name would be read differently by different readers (torch.load and the
     * JDK's ZipFile need not pick the same one), so such an archive is refused.
     */
    private static void checkNamesAreUnique(ZipFile zip, String source) throws WeightFileException {
        Set<String> names = new HashSet<>();
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (!names.add(name)) {
                throw new WeightFileException(source + ": the zip archive holds more than one record named "
                        + PyValues.quote(name) + ", so which one it means is ambiguous");
            }
        }
    }

    private static ZipEntry findDataPkl(ZipFile zip, String source) throws WeightFileException {
        List<ZipEntry> found = new ArrayList<>();
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            String name = e.getName();
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                found.add(e);
            }
        }
        if (found.size() != 1) {
            throw new WeightFileException(source + ": a torch.save zip archive has exactly one <archive>/data.pkl"
                    + " record, this one has " + found.size() + " (is it a PyTorch file?)");
        }
        return found.getFirst();
    }

    private static void checkByteOrder(ZipFile zip, String prefix, String source, long fileSize) throws WeightFileException {
        ZipEntry e = zip.getEntry(prefix + "byteorder");
        if (e == null) {
            return;
        }
        String order = new String(readSmallRecord(zip, e, 16, fileSize, source), StandardCharsets.US_ASCII).strip();
        if (!order.equals("little")) {
            throw new WeightFileException(source + ": byte order " + PyValues.quote(order)
                    + " is not supported; only little-endian files can be read");
        }
    }

    /** Reads a record of at most {@code limit} bytes, never trusting its declared size for the allocation. */
    private static byte[] readSmallRecord(ZipFile zip, ZipEntry e, long limit, long fileSize, String source)
            throws WeightFileException {
        long declared = e.getSize();
        if (declared > limit || (e.getMethod() == ZipEntry.STORED && declared > fileSize)) {
            throw new WeightFileException(source + ": record " + PyValues.quote(e.getName()) + " declares " + declared
                    + " bytes, more than " + Math.min(limit, fileSize) + " allowed");
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 9) + 1);
            if (b.length > limit) {
                throw new WeightFileException(source + ": record " + PyValues.quote(e.getName()) + " is larger than "
                        + limit + " bytes");
            }
            if (declared >= 0 && b.length != declared) {
                throw new WeightFileException(source + ": record " + PyValues.quote(e.getName()) + " holds "
                        + b.length + " bytes but declares " + declared);
            }
            return b;
        } catch (WeightFileException ex) {
            throw ex;
        } catch (IOException | RuntimeException ex) {
            throw new WeightFileException(source + ": cannot read record " + PyValues.quote(e.getName()) + ": " + TorchWeights.why(ex), ex);
        }
    }

    @Override
    public Object pickled() {
        return pickled;
    }

    private ZipEntry record(StorageRef root) throws WeightFileException {
        String name = prefix + "data/" + root.key();
        ZipEntry e;
        try {
            e = zip.getEntry(name);
        } catch (RuntimeException ex) {
            throw new WeightFileException(source + ": malformed zip archive: " + TorchWeights.why(ex), ex);
        }
        if (e == null) {
            throw new WeightFileException(source + ": storage " + PyValues.quote(root.key()) + " has no record "
                    + PyValues.quote(name) + " in the archive");
        }
        return e;
    }

    @Override
    public void checkAvailable(StorageRef root) throws WeightFileException {
        ZipEntry e = record(root);
        if (e.getMethod() != ZipEntry.STORED) {
            throw new WeightFileException(source + ": record " + PyValues.quote(e.getName())
                    + " is compressed; torch.save stores storages uncompressed");
        }
        long size = e.getSize();
        int es = root.type().elementSize();
        if (size < 0 || size > fileSize) {
            throw new WeightFileException(source + ": record " + PyValues.quote(e.getName()) + " declares " + size
                    + " bytes in a file of " + fileSize);
        }
        if (root.rootNumel() > size / es) {
            throw new WeightFileException(source + ": storage " + PyValues.quote(root.key()) + " of " + root.rootNumel()
                    + " elements of " + root.type() + " needs more bytes than the " + size + " its record holds");
        }
    }

    @Override
    public void read(StorageRef ref, long elementOffset, float[] dst) throws WeightFileException {
        ZipEntry e = record(ref);
        int es = ref.type().elementSize();
        long skip = (ref.offset() + elementOffset) * es;
        try (InputStream in = zip.getInputStream(e)) {
            in.skipNBytes(skip);
            byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, (long) dst.length * es)];
            MemorySegment chunkSegment = MemorySegment.ofArray(chunk);
            int done = 0;
            while (done < dst.length) {
                int n = Math.min(dst.length - done, chunk.length / es);
                int got = in.readNBytes(chunk, 0, n * es);
                if (got < n * es) {
                    throw new WeightFileException(source + ": record " + PyValues.quote(e.getName())
                            + " ends early: " + (skip + (long) done * es + got) + " of "
                            + (skip + (long) dst.length * es) + " bytes present");
                }
                ElementDecoder.decode(ref.type(), chunkSegment, 0, dst, done, n);
                done += n;
            }
        } catch (WeightFileException ex) {
            throw ex;
        } catch (IOException | RuntimeException ex) {
            throw new WeightFileException(source + ": cannot read record " + PyValues.quote(e.getName()) + ": " + TorchWeights.why(ex), ex);
        }
    }

    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException ignored) {
            // read-only; nothing was written that a failed close could lose
        }
    }

    private static void closeQuietly(ZipFile zip, Exception primary) {
        try {
            zip.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }
}
