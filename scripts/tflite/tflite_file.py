"""A minimal reader of TFLite FlatBuffer files: tensors, buffers, quantization and operators.

Written against the TFLite schema (schema.fbs) with struct only, independent of the Java reader,
so that the reference logits it feeds are an independent check. Field numbers are the schema's
declaration order; a union takes two slots (its type byte, then the table).
"""
import struct

import numpy as np

# BuiltinOperator codes used by the MobileNet files.
OPS = {0: "ADD", 1: "AVERAGE_POOL_2D", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D", 6: "DEQUANTIZE",
       9: "FULLY_CONNECTED", 14: "LOGISTIC", 19: "RELU", 21: "RELU6", 22: "RESHAPE", 25: "SOFTMAX",
       34: "PAD", 40: "MEAN", 43: "SQUEEZE", 114: "QUANTIZE"}
# TensorType -> numpy dtype.
TYPES = {0: np.float32, 2: np.int32, 3: np.uint8, 4: np.int64, 9: np.int8, 7: np.int16}
ACTIVATIONS = {0: None, 1: "RELU", 3: "RELU6"}


class Table:
    def __init__(self, buf, pos):
        self.buf = buf
        self.pos = pos
        (soff,) = struct.unpack_from("<i", buf, pos)
        self.vt = pos - soff
        self.vt_size, _ = struct.unpack_from("<HH", buf, self.vt)

    def _field(self, index):
        off = 4 + 2 * index
        if off + 2 > self.vt_size:
            return 0
        (rel,) = struct.unpack_from("<H", self.buf, self.vt + off)
        return rel

    def scalar(self, index, fmt, default=0):
        rel = self._field(index)
        return struct.unpack_from("<" + fmt, self.buf, self.pos + rel)[0] if rel else default

    def _indirect(self, index):
        rel = self._field(index)
        if not rel:
            return None
        at = self.pos + rel
        return at + struct.unpack_from("<I", self.buf, at)[0]

    def table(self, index):
        at = self._indirect(index)
        return None if at is None else Table(self.buf, at)

    def vector(self, index, fmt):
        at = self._indirect(index)
        if at is None:
            return []
        (n,) = struct.unpack_from("<I", self.buf, at)
        return list(struct.unpack_from("<%d%s" % (n, fmt), self.buf, at + 4))

    def bytes(self, index):
        at = self._indirect(index)
        if at is None:
            return b""
        (n,) = struct.unpack_from("<I", self.buf, at)
        return self.buf[at + 4:at + 4 + n]

    def string(self, index):
        return self.bytes(index).decode("utf-8")

    def tables(self, index):
        at = self._indirect(index)
        if at is None:
            return []
        (n,) = struct.unpack_from("<I", self.buf, at)
        out = []
        for i in range(n):
            e = at + 4 + 4 * i
            out.append(Table(self.buf, e + struct.unpack_from("<I", self.buf, e)[0]))
        return out


class Tensor:
    def __init__(self, t, buffers):
        self.shape = t.vector(0, "i")
        self.type = t.scalar(1, "b")
        self.name = t.string(3)
        raw = buffers[t.scalar(2, "I")]
        self.data = np.frombuffer(raw, TYPES[self.type]).reshape(self.shape) if raw else None
        q = t.table(4)
        self.scale = np.array(q.vector(2, "f"), np.float64) if q else np.zeros(0)
        self.zero_point = np.array(q.vector(3, "q"), np.int64) if q else np.zeros(0, np.int64)
        self.quantized_dimension = q.scalar(6, "i") if q else 0

    def dequantized(self):
        """real = scale * (q - zero_point), per tensor or per channel along quantized_dimension, in float64."""
        q = self.data.astype(np.float64)
        if self.type == 0 or self.scale.size == 0:
            return q
        shape = [1] * q.ndim
        if self.scale.size > 1:
            shape[self.quantized_dimension] = self.scale.size
        return self.scale.reshape(shape) * (q - self.zero_point.reshape(shape))


class Operator:
    def __init__(self, op, codes):
        self.code = codes[op.scalar(0, "I")]
        self.name = OPS.get(self.code, str(self.code))
        self.inputs = op.vector(1, "i")
        self.outputs = op.vector(2, "i")
        self.options = op.table(4)


def read(path):
    """The first subgraph of a .tflite file: (tensors, operators, input indices, output indices)."""
    with open(path, "rb") as f:
        buf = f.read()
    if buf[4:8] != b"TFL3":
        raise ValueError(path + ": not a TFLite file")
    model = Table(buf, struct.unpack_from("<I", buf, 0)[0])
    codes = [max(c.scalar(0, "b"), c.scalar(3, "i")) for c in model.tables(1)]
    buffers = [b.bytes(0) for b in model.tables(4)]
    graph = model.tables(2)[0]
    tensors = [Tensor(t, buffers) for t in graph.tables(0)]
    operators = [Operator(o, codes) for o in graph.tables(3)]
    return tensors, operators, graph.vector(1, "i"), graph.vector(2, "i")
