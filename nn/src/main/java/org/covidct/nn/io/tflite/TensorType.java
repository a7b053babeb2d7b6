package org.covidct.nn.io.tflite;

/** TFLite's TensorType codes and their element sizes; only numeric types can be read. */
enum TensorType {
    FLOAT32(0, 4), FLOAT16(1, 2), INT32(2, 4), UINT8(3, 1), INT64(4, 8), INT16(7, 2), INT8(9, 1);

    final int code;
    final int bytes;

    TensorType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** The type with schema code {@code code}, or null for one this reader does not support (strings, bools). */
    static TensorType of(int code) {
        for (TensorType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
