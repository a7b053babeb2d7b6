#!/usr/bin/env python3
"""Lists the cuBLAS / cuDNN functions exported by NVIDIA's real shared libraries.

The libraries come from bytedeco's CUDA redist jars on Maven Central. Those jars are
about 2 GB, so only the zip's central directory and the wanted entries are read, with
HTTP range requests. Each entry is inflated to a temporary file and its dynamic symbol
table is listed with `nm -D --defined-only` (binutils). The output, one sorted list per
library, is what CudaSymbolsTest checks the C functions reached through JCuda against.

Usage: extract.py [--out DIR] [--keep DIR] [--verify-cudnn-shim]
Stdlib only; needs `nm` on PATH.
"""

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import urllib.request
import zlib

CENTRAL = "https://repo1.maven.org/maven2"

# (groupId, artifactId, version, classifier)
CUDA_12 = ("org.bytedeco", "cuda", "12.6-9.5-1.5.11", "linux-x86_64-redist")
ENTRY_DIR = "org/bytedeco/cuda/linux-x86_64/"

# (artifact, library file name, symbol prefix). libcublas.so.13 is missing on purpose:
# bytedeco's CUDA 13 builds (13.1-9.19-1.5.13, 13.3-9.25-1.5.14) publish the
# cuda-redist jar without cuBLAS or cuDNN, and their cuda-redist-cublas /
# cuda-redist-cudnn artifacts are not on Maven Central. Add a row here once one is.
LIBRARIES = [
    (CUDA_12, "libcublas.so.12", "cublas"),
    # In cuDNN 9 libcudnn.so.9 is a shim that exports the whole API and forwards to the
    # sub-libraries (libcudnn_cnn.so.9, libcudnn_ops.so.9, ...) it loads at run time,
    # so the symbols an application binds to are the shim's (see --verify-cudnn-shim).
    (CUDA_12, "libcudnn.so.9", "cudnn"),
]

# Legacy API functions looked up in the cuDNN 9 sub-libraries by --verify-cudnn-shim.
SHIM_PROBES = ["cudnnConvolutionForward", "cudnnBatchNormalizationForwardTraining"]
SHIM_SUBLIBS = ["libcudnn_cnn.so.9", "libcudnn_ops.so.9"]

CHUNK = 8 << 20


def jar_url(art):
    group, artifact, version, classifier = art
    return "%s/%s/%s/%s/%s-%s-%s.jar" % (
        CENTRAL, group.replace(".", "/"), artifact, version, artifact, version, classifier)


def coords(art):
    return ":".join(art)


def read_range(url, start, end):
    """Bytes start..end (inclusive) of url."""
    req = urllib.request.Request(url, headers={"Range": "bytes=%d-%d" % (start, end)})
    with urllib.request.urlopen(req) as resp:
        if resp.status != 206:
            sys.exit("%s: server ignored the Range header (HTTP %d)" % (url, resp.status))
        data = resp.read()
    if len(data) != end - start + 1:
        sys.exit("%s: short read at %d" % (url, start))
    return data


def content_length(url):
    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD")) as resp:
        return int(resp.headers["Content-Length"])


def central_directory(url):
    """{entry name: (method, compressed size, uncompressed size, crc32, local header offset)}."""
    size = content_length(url)
    # The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
    tail_start = max(0, size - 22 - 65535 - 20)
    tail = read_range(url, tail_start, size - 1)
    eocd = tail.rfind(b"PK\x05\x06")
    if eocd < 0:
        sys.exit(url + ": no end-of-central-directory record")
    count, cd_size, cd_offset = struct.unpack("<HII", tail[eocd + 10:eocd + 20])
    # Jars over 4 GiB or 65535 entries put the real values in the zip64 record.
    locator = eocd - 20
    if locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":
        z64_offset = struct.unpack("<Q", tail[locator + 8:locator + 16])[0]
        z64 = read_range(url, z64_offset, z64_offset + 55)
        if z64[:4] != b"PK\x06\x06":
            sys.exit(url + ": bad zip64 end-of-central-directory record")
        count, cd_size, cd_offset = struct.unpack("<QQQ", z64[32:56])
    cd = read_range(url, cd_offset, cd_offset + cd_size - 1)
    entries = {}
    pos = 0
    for _ in range(count):
        if cd[pos:pos + 4] != b"PK\x01\x02":
            sys.exit(url + ": bad central directory entry")
        (method, crc, csize, usize, name_len, extra_len, comment_len,
         local_offset) = struct.unpack("<10xH4xIIIHHH8xI", cd[pos:pos + 46])
        name = cd[pos + 46:pos + 46 + name_len].decode("utf-8")
        extra = cd[pos + 46 + name_len:pos + 46 + name_len + extra_len]
        csize, usize, local_offset = zip64_sizes(extra, csize, usize, local_offset)
        entries[name] = (method, csize, usize, crc, local_offset)
        pos += 46 + name_len + extra_len + comment_len
    return entries


def zip64_sizes(extra, csize, usize, local_offset):
    """Replaces 0xFFFFFFFF placeholders with the values in the zip64 extra field."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack("<HH", extra[pos:pos + 4])
        if tag == 0x0001:
            field = extra[pos + 4:pos + 4 + length]
            values = [struct.unpack("<Q", field[i:i + 8])[0] for i in range(0, len(field) - 7, 8)]
            if usize == 0xFFFFFFFF:
                usize = values.pop(0)
            if csize == 0xFFFFFFFF:
                csize = values.pop(0)
            if local_offset == 0xFFFFFFFF:
                local_offset = values.pop(0)
        pos += 4 + length
    return csize, usize, local_offset


def fetch_entry(url, entry, dest):
    """Inflates one zip entry of url into the file dest, reading only its bytes."""
    method, csize, usize, crc, local_offset = entry
    header = read_range(url, local_offset, local_offset + 29)
    if header[:4] != b"PK\x03\x04":
        sys.exit(url + ": bad local file header")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = local_offset + 30 + name_len + extra_len
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if method == 8 else None
    if method not in (0, 8):
        sys.exit("%s: unsupported compression method %d" % (url, method))
    written = 0
    check = 0
    with open(dest, "wb") as out:
        for offset in range(start, start + csize, CHUNK):
            data = read_range(url, offset, min(offset + CHUNK, start + csize) - 1)
            if inflater is not None:
                data = inflater.decompress(data)
            out.write(data)
            written += len(data)
            check = zlib.crc32(data, check)
        if inflater is not None:
            rest = inflater.flush()
            out.write(rest)
            written += len(rest)
            check = zlib.crc32(rest, check)
    if written != usize or check != crc:
        sys.exit("%s: entry inflated to %d bytes, crc %08x; expected %d, %08x"
                 % (url, written, check, usize, crc))


def exported_functions(path, prefix):
    """Sorted names of the functions path defines in its dynamic symbol table."""
    out = subprocess.run(["nm", "-D", "--defined-only", path],
                         check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        # "<value> <type> <name>"; T/W/i are code (global, weak, indirect function).
        if len(parts) != 3 or parts[1] not in ("T", "W", "i"):
            continue
        name = parts[2].split("@", 1)[0]
        if name.startswith(prefix):
            names.add(name)
    return sorted(names)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.normpath(
        os.path.join(here, "..", "..", "tensor", "cuda", "src", "test", "resources", "cuda-symbols"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=default_out, help="where the .txt lists go")
    parser.add_argument("--keep", help="keep the fetched libraries in this folder")
    parser.add_argument("--verify-cudnn-shim", action="store_true",
                        help="also fetch the cuDNN 9 sub-libraries and show where the "
                             "legacy convolution / batch-norm functions are defined")
    args = parser.parse_args()

    work = args.keep or tempfile.mkdtemp(prefix="cuda-symbols-")
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    directories = {}
    try:
        def library(art, lib):
            url = jar_url(art)
            if url not in directories:
                directories[url] = central_directory(url)
            entry_path = ENTRY_DIR + lib
            if entry_path not in directories[url]:
                sys.exit("%s has no entry %s" % (coords(art), entry_path))
            dest = os.path.join(work, lib)
            if not os.path.exists(dest):
                print("fetching %s!/%s" % (coords(art), entry_path), file=sys.stderr)
                fetch_entry(url, directories[url][entry_path], dest)
            return dest, entry_path

        for art, lib, prefix in LIBRARIES:
            path, entry_path = library(art, lib)
            names = exported_functions(path, prefix)
            target = os.path.join(args.out, lib + ".txt")
            with open(target, "w") as f:
                f.write("# %s %s (exported functions named %s*, from nm -D --defined-only)\n"
                        % (coords(art), entry_path, prefix))
                f.write("".join(n + "\n" for n in names))
            print("%s: %d symbols" % (target, len(names)))

        if args.verify_cudnn_shim:
            shim = set(exported_functions(library(CUDA_12, "libcudnn.so.9")[0], "cudnn"))
            for sub in SHIM_SUBLIBS:
                defined = set(exported_functions(library(CUDA_12, sub)[0], "cudnn"))
                for probe in SHIM_PROBES:
                    print("%-40s shim libcudnn.so.9: %-3s %s: %s"
                          % (probe, "yes" if probe in shim else "no", sub,
                             "yes" if probe in defined else "no"))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
