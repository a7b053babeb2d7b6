package org.covidct.app.tensorboard;

import java.util.zip.CRC32C;

/**
 * TFRecord framing, as TensorBoard reads event files: uint64 length (little endian), masked CRC32C
 * of those 8 bytes, the data, masked CRC32C of the data.
 */
public final class TfRecord {
    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecord() {}

    public static byte[] frame(byte[] data) {
        byte[] rec = new byte[8 + 4 + data.length + 4];
        long len = data.length;
        for (int i = 0; i < 8; i++) {
            rec[i] = (byte) (len >>> (8 * i));
        }
        putIntLE(rec, 8, maskedCrc32c(rec, 0, 8));
        System.arraycopy(data, 0, rec, 12, data.length);
        putIntLE(rec, 12 + data.length, maskedCrc32c(data, 0, data.length));
        return rec;
    }

    /** CRC32C rotated right by 15 plus a constant: data holding its own CRC would otherwise checksum badly. */
    public static int maskedCrc32c(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        return mask((int) crc.getValue());
    }

    public static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    private static void putIntLE(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
