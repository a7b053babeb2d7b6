package org.covidct.nn.io.tflite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.covidct.nn.io.WeightFileException;

/**
 * The main subgraph of a TFLite FlatBuffer file (schema version 3), as far as weights need it:
 * tensors with their constant data and quantization, and operators with their tensor indices and
 * convolution options. Nothing is executed; a malformed file is a {@link WeightFileException}
 * naming it.
 *
 * <p>Field numbers follow the declaration order in TFLite's schema.fbs.
 */
public final class TfliteModel {
    private static final String IDENTIFIER = "TFL3";
    private static final int SCHEMA_VERSION = 3;
    private static final int CONV_OPTIONS = 1;
    private static final int DEPTHWISE_OPTIONS = 2;

    private final Path file;
    private final List<TfliteTensor> tensors;
    private final List<TfliteOperator> operators;
    private final int[] inputs;
    private final int[] outputs;

    private TfliteModel(Path file, List<TfliteTensor> tensors, List<TfliteOperator> operators, int[] inputs,
                        int[] outputs) {
        this.file = file;
        this.tensors = tensors;
        this.operators = operators;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /** Whether {@code file} starts like a TFLite FlatBuffer (its identifier "TFL3" at byte 4). */
    public static boolean looksLikeTflite(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8);
            return head.length == 8 && head[4] == 'T' && head[5] == 'F' && head[6] == 'L' && head[7] == '3';
        } catch (IOException e) {
            return false;
        }
    }

    public static TfliteModel read(Path file) throws WeightFileException {
        byte[] bytes;
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 8) {
                throw new WeightFileException(file + ": too large for a TFLite file (" + Files.size(file) + " bytes)");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new WeightFileException(file + ": no such weight file", e);
        } catch (WeightFileException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightFileException(file + ": cannot read: " + e.getMessage(), e);
        }
        try {
            return parse(file, new FlatBuffer(ByteBuffer.wrap(bytes)));
        } catch (FlatBufferException e) {
            throw new WeightFileException(file + ": not a valid TFLite file: " + e.getMessage(), e);
        }
    }

    private static TfliteModel parse(Path file, FlatBuffer fb) {
        if (fb.size() < 8 || !fb.identifier().equals(IDENTIFIER)) {
            throw new FlatBufferException("no TFLite identifier \"" + IDENTIFIER + "\" at byte 4");
        }
        FlatBuffer.Table model = fb.root();
        int version = model.int32(0, 0);
        if (version != SCHEMA_VERSION) {
            throw new FlatBufferException("schema version " + Integer.toUnsignedString(version) + ", expected "
                    + SCHEMA_VERSION);
        }
        FlatBuffer.Vector codes = model.vector(1, 4, "operator_codes");
        int[] builtin = new int[codes.length()];
        for (int i = 0; i < builtin.length; i++) {
            FlatBuffer.Table code = model.tableAt(codes, i, "operator_codes");
            // Codes above 127 live in builtin_code; the byte-wide deprecated field caps at 127.
            builtin[i] = Math.max(code.int8(0, (byte) 0), code.int32(3, 0));
        }
        FlatBuffer.Vector bufferTables = model.vector(4, 4, "buffers");
        ByteBuffer[] buffers = new ByteBuffer[bufferTables.length()];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = model.tableAt(bufferTables, i, "buffers").bytes(0, "data");
        }
        FlatBuffer.Vector subgraphs = model.vector(2, 4, "subgraphs");
        if (subgraphs.length() == 0) {
            throw new FlatBufferException("the model has no subgraph");
        }
        FlatBuffer.Table graph = model.tableAt(subgraphs, 0, "subgraphs");
        List<TfliteTensor> tensors = tensors(graph, buffers);
        List<TfliteOperator> operators = operators(graph, builtin, tensors.size());
        int[] inputs = indices(graph.ints(1, "inputs"), tensors.size(), false, "subgraph inputs");
        int[] outputs = indices(graph.ints(2, "outputs"), tensors.size(), false, "subgraph outputs");
        return new TfliteModel(file, List.copyOf(tensors), List.copyOf(operators), inputs, outputs);
    }

    private static List<TfliteTensor> tensors(FlatBuffer.Table graph, ByteBuffer[] buffers) {
        FlatBuffer.Vector v = graph.vector(0, 4, "tensors");
        List<TfliteTensor> out = new ArrayList<>(v.length());
        for (int i = 0; i < v.length(); i++) {
            FlatBuffer.Table t = graph.tableAt(v, i, "tensors");
            String name = t.string(3, "name");
            String label = "tensor " + i + " (" + TfliteTensor.quoted(name) + ")";
            int[] shape = t.ints(0, "shape");
            long numel = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new FlatBufferException(label + " has shape "
                            + TfliteTensor.shapeText(shape));
                }
                numel = Math.min(numel * d, 1L << 40); // saturates, so it cannot overflow
            }
            long buffer = Integer.toUnsignedLong(t.int32(2, 0));
            if (buffer >= buffers.length) {
                throw new FlatBufferException(label + " refers to buffer " + buffer + " of "
                        + buffers.length);
            }
            ByteBuffer data = buffers[(int) buffer];
            if (data.limit() > 0 && numel > Integer.MAX_VALUE - 8) {
                throw new FlatBufferException(label + " of shape " + TfliteTensor.shapeText(shape)
                        + " is too large");
            }
            FlatBuffer.Table q = t.table(4, "quantization");
            Quantization quant = q == null ? null
                    : new Quantization(q.floats(2, "scale"), q.longs(3, "zero_point"), q.int32(6, 0));
            out.add(new TfliteTensor(name, shape, t.int8(1, (byte) 0), data, quant));
        }
        return out;
    }

    private static List<TfliteOperator> operators(FlatBuffer.Table graph, int[] builtin, int tensorCount) {
        FlatBuffer.Vector v = graph.vector(3, 4, "operators");
        List<TfliteOperator> out = new ArrayList<>(v.length());
        for (int i = 0; i < v.length(); i++) {
            FlatBuffer.Table op = graph.tableAt(v, i, "operators");
            long opcode = Integer.toUnsignedLong(op.int32(0, 0));
            if (opcode >= builtin.length) {
                throw new FlatBufferException("operator " + i + " has opcode index " + opcode + " of " + builtin.length);
            }
            int code = builtin[(int) opcode];
            int[] inputs = indices(op.ints(1, "inputs"), tensorCount, true, "operator " + i + " inputs");
            int[] outputs = indices(op.ints(2, "outputs"), tensorCount, false, "operator " + i + " outputs");
            TfliteOperator.ConvOptions conv = null;
            if (code == TfliteOperator.CONV_2D || code == TfliteOperator.DEPTHWISE_CONV_2D) {
                conv = convOptions(op, code == TfliteOperator.CONV_2D ? CONV_OPTIONS : DEPTHWISE_OPTIONS, i);
            }
            out.add(new TfliteOperator(code, inputs, outputs, conv));
        }
        return out;
    }

    /** Conv2DOptions (padding, stride_w, stride_h, activation, dilation_w, dilation_h) or the depthwise ones. */
    private static TfliteOperator.ConvOptions convOptions(FlatBuffer.Table op, int expectedType, int index) {
        int type = Byte.toUnsignedInt(op.int8(3, (byte) 0));
        FlatBuffer.Table o = op.table(4, "builtin_options");
        if (type != expectedType || o == null) {
            throw new FlatBufferException("convolution operator " + index + " has options of type " + type
                    + ", expected " + expectedType);
        }
        if (expectedType == CONV_OPTIONS) {
            return new TfliteOperator.ConvOptions(o.int8(0, (byte) 0), o.int32(1, 0), o.int32(2, 0), o.int8(3, (byte) 0),
                    o.int32(4, 1), o.int32(5, 1), 0);
        }
        return new TfliteOperator.ConvOptions(o.int8(0, (byte) 0), o.int32(1, 0), o.int32(2, 0), o.int8(4, (byte) 0),
                o.int32(5, 1), o.int32(6, 1), o.int32(3, 0));
    }

    private static int[] indices(int[] values, int tensorCount, boolean optional, String what) {
        for (int v : values) {
            if (v >= tensorCount || v < (optional ? -1 : 0)) {
                throw new FlatBufferException(what + " name tensor " + v + " of " + tensorCount);
            }
        }
        return values;
    }

    public Path file() {
        return file;
    }

    public List<TfliteTensor> tensors() {
        return tensors;
    }

    public TfliteTensor tensor(int index) {
        return tensors.get(index);
    }

    public List<TfliteOperator> operators() {
        return operators;
    }

    public int[] inputs() {
        return inputs.clone();
    }

    public int[] outputs() {
        return outputs.clone();
    }

    /** A constant tensor's values as float32, dequantized; see {@link TfliteTensor}. */
    public float[] dequantize(TfliteTensor tensor) throws WeightFileException {
        try {
            return tensor.dequantize();
        } catch (FlatBufferException e) {
            throw new WeightFileException(file + ": " + e.getMessage(), e);
        }
    }
}
