"""Edits one tensor of a safetensors file in place, keeping the metadata and
the other tensors (checkpoint and weight-file tests).

  edit_tensor.py FILE NAME scale X    multiply every element by X
  edit_tensor.py FILE NAME set I X    element I (flat index) := X (nan, inf)
  edit_tensor.py FILE NAME dtype D    convert to D (F32, F64, I32, ...)
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "Runtime", "Inputs"))
import st_util  # noqa: E402


def main():
    path, name, op = sys.argv[1:4]
    args = sys.argv[4:]
    tensors, meta, _, _ = st_util.read(path)
    if name not in tensors:
        sys.exit(f"edit_tensor: no tensor {name!r} in {path}")
    out = []
    for k, (dt, shape, raw, _) in tensors.items():
        if k == name:
            a = np.frombuffer(raw, dtype=st_util.DTYPES[dt]).copy()
            with np.errstate(over="ignore"):
                if op == "scale":
                    a = (a.astype(np.float64) * float(args[0])).astype(a.dtype)
                elif op == "set":
                    a[int(args[0])] = float(args[1])
                elif op == "dtype":
                    dt = args[0]
                    a = a.astype(st_util.DTYPES[dt])
                else:
                    sys.exit(f"edit_tensor: unknown operation {op!r}")
            raw = a.tobytes()
        out.append((k, dt, list(shape), raw))
    st_util.write(path, out, meta)


if __name__ == "__main__":
    main()
