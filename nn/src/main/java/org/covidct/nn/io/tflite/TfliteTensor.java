package org.covidct.nn.io.tflite;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One tensor of a TFLite subgraph: its name, shape (NHWC for activations, OHWI for convolution
 * weights, 1HWC for depthwise weights), element type, constant data (empty for activations) and
 * quantization (null when it has none).
 */
public final class TfliteTensor {
    private final String name;
    private final int[] shape;
    private final int typeCode;
    private final ByteBuffer data;
    private final Quantization quantization;

    TfliteTensor(String name, int[] shape, int typeCode, ByteBuffer data, Quantization quantization) {
        this.name = name;
        this.shape = shape;
        this.typeCode = typeCode;
        this.data = data;
        this.quantization = quantization;
    }

    /** A name from the file fit for a one-line message: quoted, control characters escaped, at most 100 chars. */
    static String quoted(String name) {
        StringBuilder sb = new StringBuilder("'");
        name.codePoints().limit(100).forEach(c -> {
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append(name.length() > 100 ? "...'" : "'").toString();
    }

    /** A shape from the file fit for a one-line message: its first eight dimensions, then the count. */
    static String shapeText(int[] shape) {
        if (shape.length <= 8) {
            return Arrays.toString(shape);
        }
        return Arrays.toString(Arrays.copyOf(shape, 8)).replace("]", ", ... (" + shape.length + " dimensions)]");
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The schema's TensorType code (0 float32, 2 int32, 3 uint8, 9 int8, ...). */
    public int typeCode() {
        return typeCode;
    }

    public boolean hasData() {
        return data.limit() > 0;
    }

    /** The quantization, or null. */
    public Quantization quantization() {
        return quantization;
    }

    /** Whether the constant data has exactly the bytes its shape and a readable type need. */
    boolean dataFitsShape() {
        TensorType type = TensorType.of(typeCode);
        return type != null && hasData() && numel() * type.bytes == data.limit();
    }

    public long numel() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * The constant data as float32 in the tensor's row-major order, dequantized as
     * real = scale * (q - zero_point) with the scale of each element's channel when per-channel;
     * unquantized tensors are converted as they are.
     */
    float[] dequantize() {
        TensorType type = TensorType.of(typeCode);
        if (type == null) {
            throw new FlatBufferException("tensor " + quoted(name) + " has element type " + typeCode
                    + ", which holds no numbers to read");
        }
        long numel = numel();
        if (!hasData() || numel * type.bytes != data.limit()) {
            throw new FlatBufferException("tensor " + quoted(name) + " of shape " + shapeText(shape) + " and type "
                    + type + " needs " + numel * type.bytes + " bytes of data, its buffer holds " + data.limit());
        }
        float[] out = new float[(int) numel];
        Quantization q = quantization;
        if (q != null && q.scales().length > 0) {
            String problem = q.problemWith(shape);
            if (problem != null) {
                throw new FlatBufferException("tensor " + quoted(name) + " has an invalid quantization: " + problem);
            }
        } else {
            q = null;
        }
        // Per-channel: element i's channel along the axis is (i / inner) % channels.
        int inner = 1;
        if (q != null && q.perChannel()) {
            for (int d = q.axis() + 1; d < shape.length; d++) {
                inner *= shape[d];
            }
        }
        int channels = q == null ? 1 : q.scales().length;
        for (int i = 0; i < out.length; i++) {
            double v = raw(type, i);
            if (q != null) {
                int ch = channels == 1 ? 0 : (i / inner) % channels;
                v = q.scale(ch) * (v - q.zeroPoint(ch));
            }
            out[i] = (float) v;
        }
        return out;
    }

    private double raw(TensorType type, int i) {
        return switch (type) {
            case FLOAT32 -> data.getFloat(4 * i);
            case FLOAT16 -> Float.float16ToFloat(data.getShort(2 * i));
            case INT32 -> data.getInt(4 * i);
            case UINT8 -> Byte.toUnsignedInt(data.get(i));
            case INT64 -> data.getLong(8 * i);
            case INT16 -> data.getShort(2 * i);
            case INT8 -> data.get(i);
        };
    }

    @Override
    public String toString() {
        return "TfliteTensor[" + quoted(name) + " " + shapeText(shape) + " type " + typeCode + "]";
    }
}
