"""Writes the kernels a gpu.binary holds (#gpu.object<..., assembly = "PTX">
or bin = "cubin") to files, one per object, and prints a line per file.

usage: gpu_objects.py IN.mlir OUT_DIR
MLIR prints the strings with \\XX escapes for bytes outside printable ASCII
(and \\\\ for a backslash); they are undone here byte for byte.
"""
import os
import re
import sys

OBJECT = re.compile(
    r'gpu\.binary @(\w+)\s*\[#gpu\.object<[^\n]*?(assembly|bin) = "((?:[^"\\]|\\.)*)"')


def unescape(text):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            if text[i + 1] == "\\" or text[i + 1] == '"':
                out.append(ord(text[i + 1]))
                i += 2
            else:
                out.append(int(text[i + 1:i + 3], 16))
                i += 3
        else:
            out.append(ord(c))
            i += 1
    return bytes(out)


def main():
    source, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    with open(source) as f:
        text = f.read()
    found = 0
    for name, kind, body in OBJECT.findall(text):
        data = unescape(body)
        path = os.path.join(out_dir, name + (".ptx" if kind == "assembly" else ".cubin"))
        with open(path, "wb") as f:
            f.write(data)
        found += 1
        print(f"{kind} {name} {len(data)} bytes -> {path}")
    print(f"objects {found}")
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
