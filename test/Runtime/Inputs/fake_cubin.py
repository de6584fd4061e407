"""Writes the 64-byte ELF header of a cubin (64-bit, little-endian,
EM_CUDA = 190) with the given ELF ABI version and e_flags, to test how the
CUDA runtime reads the GPU a cubin was compiled for (it never loads these).

usage: fake_cubin.py OUT ABI_VERSION E_FLAGS
"""
import struct
import sys

out, abi, flags = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 0)
ident = b"\x7fELF" + bytes([2, 1, 1, 0x33, abi]) + bytes(7)  # OSABI CUDA
header = ident + struct.pack("<HHIQQQIHHHHHH", 1, 190, 1, 0, 0, 0, flags,
                             64, 0, 0, 64, 0, 0)
assert len(header) == 64
with open(out, "wb") as f:
    f.write(header)
