#!/usr/bin/env python3
"""Writes the image-decoding fixtures of nn/src/test/resources/images/decode/.

Each case is an input file plus, when it decodes, the RGB image Pillow makes of it with
Image.open(path).convert("RGB"), saved as an 8-bit RGB PNG. cases.txt lists them, one per line:

    <input> <expected.png>
    <input> ERROR <word that the error message must contain>

PNG inputs are written by the small encoder below (every colour type and bit depth, all five
row filters, Adam7 interlacing, split IDAT chunks, ancillary chunks), so that the bit-level
layouts Pillow reads are covered. JPEG inputs are written by Pillow, and so are BMP inputs, plus
hand-made BMP layouts Pillow reads but does not write (top-down rows, a V5 header, 32-bit bit fields). Run from the repository root
with a python3 that has Pillow 9.4 and numpy (Debian bookworm's python3-pil):
    python3 scripts/images/make_decode_fixtures.py
"""
import io
import os
import struct
import warnings
import zlib

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "nn", "src", "test", "resources", "images", "decode")
RNG = np.random.RandomState(20200401)
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(samples, depth):
    """One row of samples (1-D int array) as PNG bytes."""
    if depth == 16:
        return samples.astype(">u2").tobytes()
    if depth == 8:
        return samples.astype(np.uint8).tobytes()
    per = 8 // depth
    padded = np.zeros(-(-len(samples) // per) * per, dtype=np.int64)
    padded[:len(samples)] = samples
    out = bytearray()
    for i in range(0, len(padded), per):
        b = 0
        for v in padded[i:i + per]:
            b = (b << depth) | int(v)
        out.append(b)
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prev, bpp):
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (x - pred) & 0xFF
    return bytes([kind]) + bytes(out)


def encode_png(pixels, depth, ctype, extra_before=b"", extra_after=b"", interlace=False, idat_parts=1):
    """pixels: (H, W, C) integer array of raw samples."""
    h, w = pixels.shape[:2]
    bpp = max(1, CHANNELS[ctype] * depth // 8)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    raw = bytearray()
    row_index = 0
    for x0, y0, dx, dy in passes:
        sub = pixels[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        prev = None
        for r in range(sub.shape[0]):
            row = pack_row(sub[r].reshape(-1), depth)
            if prev is None:
                prev = bytes(len(row))
            raw += filter_row(row_index % 5, row, prev, bpp)
            prev = row
            row_index += 1
    data = zlib.compress(bytes(raw), 9)
    cut = [len(data) * k // idat_parts for k in range(idat_parts + 1)]
    idats = b"".join(chunk(b"IDAT", data[cut[k]:cut[k + 1]]) for k in range(idat_parts))
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 1 if interlace else 0))
    return b"\x89PNG\r\n\x1a\n" + header + extra_before + idats + extra_after + chunk(b"IEND", b"")


def gradient(h, w, maxval, channels):
    y, x = np.mgrid[0:h, 0:w]
    planes = [(x * 7 + y * 13 + 29 * c) % (maxval + 1) for c in range(channels)]
    return np.stack(planes, axis=-1).astype(np.int64)


def noise(h, w, maxval, channels):
    return RNG.randint(0, maxval + 1, size=(h, w, channels)).astype(np.int64)


def icc_linear_rgb():
    """A minimal ICC v2 RGB display profile: sRGB primaries (D50) with linear (gamma 1.0) curves."""
    def s15(v):
        return struct.pack(">i", int(round(v * 65536)))

    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)

    desc_text = b"linear RGB test profile\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(desc_text)) + desc_text + b"\0" * 8 + b"\0" * 3 + b"\0" * 67
    curve = b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", 0x0100) + b"\0\0"
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)), (b"cprt", b"text" + b"\0" * 4 + b"none\0\0\0\0"),
            (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)), (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
            (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table = struct.pack(">I", len(tags))
    body = b""
    for sig, data in tags:
        while len(data) % 4:
            data += b"\0"
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + struct.pack(">6H", 2020, 4, 1, 0, 0, 0) + b"acsp" + b"\0" * 4 + b"\0" * 4 + b"\0" * 8 + b"\0" * 8
              + struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 4 + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + table + body


def photo(h, w):
    """A smooth colour picture with a few sharp features, for JPEG inputs."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / 7.0) * np.cos(y / 11.0)
    g = 255 * x / max(1, w - 1)
    b = 255 * (y / max(1, h - 1)) ** 2
    img = np.stack([r, g, b], axis=-1)
    img[h // 3:h // 3 + 5, :, :] = [250, 20, 30]
    img[:, w // 2:w // 2 + 3, :] = [10, 240, 60]
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def main():
    warnings.filterwarnings("ignore", message="Palette images with Transparency")
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    lines = []

    def ok(name, data):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        expected = name.rsplit(".", 1)[0] + ".expected.png"
        Image.open(io.BytesIO(data)).convert("RGB").save(os.path.join(OUT, expected))
        lines.append("%s %s" % (name, expected))

    def bad(name, data, word):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        lines.append("%s ERROR %s" % (name, word))

    h, w = 11, 13
    for depth in (1, 2, 4, 8):
        ok("gray%d.png" % depth, encode_png(noise(h, w, 2 ** depth - 1, 1), depth, 0))
    ok("gray16.png", encode_png(noise(h, w, 65535, 1), 16, 0))
    small = noise(h, w, 400, 1)
    ok("gray16_low.png", encode_png(small, 16, 0))
    ok("gray16_interlaced.png", encode_png(noise(h, w, 300, 1), 16, 0, interlace=True))
    ok("gray8_trns.png", encode_png(noise(h, w, 255, 1), 8, 0, extra_before=chunk(b"tRNS", b"\0\x20")))
    ok("gray2_trns.png", encode_png(noise(h, w, 3, 1), 2, 0, extra_before=chunk(b"tRNS", b"\0\x01")))
    ok("rgb8.png", encode_png(noise(h, w, 255, 3), 8, 2))
    ok("rgb16.png", encode_png(noise(h, w, 65535, 3), 16, 2))
    ok("rgb8_interlaced.png", encode_png(noise(17, 19, 255, 3), 8, 2, interlace=True))
    ok("rgb8_trns.png", encode_png(noise(h, w, 255, 3), 8, 2, extra_before=chunk(b"tRNS", b"\0\1\0\2\0\3")))
    ok("rgb8_split_idat.png", encode_png(gradient(23, 29, 255, 3), 8, 2, idat_parts=4))
    text = chunk(b"gAMA", struct.pack(">I", 45455)) + chunk(b"tEXt", b"Comment\0fixture")
    ok("rgb8_ancillary.png", encode_png(noise(h, w, 255, 3), 8, 2, extra_before=text,
                                        extra_after=chunk(b"tEXt", b"After\0data")))
    for depth in (1, 2, 4, 8):
        entries = 2 ** depth if depth < 8 else 200
        palette = RNG.randint(0, 256, size=entries * 3).astype(np.uint8).tobytes()
        ok("palette%d.png" % depth, encode_png(noise(h, w, entries - 1, 1), depth, 3,
                                              extra_before=chunk(b"PLTE", palette)))
    palette = RNG.randint(0, 256, size=6 * 3).astype(np.uint8).tobytes()
    ok("palette4_short.png", encode_png(noise(h, w, 15, 1), 4, 3, extra_before=chunk(b"PLTE", palette)))
    palette = RNG.randint(0, 256, size=256 * 3).astype(np.uint8).tobytes()
    ok("palette8_trns.png", encode_png(noise(h, w, 255, 1), 8, 3, extra_before=chunk(b"PLTE", palette)
                                        + chunk(b"tRNS", bytes(range(0, 256, 3)))))
    ok("palette8_interlaced.png", encode_png(noise(9, 10, 255, 1), 8, 3, interlace=True,
                                             extra_before=chunk(b"PLTE", palette)))
    ok("gray_alpha8.png", encode_png(noise(h, w, 255, 2), 8, 4))
    ok("gray_alpha16.png", encode_png(noise(h, w, 65535, 2), 16, 4))
    ok("rgba8.png", encode_png(noise(h, w, 255, 4), 8, 6))
    ok("rgba16.png", encode_png(noise(h, w, 65535, 4), 16, 6))
    ok("rgba8_interlaced.png", encode_png(noise(5, 3, 255, 4), 8, 6, interlace=True))
    ok("one_pixel.png", encode_png(noise(1, 1, 255, 3), 8, 2, interlace=True))
    complete = encode_png(noise(h, w, 255, 3), 8, 2)
    ok("rgb8_no_iend.png", complete[:-12])

    bad("truncated.png", complete[:len(complete) // 2], "truncated")
    broken = bytearray(complete)
    broken[20] ^= 0x01
    bad("bad_crc.png", bytes(broken), "CRC")
    bad("signature_only.png", complete[:8], "truncated")

    pic = Image.fromarray(photo(37, 45))

    def jpeg(img, **kw):
        b = io.BytesIO()
        img.save(b, "JPEG", **kw)
        return b.getvalue()

    ok("jpeg420.jpg", jpeg(pic, quality=90))
    ok("jpeg422.jpg", jpeg(pic, quality=90, subsampling=1))
    ok("jpeg444.jpg", jpeg(pic, quality=95, subsampling=0))
    ok("jpeg_gray.jpg", jpeg(pic.convert("L"), quality=85))
    ok("jpeg_progressive.jpg", jpeg(pic, quality=88, progressive=True))
    ok("jpeg_progressive_gray.jpg", jpeg(pic.convert("L"), quality=88, progressive=True))
    ok("jpeg_named.png", jpeg(pic, quality=80))
    ok("jpeg_icc.jpg", jpeg(pic, quality=92, icc_profile=icc_linear_rgb()))
    good = jpeg(pic, quality=90)
    bad("cmyk.jpg", jpeg(pic.convert("CMYK"), quality=90), "CMYK")
    bad("jpeg_truncated.jpg", good[:len(good) // 2], "truncated")
    bad("jpeg_no_eoi.jpg", good[:-2], "truncated")
    bad("jpeg_header_only.jpg", good[:200], "truncated")
    def bmp(img):
        b = io.BytesIO()
        img.save(b, "BMP")
        return b.getvalue()

    def with_header(data, size, top_down=False, bitfields=False):
        """A Pillow BMP (40-byte header) rewritten with a longer info header, top-down rows, or
        32-bit bit fields (their masks inside a V2+ header, or after a 40-byte one)."""
        offset, = struct.unpack_from("<I", data, 10)
        w, h = struct.unpack_from("<ii", data, 18)
        info = bytearray(data[14:54]) + bytes(size - 40)
        struct.pack_into("<I", info, 0, size)
        masks = struct.pack("<III", 0x00FF0000, 0x0000FF00, 0x000000FF)
        if bitfields:
            struct.pack_into("<I", info, 16, 3)
            if size >= 52:
                info[40:52] = masks
            else:
                info += masks
        pixels = data[offset:]
        if top_down:
            struct.pack_into("<i", info, 8, -h)
            stride = len(pixels) // h
            pixels = b"".join(pixels[r * stride:(r + 1) * stride] for r in reversed(range(h)))
        table = data[54:offset]
        start = 14 + len(info) + len(table)
        return b"BM" + struct.pack("<IHHI", start + len(pixels), 0, 0, start) + bytes(info) + table + pixels

    odd = Image.fromarray(photo(9, 7))  # 7 pixels of 3 bytes: rows padded to 24 bytes
    ok("bmp24.bmp", bmp(odd))
    ok("bmp32.bmp", bmp(Image.fromarray(noise(5, 6, 255, 4).astype(np.uint8), "RGBA")))
    ok("bmp8_gray.bmp", bmp(odd.convert("L")))
    ok("bmp8_palette.bmp", bmp(odd.convert("P", palette=Image.ADAPTIVE, colors=23)))
    ok("bmp1.bmp", bmp(odd.convert("1")))
    ok("bmp24_v5_header.bmp", with_header(bmp(odd), 124))
    ok("bmp24_top_down.bmp", with_header(bmp(odd), 40, top_down=True))
    rgba = bmp(Image.fromarray(noise(4, 3, 255, 4).astype(np.uint8), "RGBA"))
    ok("bmp32_bitfields.bmp", with_header(rgba, 40, bitfields=True))
    ok("bmp32_bitfields_v4_header.bmp", with_header(rgba, 108, bitfields=True))
    ok("bmp8_palette_v5_header.bmp", with_header(bmp(odd.convert("P", palette=Image.ADAPTIVE, colors=23)), 124))
    rle = bytearray(bmp(odd.convert("L")))
    struct.pack_into("<I", rle, 30, 1)
    bad("bmp_rle8.bmp", bytes(rle), "compression")
    full = bmp(odd)
    bad("bmp_truncated.bmp", full[:len(full) - 30], "truncated")
    bad("not_an_image.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "unknown image format")
    bad("empty.png", b"", "empty")

    with open(os.path.join(OUT, "cases.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
