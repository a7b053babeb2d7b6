package org.covidct.nn.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.covidct.nn.io.pickle.StorageType;

/** Converts little-endian storage elements of any supported type to float32, in bulk. */
final class ElementDecoder {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ElementDecoder() {
    }

    /**
     * Decodes {@code count} elements of {@code type} starting at byte {@code offset} of {@code src}
     * into {@code dst[dstPos ..]}. The caller has checked that the bytes exist.
     */
    static void decode(StorageType type, MemorySegment src, long offset, float[] dst, int dstPos, int count) {
        switch (type) {
            case FLOAT -> MemorySegment.copy(src, F32, offset, dst, dstPos, count);
            case DOUBLE -> {
                for (int i = 0; i < count; i++) {
                    dst[dstPos + i] = (float) src.get(F64, offset + 8L * i);
                }
            }
            case HALF -> {
                for (int i = 0; i < count; i++) {
                    dst[dstPos + i] = Float.float16ToFloat(src.get(I16, offset + 2L * i));
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstPos + i] = Float.intBitsToFloat((src.get(I16, offset + 2L * i) & 0xffff) << 16);
                }
            }
            case LONG -> {
                for (int i = 0; i < count; i++) {
                    dst[dstPos + i] = (float) src.get(I64, offset + 8L * i);
                }
            }
            case INT -> {
                for (int i = 0; i < count; i++) {
                    dst[dstPos + i] = (float) src.get(I32, offset + 4L * i);
                }
            }
            case SHORT -> {
                for (int i = 0; i < count; i++) {
                    dst[dstPos + i] = src.get(I16, offset + 2L * i);
                }
            }
            case CHAR -> {
                for (int i = 0; i < count; i++) {
                    dst[dstPos + i] = src.get(ValueLayout.JAVA_BYTE, offset + i);
                }
            }
            case BYTE -> {
                for (int i = 0; i < count; i++) {
                    dst[dstPos + i] = Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, offset + i));
                }
            }
            case BOOL -> {
                for (int i = 0; i < count; i++) {
                    dst[dstPos + i] = src.get(ValueLayout.JAVA_BYTE, offset + i) != 0 ? 1f : 0f;
                }
            }
        }
    }
}
