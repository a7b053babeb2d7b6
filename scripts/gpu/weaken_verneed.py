#!/usr/bin/env python3
"""Marks symbol-version requirements of an ELF shared object as weak (VER_FLG_WEAK).

patchelf --clear-symbol-version unbinds the symbols from a version (libcublas.so.12, say), but
the object still lists that version among those its libraries must define, and the dynamic
loader refuses a library that does not ("version `libcublas.so.12' not found"). A weak
requirement is only checked when present, so the object then loads against a newer major
version (libcublas.so.13) whose symbols carry that version's name.

    weaken_verneed.py FILE.so VERSION...
"""
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def c_string(data, offset):
    return data[offset:data.index(b"\0", offset)].decode()


def weaken(data, versions):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a little-endian 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    weakened = []
    for _, sh_type, _, _, offset, _, link, count, _, _ in sections:
        if sh_type != SHT_GNU_VERNEED:
            continue
        strtab = sections[link][4]
        need = offset
        for _ in range(count):  # sh_info holds the number of Verneed entries
            _, vn_cnt, _, vn_aux, vn_next = struct.unpack_from("<HHIII", data, need)
            aux = need + vn_aux
            for _ in range(vn_cnt):
                _, flags, _, name, vna_next = struct.unpack_from("<IHHII", data, aux)
                if c_string(data, strtab + name) in versions:
                    struct.pack_into("<H", data, aux + 4, flags | VER_FLG_WEAK)
                    weakened.append(c_string(data, strtab + name))
                aux += vna_next
            need += vn_next
    return weakened


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, versions = sys.argv[1], set(sys.argv[2:])
    with open(path, "rb") as f:
        data = bytearray(f.read())
    weakened = weaken(data, versions)
    missing = versions - set(weakened)
    if missing:
        sys.exit("%s: no version requirement named %s" % (path, ", ".join(sorted(missing))))
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
