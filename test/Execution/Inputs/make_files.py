"""Writes the files of test/Execution/run-errors.test into a directory.

usage: make_files.py WEIGHTS.safetensors OUTDIR

From the good weights file of Inputs/tiny.csc (written by `cscc init`):
  missing.safetensors    bn1.running_var left out
  shape.safetensors      conv0.weight with a wrong shape
  extra.safetensors      one tensor more than the model has
  int.safetensors        conv0.bias stored as I64
  truncated.safetensors  the good file cut in the middle of its data
  short.safetensors      5 bytes
  badjson.safetensors    a header that is not JSON
  f64.safetensors        the good weights as F64 (accepted)
and inputs for the model input [1, 4, 4]:
  x.npy (float64 [2, 1, 4, 4]), x32.npy (float32), x_empty.npy
  [0, 1, 4, 4], x_shape.npy [2, 1, 5, 4], x_rank3.npy [1, 4, 4],
  x_channels.npy [2, 3, 4, 4], x_int.npy (int64), x_f16.npy (float16),
  x_be.npy (big-endian float64), x_fortran.npy (Fortran order),
  not_npy.npy (text).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "reference"))
from cscc_io import read_safetensors, safetensors_bytes  # noqa: E402


def main():
    good, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    w, meta = read_safetensors(good)

    def write(name, tensors, **kw):
        with open(os.path.join(out, name), "wb") as f:
            f.write(safetensors_bytes(tensors, meta, **kw))

    write("missing.safetensors",
          {k: v for k, v in w.items() if k != "bn1.running_var"})
    write("shape.safetensors", dict(w, **{"conv0.weight": np.zeros(
        (2, 1, 5, 5), np.float32)}))
    write("extra.safetensors", dict(w, **{"conv9.weight": np.zeros(
        (2, 1, 3, 3), np.float32)}))
    write("int.safetensors", dict(w, **{"conv0.bias": np.zeros(2, np.int64)}))
    write("f64.safetensors", w, dtype=np.float64)
    with open(good, "rb") as f:
        raw = f.read()
    with open(os.path.join(out, "truncated.safetensors"), "wb") as f:
        f.write(raw[:len(raw) - 20])
    with open(os.path.join(out, "short.safetensors"), "wb") as f:
        f.write(raw[:5])
    body = b"{not json at all}      "
    with open(os.path.join(out, "badjson.safetensors"), "wb") as f:
        f.write(len(body).to_bytes(8, "little") + body)

    rng = np.random.RandomState(0)
    x = rng.standard_normal((2, 1, 4, 4))
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "x32.npy"), x.astype(np.float32))
    np.save(os.path.join(out, "x_shape.npy"),
            rng.standard_normal((2, 1, 5, 4)))
    np.save(os.path.join(out, "x_rank3.npy"), rng.standard_normal((1, 4, 4)))
    np.save(os.path.join(out, "x_channels.npy"),
            rng.standard_normal((2, 3, 4, 4)))
    np.save(os.path.join(out, "x_int.npy"),
            np.ones((2, 1, 4, 4), np.int64))
    np.save(os.path.join(out, "x_f16.npy"), x.astype(np.float16))
    np.save(os.path.join(out, "x_be.npy"), x.astype(">f8"))
    np.save(os.path.join(out, "x_fortran.npy"),
            np.asfortranarray(x))
    np.save(os.path.join(out, "x_empty.npy"), np.zeros((0, 1, 4, 4)))
    with open(os.path.join(out, "not_npy.npy"), "w") as f:
        f.write("1 2 3\n")


if __name__ == "__main__":
    main()
