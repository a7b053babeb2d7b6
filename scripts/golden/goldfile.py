"""Writer (and reader, for checks) of the .gold golden-fixture format; see README.md.

Layout, little-endian:
    b"CVCTGOLD"  uint32 version (=1)  uint32 entry_count
    per entry:   uint16 name_len  name (UTF-8)  uint8 rank  int32 dims[rank]  float32 data[prod(dims)]
Integer data (targets, strides, flags) are stored as float32 tensors too.
"""
import os
import struct

import numpy as np

MAGIC = b"CVCTGOLD"
VERSION = 1


def _as_array(value):
    try:
        import torch
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
    except ImportError:  # pragma: no cover - torch is always there for the generators
        pass
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or np.issubdtype(arr.dtype, np.integer):
        if arr.size and np.max(np.abs(arr.astype(np.int64))) > 2 ** 24:
            raise ValueError("integer value too large to store exactly as float32")
    return np.array(arr, dtype="<f4", order="C", copy=True)  # keeps rank 0 (ascontiguousarray would not)


class GoldWriter:
    """Collects named float32 tensors in insertion order and writes them as one .gold file."""

    def __init__(self):
        self._entries = {}

    def add(self, name, value):
        if name in self._entries:
            raise KeyError("duplicate entry " + name)
        encoded = name.encode("utf-8")
        if not encoded or len(encoded) > 0xFFFF:
            raise ValueError("bad entry name %r" % name)
        arr = _as_array(value)
        if arr.ndim > 255:
            raise ValueError("rank too large for " + name)
        self._entries[name] = arr
        return self

    def scalar(self, name, value):
        return self.add(name, np.float32(value))

    def __contains__(self, name):
        return name in self._entries

    def write(self, path):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as f:
            f.write(MAGIC)
            f.write(struct.pack("<II", VERSION, len(self._entries)))
            for name, arr in self._entries.items():
                encoded = name.encode("utf-8")
                f.write(struct.pack("<H", len(encoded)))
                f.write(encoded)
                f.write(struct.pack("<B", arr.ndim))
                if arr.ndim:
                    f.write(struct.pack("<%di" % arr.ndim, *arr.shape))
                f.write(arr.tobytes(order="C"))
        return path


def read_gold(path):
    """Reads a .gold file into an ordered dict name -> float32 numpy array (for checks)."""
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:8] != MAGIC:
        raise ValueError(path + ": bad magic")
    version, count = struct.unpack_from("<II", buf, 8)
    if version != VERSION:
        raise ValueError("%s: unsupported version %d" % (path, version))
    pos = 16
    out = {}
    for _ in range(count):
        (n,) = struct.unpack_from("<H", buf, pos)
        pos += 2
        name = buf[pos:pos + n].decode("utf-8")
        pos += n
        rank = buf[pos]
        pos += 1
        dims = struct.unpack_from("<%di" % rank, buf, pos) if rank else ()
        pos += 4 * rank
        numel = int(np.prod(dims)) if rank else 1
        out[name] = np.frombuffer(buf, "<f4", numel, pos).reshape(dims).copy()
        pos += 4 * numel
    if pos != len(buf):
        raise ValueError(path + ": trailing bytes")
    return out
