"""Checks that each learned parameter's update is one fused loop writing
straight into the caller's buffers.

Usage: update_loops.py TENSOR_LEVEL.mlir BUFFERS.mlir [FUNCTION]

TENSOR_LEVEL.mlir is the output of cst-optimizer (the signature of
@train_update names every result: cst.updated, cst.opt_state);
BUFFERS.mlir the same module after cscc's bufferization pipeline
(--cscc-cst-to-buffers), where each result is a caller-owned argument
`cscc.result = i`. For every parameter NAME it checks that exactly one
linalg.generic writes the buffer of its new value, that this same loop
writes the buffers of all of NAME's new optimiser state and nothing else,
and that nothing else (copies, calls, other loops) writes any of them.
Prints one line per parameter and a summary; exits 1 on any violation.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlir_signature import signature, split_top  # noqa: E402


def function_text(ir, name):
    start = ir.index("func.func @%s(" % name)
    end = ir.find("\n  func.func ", start + 1)
    return ir[start:] if end < 0 else ir[start:end]


def main():
    tensor_ir = open(sys.argv[1]).read()
    buf_ir = open(sys.argv[2]).read()
    name = sys.argv[3] if len(sys.argv) > 3 else "train_update"
    _, results = signature(tensor_ir, name)
    fn = function_text(buf_ir, name)
    header = fn[:fn.index("{\n")]
    args = split_top(header[header.index("(") + 1:header.rindex(")")])
    dest = {}  # result index -> %argN
    for a in args:
        m = re.match(r"(%arg\d+):.*cscc\.result = (\d+)", a)
        if m:
            dest[int(m.group(2))] = m.group(1)
    owners = {}  # NAME -> (updated dest, [state dests])
    for i, (_, attrs) in enumerate(results):
        if "cst.updated" in attrs:
            owners.setdefault(attrs["cst.updated"], [None, []])[0] = dest[i]
        elif "cst.opt_state" in attrs:
            param = attrs["cst.opt_state"].rsplit(".", 1)[0]
            owners.setdefault(param, [None, []])[1].append(dest[i])
    watched = {d: n for n, (u, s) in owners.items() for d in [u] + s}
    # Every op that writes a watched buffer: generics' outs, copies' targets,
    # calls (kernel outputs).
    writers = {d: [] for d in watched}
    for line in fn.splitlines():
        outs = re.search(r"outs\(([^:]*):", line)
        if "linalg.generic" in line and outs:
            targets = [t.strip() for t in outs.group(1).split(",")]
            for t in targets:
                if t in writers:
                    writers[t].append(("generic", tuple(targets)))
        elif re.search(r"memref\.copy|linalg\.copy|call @", line):
            for d in writers:
                if re.search(re.escape(d) + r"\b", line):
                    writers[d].append(("other", line.strip()))
    bad = 0
    loops = set()
    for n, (u, states) in owners.items():
        w = writers[u]
        ok = (u is not None and len(w) == 1 and w[0][0] == "generic"
              and sorted(w[0][1]) == sorted([u] + states)
              and all(writers[s] == w for s in states))
        if ok:
            loops.add(w[0][1])
            print("ok %s: one loop writes the new value and %d state tensor%s"
                  % (n, len(states), "" if len(states) == 1 else "s"))
        else:
            bad += 1
            print("FAIL %s: writers of %s: %s; of its states %s: %s"
                  % (n, u, writers.get(u), states, [writers[s] for s in states]))
    print("%d parameters, %d update loops" % (len(owners), len(loops)))
    if bad or len(loops) != len(owners):
        sys.exit(1)


if __name__ == "__main__":
    main()
