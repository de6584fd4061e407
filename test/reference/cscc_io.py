"""Helpers for tests that run cscc and compare it with the reference.

Pure Python + NumPy (no torch needed here):
  * read_safetensors / write_safetensors: a small independent
    implementation of the format (8-byte little-endian header length, a
    JSON header {name: {dtype, shape, data_offsets}} with an optional
    `__metadata__`, space-padded to a multiple of 8, then the data);
  * perturb: cscc's initial weights changed so that every code path
    matters (running statistics, biases, thresholds, steps, Gram
    coefficients and batch-norm scales away from their 0/1 initial values);
  * Cscc: runs `cscc init/run/grad/summary` and raises with its stderr on
    failure.
"""

import itertools
import json
import os
import struct
import subprocess
import tempfile

import numpy as np

DTYPES = {
    "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"), "U8": np.dtype("u1"), "BOOL": np.dtype("?"),
}


def _dtype_name(dt):
    for k, v in DTYPES.items():
        if v.kind == dt.kind and v.itemsize == dt.itemsize:
            return k
    raise ValueError("no safetensors dtype for %s" % dt)


# ---------------------------------------------------------------------------
# safetensors
# ---------------------------------------------------------------------------

def read_safetensors(path):
    """-> ({name: ndarray}, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("%s: shorter than 8 bytes" % path)
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        dt = DTYPES[e["dtype"]]
        b, end = e["data_offsets"]
        arr = np.frombuffer(data[b:end], dtype=dt).reshape(e["shape"])
        out[name] = arr.copy()
    return out, meta


def safetensors_bytes(tensors, metadata=None, dtype=None, pad=True):
    """The bytes of a safetensors file; `dtype` (a NumPy dtype) converts
    every tensor, else each keeps its own."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.asarray(tensors[name])
        if dtype is not None:
            a = a.astype(dtype)
        name_dt = _dtype_name(a.dtype)
        a = np.ascontiguousarray(a, dtype=DTYPES[name_dt])
        b = a.tobytes()
        header[name] = {"dtype": name_dt,
                        "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    if metadata:
        header["__metadata__"] = dict(metadata)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write_safetensors(path, tensors, metadata=None, dtype=None):
    with open(path, "wb") as f:
        f.write(safetensors_bytes(tensors, metadata, dtype))


# ---------------------------------------------------------------------------
# Weights that exercise every code path
# ---------------------------------------------------------------------------

def perturb(tensors, seed, wrong=False):
    """A copy of `tensors` (cscc's init) with
      running_var            uniform(0.5, 2)
      running_mean, bias, threshold   uniform(-0.1, 0.1)
      step, gram             uniform(0.2, 0.6)
      1-D weight (batch-norm scale)   uniform(0.5, 1.5)
    and the filters / linear weights as cscc initialised them, in float64.
    `wrong` = True flips one value (to show that a comparison can fail)."""
    rng = np.random.RandomState(seed)
    out = {}
    for name in sorted(tensors):
        a = np.asarray(tensors[name], dtype=np.float64)
        last = name.rsplit(".", 1)[-1]
        if last == "running_var":
            a = rng.uniform(0.5, 2.0, a.shape)
        elif last in ("running_mean", "bias", "threshold"):
            a = rng.uniform(-0.1, 0.1, a.shape)
        elif last in ("step", "gram"):
            a = rng.uniform(0.2, 0.6, a.shape)
        elif last == "weight" and a.ndim == 1:
            a = rng.uniform(0.5, 1.5, a.shape)
        out[name] = a.copy()
    if wrong:
        name = sorted(out)[0]
        out[name] = out[name].copy()
        out[name].flat[0] += 0.5
    return out


def rel_err(y, ref):
    y = np.asarray(y, np.float64)
    ref = np.asarray(ref, np.float64)
    if y.shape != ref.shape:
        raise ValueError("shape %s, reference %s" % (y.shape, ref.shape))
    return float(np.max(np.abs(y - ref)) / max(np.max(np.abs(ref)), 1e-300))


# ---------------------------------------------------------------------------
# Running cscc
# ---------------------------------------------------------------------------

class CsccError(RuntimeError):
    pass


class Cscc:
    """cscc on files in a private temporary directory."""

    def __init__(self, exe, tmpdir=None):
        self.exe = exe
        self.dir = tmpdir or tempfile.mkdtemp(prefix="cscc-test-")
        self._n = itertools.count(1)     # thread-safe in CPython

    def path(self, stem, ext):
        return os.path.join(self.dir, "%s-%d.%s" % (stem, next(self._n), ext))

    def __call__(self, *args):
        cmd = [self.exe] + [str(a) for a in args]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
        if p.returncode != 0:
            raise CsccError("%s failed (exit %d):\n%s" % (
                " ".join(cmd), p.returncode, p.stderr.strip()))
        return p.stdout

    @staticmethod
    def defs(overrides):
        out = []
        for k, v in sorted(overrides.items()):
            out += ["-D", "%s=%s" % (k, v)]
        return out

    def init(self, model, overrides=None, seed=0):
        w = self.path("init", "safetensors")
        self("init", model, "-o", w, "--seed", seed,
             *self.defs(overrides or {}))
        return read_safetensors(w)[0]

    def run(self, model, weights, x, dtype="f64", overrides=None,
            weight_dtype=np.float64, extra=()):
        """Forward pass of `model` with `weights` (dict, written as
        `weight_dtype`) on the array x (saved in its own dtype)."""
        w = self.path("w", "safetensors")
        write_safetensors(w, weights, {"format": "pt"}, weight_dtype)
        xi = self.path("x", "npy")
        np.save(xi, x)
        y = self.path("y", "npy")
        self("run", model, "--weights", w, "--input", xi, "-o", y,
             "--dtype", dtype, *self.defs(overrides or {}), *extra)
        return np.load(y)

    def grad(self, model, weights, x, labels, dtype="f64", overrides=None,
             weight_dtype=np.float64, extra=()):
        """`cscc grad` (train mode): -> (loss printed as `loss: V`,
        {name: gradient array} read from its -o file)."""
        w = self.path("w", "safetensors")
        write_safetensors(w, weights, {"format": "pt"}, weight_dtype)
        xi = self.path("x", "npy")
        np.save(xi, x)
        li = self.path("labels", "npy")
        np.save(li, labels)
        g = self.path("g", "safetensors")
        out = self("grad", model, "--weights", w, "--input", xi, "--labels",
                   li, "-o", g, "--dtype", dtype,
                   *self.defs(overrides or {}), *extra)
        losses = [line.split(":", 1)[1].strip() for line in out.splitlines()
                  if line.startswith("loss:")]
        if len(losses) != 1:
            raise CsccError("cscc grad printed %d 'loss:' lines:\n%s"
                            % (len(losses), out))
        return float(losses[0]), read_safetensors(g)[0]

    def weight_names(self, model, overrides=None):
        """name -> (shape tuple, init, kind) from `cscc summary --weights`."""
        text = self("summary", "--weights", model,
                    *self.defs(overrides or {}))
        out = {}
        for line in text.splitlines()[1:]:
            if line.startswith("tensors:") or not line.strip():
                continue
            parts = line.split()
            name, kind, init = parts[0], parts[-1], parts[-2]
            shape = "".join(parts[1:-2])
            dims = shape.strip("[]")
            out[name] = (tuple(int(d) for d in dims.split(",")) if dims
                         else (), init, kind)
        return out
