"""Buffers the train step of an MSD stack allocates and copies, by depth.

usage: count_buffers.py CSCC CSC_OPT MODEL [--check counts|bytes]

For MSDNet (examples/paper/msdnet_d6.csc at -D w=4) of depth 3, 6, 9, 12,
`cscc grad --emit=cst` gives @train_step (forward and generated backward);
it is bufferized by cscc's own pipeline (csc-opt --cscc-cst-to-buffers:
everything before deallocation and LLVM) and the memref.alloc and
memref.copy ops of activations (memrefs with the dynamic batch) are
counted, with their sizes per image.

--check counts: the number of buffers and of copies grows by the same
amount per layer (linear in depth, not quadratic).
--check bytes: the elements copied per image grow linearly in depth too,
i.e. no concatenation copies the code before it (that would make it
quadratic: layer l would copy all C0 + l*w channels); what is left is
each layer's w new convolution channels and the model input.
"""
import argparse
import re
import subprocess
import sys

PIPE = "builtin.module(cscc-cst-to-buffers)"  # cscc's own pipeline
ALLOC = re.compile(r"memref\.alloc\([^)]*\)(?: \{[^}]*\})? : memref<([^>]*)>")
COPY = re.compile(r"memref\.copy %\S+, %\S+ : memref<([^,>]*)")


def per_image(shape):
    n = 1
    for d in shape.split("x")[:-1]:
        if d != "?":
            n *= int(d)
    return n


ap = argparse.ArgumentParser()
ap.add_argument("cscc")
ap.add_argument("csc_opt")
ap.add_argument("model")
ap.add_argument("--check", choices=["counts", "bytes"], required=True)
a = ap.parse_args()

rows = []
for depth in (3, 6, 9, 12):
    cst = subprocess.run([a.cscc, "grad", a.model, "-D", "d=%d" % depth,
                          "-D", "w=4", "--emit=cst"], capture_output=True,
                         text=True, check=True).stdout
    out = subprocess.run([a.csc_opt, "--pass-pipeline=" + PIPE], input=cst,
                         capture_output=True, text=True, check=True).stdout
    allocs = [m for m in ALLOC.findall(out) if m.startswith("?")]
    copies = [m for m in COPY.findall(out) if m.startswith("?")]
    rows.append((depth, len(allocs), sum(map(per_image, allocs)),
                 len(copies), sum(map(per_image, copies))))

print("depth  buffers  elements/image  copies  copied elements/image")
for r in rows:
    print("%5d %8d %15d %7d %22d" % r)


def linear(col):
    steps = [rows[i + 1][col] - rows[i][col] for i in range(len(rows) - 1)]
    return len(set(steps)) == 1, steps


ok = True
cols = {"counts": [(1, "buffers"), (3, "copies")],
        "bytes": [(4, "copied elements/image")]}[a.check]
for col, what in cols:
    is_linear, steps = linear(col)
    print("%s per 3 layers: %s -> %s" % (what, steps,
                                         "linear" if is_linear else "NOT linear"))
    ok &= is_linear
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
