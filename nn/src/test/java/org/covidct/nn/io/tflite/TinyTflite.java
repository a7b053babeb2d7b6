package org.covidct.nn.io.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.covidct.nn.io.tflite.FlatBufferWriter.Str;
import org.covidct.nn.io.tflite.FlatBufferWriter.Table;
import org.covidct.nn.io.tflite.FlatBufferWriter.Vector;

/**
 * A small TFLite file with every feature the reader handles: a uint8 input with per-tensor
 * quantization, a CONV_2D with uint8 per-tensor weights and an int32 bias, a DEPTHWISE_CONV_2D
 * with int8 per-channel weights (axis 3) and bias, an unquantized float32 tensor, and an ADD.
 * Field numbers are those of TFLite's schema.fbs.
 */
final class TinyTflite {
    static final float INPUT_SCALE = 0.0078125f;
    static final long INPUT_ZERO = 128;
    static final byte[] CONV_W = {10, 20, (byte) 200, 0, (byte) 255, (byte) 128};
    static final float CONV_SCALE = 0.5f;
    static final long CONV_ZERO = 128;
    static final int[] CONV_B = {-3, 1000};
    static final float CONV_B_SCALE = 0.25f;
    static final byte[] DW_W = {1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8, 127, -128};
    static final float[] DW_SCALES = {0.1f, 0.01f};
    static final long[] DW_ZEROS = {0, 2};
    static final float[] FLOATS = {1.5f, -2.25f, 3e-8f};

    private TinyTflite() {
    }

    static byte[] bytes() {
        return build(3, "TFL3");
    }

    static byte[] build(int version, String identifier) {
        List<Table> buffers = new ArrayList<>();
        buffers.add(new Table()); // buffer 0: the empty sentinel
        buffers.add(buffer(CONV_W));
        buffers.add(buffer(ints(CONV_B)));
        buffers.add(buffer(DW_W));
        buffers.add(buffer(ints(7, -7)));
        buffers.add(buffer(floats(FLOATS)));

        List<Table> tensors = List.of(
                tensor("input", new int[] {1, 4, 4, 3}, 3, 0, quant(new float[] {INPUT_SCALE}, new long[] {INPUT_ZERO}, 0)),
                tensor("conv/weights", new int[] {2, 1, 1, 3}, 3, 1, quant(new float[] {CONV_SCALE}, new long[] {CONV_ZERO}, 0)),
                tensor("conv/bias", new int[] {2}, 2, 2, quant(new float[] {CONV_B_SCALE}, new long[] {0}, 0)),
                tensor("conv/out", new int[] {1, 4, 4, 2}, 3, 0, null),
                tensor("dw/weights", new int[] {1, 3, 3, 2}, 9, 3, quant(DW_SCALES, DW_ZEROS, 3)),
                tensor("dw/bias", new int[] {2}, 2, 4, quant(new float[] {1f, 2f}, new long[] {0, 0}, 0)),
                tensor("dw/out", new int[] {1, 4, 4, 2}, 3, 0, null),
                tensor("floats", new int[] {3}, 0, 5, null),
                tensor("sum", new int[] {1, 4, 4, 2}, 3, 0, null));

        Table conv = new Table().int32(0, 0).child(1, Vector.ints(0, 1, 2)).child(2, Vector.ints(3))
                .int8(3, 1).child(4, new Table().int8(0, 0).int32(1, 1).int32(2, 1).int8(3, 3));
        Table dw = new Table().int32(0, 1).child(1, Vector.ints(3, 4, 5)).child(2, Vector.ints(6))
                .int8(3, 2).child(4, new Table().int8(0, 0).int32(1, 2).int32(2, 2).int32(3, 1).int8(4, 3));
        Table add = new Table().int32(0, 2).child(1, Vector.ints(3, 6)).child(2, Vector.ints(8));
        Table graph = new Table().child(0, Vector.of(tensors)).child(1, Vector.ints(0)).child(2, Vector.ints(8))
                .child(3, Vector.of(List.of(conv, dw, add))).child(4, new Str("main"));
        List<Table> codes = List.of(new Table().int8(0, 3).int32(2, 1), new Table().int8(0, 4).int32(2, 1),
                new Table().int8(0, 0).int32(3, 0));
        Table model = new Table().int32(0, version).child(1, Vector.of(codes)).child(2, Vector.of(List.of(graph)))
                .child(3, new Str("tiny test model")).child(4, Vector.of(buffers));
        return FlatBufferWriter.write(model, identifier);
    }

    private static Table buffer(byte[] data) {
        return new Table().child(0, Vector.bytes(data));
    }

    private static Table tensor(String name, int[] shape, int type, int buffer, Table quantization) {
        Table t = new Table().child(0, Vector.ints(shape)).int8(1, type).int32(2, buffer).child(3, new Str(name));
        return quantization == null ? t : t.child(4, quantization);
    }

    private static Table quant(float[] scales, long[] zeros, int axis) {
        return new Table().child(2, Vector.floats(scales)).child(3, Vector.longs(zeros)).int32(6, axis);
    }

    static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }
}
