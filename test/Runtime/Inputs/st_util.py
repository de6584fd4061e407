"""A small pure-Python safetensors reader/writer and file makers for the
runtime tests (no safetensors package: only struct, json and numpy).

  st_util.py make-npys DIR            .npy files of several dtypes and shapes
  st_util.py check-pack FILE DIR K=V.. FILE (written by cscc-runtime-check
                                      from DIR's .npy files) holds exactly
                                      them, in the documented layout, with
                                      metadata K=V
  st_util.py write-sample FILE DIR    a safetensors file written here, in an
                                      order and padding unlike ours; the
                                      expected tensors as .npy in DIR
  st_util.py compare A B              same tensors and metadata
  st_util.py dump FILE                the raw header keys, metadata, tensors
  st_util.py corrupt KIND FILE        a broken file (see CORRUPT)
  st_util.py set-meta FILE K=V..      rewrite FILE with metadata K set to V
                                      (K= removes K), tensors unchanged
  st_util.py npy-make DIR             .npy files numpy writes (v1.0, v2.0)
  st_util.py npy-same A B             equal dtype, shape and bytes
  st_util.py npy-corrupt KIND FILE    a broken .npy (see NPY_CORRUPT)
"""
import json
import os
import struct
import sys

import numpy as np

DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16,
          "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
          "U64": np.uint64, "U32": np.uint32, "U16": np.uint16, "U8": np.uint8,
          "BOOL": np.bool_}
SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4,
         "I16": 2, "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1,
         "F8_E4M3": 1, "F8_E5M2": 1}


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def read(path):
    """Returns ({name: (dtype, shape, bytes, (begin, end))}, metadata,
    header length)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        out[name] = (e["dtype"], tuple(e["shape"]), data[b:end], (b, end))
    return out, meta, n, len(data)


def write(path, entries, metadata=None, pad=0, order=None):
    """entries: [(name, dtype, shape, bytes)] stored in the order given
    by `order` (default: as listed); header keys in listed order."""
    order = order or [e[0] for e in entries]
    by_name = {e[0]: e for e in entries}
    offsets, data, at = {}, b"", 0
    for name in order:
        raw = by_name[name][3]
        offsets[name] = (at, at + len(raw))
        data += raw
        at += len(raw)
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dt, shape, raw in entries:
        header[name] = {"dtype": dt, "shape": list(shape),
                        "data_offsets": list(offsets[name])}
    text = json.dumps(header).encode() + b" " * pad
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def raw_file(path, header_bytes, data, length=None):
    n = len(header_bytes) if length is None else length
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", n) + header_bytes + data)


def sample_arrays():
    rng = np.random.default_rng(7)
    return {
        "conv.weight": rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
        "bias": rng.standard_normal(4).astype(np.float64),
        "step": np.array(12345678901, dtype=np.int64),
        "labels": rng.integers(0, 255, (2, 5)).astype(np.uint8),
        "empty": np.zeros((0, 3), np.float32),
        "counts": rng.integers(-1000, 1000, (3, 2)).astype(np.int32),
    }


def cmd_make_npys(d):
    os.makedirs(d, exist_ok=True)
    for name, a in sample_arrays().items():
        np.save(os.path.join(d, name + ".npy"), a)


def cmd_check_pack(path, d, *meta):
    tensors, metadata, n, datalen = read(path)
    want = sample_arrays()
    if (8 + n) % 8:
        fail("data section not 8-aligned (header length %d)" % n)
    if set(tensors) != set(want):
        fail("names %s != %s" % (sorted(tensors), sorted(want)))
    # Documented layout: by element size (largest first), then name, back
    # to back from 0; so each tensor is aligned to its element size.
    at = 0
    for name in sorted(tensors, key=lambda k: (-SIZES[tensors[k][0]], k)):
        b, e = tensors[name][3]
        if b != at:
            fail("%s starts at %d, expected %d" % (name, b, at))
        if (8 + n + b) % SIZES[tensors[name][0]]:
            fail("%s is not aligned to its element size" % name)
        at = e
    if at != datalen:
        fail("data section %d bytes, tensors cover %d" % (datalen, at))
    for name, a in want.items():
        dt, shape, raw, _ = tensors[name]
        if DTYPES[dt] != a.dtype.type or shape != a.shape:
            fail("%s: %s %s, want %s %s" % (name, dt, shape, a.dtype,
                                            a.shape))
        if raw != a.astype(a.dtype.newbyteorder("<")).tobytes():
            fail("%s: bytes differ" % name)
    want_meta = dict(kv.split("=", 1) for kv in meta)
    if metadata != want_meta:
        fail("metadata %s != %s" % (metadata, want_meta))
    print("OK %d tensors, metadata %s" % (len(tensors),
                                          json.dumps(metadata,
                                                     sort_keys=True)))


def cmd_write_sample(path, d):
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(3)
    arrays = {
        "z.last": rng.standard_normal((2, 3)).astype(np.float32),
        "a.first": rng.standard_normal(5),
        "m.half": rng.standard_normal((2, 2)).astype(np.float16),
        "flags": np.array([True, False, True]),
        "i8": np.array([-128, 0, 127], np.int8),
        "u16": np.array([[1, 65535]], np.uint16),
        "scalar": np.array(2.5, np.float32),
    }
    entries = [(k, {np.float32: "F32", np.float64: "F64", np.float16: "F16",
                    np.bool_: "BOOL", np.int8: "I8",
                    np.uint16: "U16"}[v.dtype.type], v.shape, v.tobytes())
               for k, v in arrays.items()]
    # bfloat16 (no numpy type): 1.0, -2.0 are 0x3f80, 0xc000.
    entries.append(("bf", "BF16", (2,), struct.pack("<HH", 0x3F80, 0xC000)))
    # Data stored in reverse name order, header padded with spaces to an
    # odd multiple, __metadata__ first.
    write(path, entries, {"epoch": "3", "format": "pt"}, pad=5,
          order=sorted((e[0] for e in entries), reverse=True))
    for k, v in arrays.items():
        np.save(os.path.join(d, k + ".npy"), v)


def cmd_compare(a, b):
    ta, ma, _, _ = read(a)
    tb, mb, _, _ = read(b)
    if ma != mb:
        fail("metadata %s != %s" % (ma, mb))
    if set(ta) != set(tb):
        fail("names %s != %s" % (sorted(ta), sorted(tb)))
    for k in ta:
        if ta[k][:3] != tb[k][:3]:
            fail("tensor %s differs" % k)
    print("SAME %d tensors" % len(ta))


def cmd_dump(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    print("keys", sorted(json.loads(blob[8:8 + n].decode())))
    tensors, meta, n, datalen = read(path)
    print("metadata", json.dumps(meta, sort_keys=True))
    for k in sorted(tensors):
        dt, shape, raw, (b, e) = tensors[k]
        print(k, dt, list(shape), [b, e])


def hdr(obj):
    return json.dumps(obj).encode()


def t(dt, shape, b, e):
    return {"dtype": dt, "shape": shape, "data_offsets": [b, e]}


CORRUPT = {
    "empty": lambda p: open(p, "wb").close(),
    "short": lambda p: open(p, "wb").write(b"\x10\x00\x00"),
    "hugelen": lambda p: raw_file(p, hdr({"a": t("F32", [1], 0, 4)}),
                                  b"\0" * 4, length=1000),
    "overlimit": lambda p: raw_file(p, b"{}" + b" " * 30, b"",
                                    length=(1 << 40)),
    "badjson": lambda p: raw_file(p, b'{"a": {"dtype": "F32", "shape": [1]',
                                  b""),
    "notobject": lambda p: raw_file(p, b"[1, 2, 3]", b""),
    "entrynotobject": lambda p: raw_file(p, hdr({"a": 1}), b""),
    "baddtype": lambda p: raw_file(p, hdr({"w": t("F17", [2], 0, 8)}),
                                   b"\0" * 8),
    "lowercase": lambda p: raw_file(p, hdr({"w": t("f32", [2], 0, 8)}),
                                    b"\0" * 8),
    "oob": lambda p: raw_file(p, hdr({"w": t("F32", [16], 0, 64)}),
                              b"\0" * 16),
    "truncated": lambda p: raw_file(p, hdr({"a": t("F64", [4], 0, 32)}),
                                    b"\0" * 20),
    "backwards": lambda p: raw_file(p, hdr({"w": t("F32", [0], 8, 4)}),
                                    b"\0" * 8),
    "overlap": lambda p: raw_file(p, hdr({"a": t("F32", [4], 0, 16),
                                          "b": t("F32", [4], 8, 24)}),
                                  b"\0" * 24),
    "gap": lambda p: raw_file(p, hdr({"a": t("F32", [4], 0, 16),
                                      "b": t("F32", [4], 20, 36)}),
                              b"\0" * 36),
    "sizemismatch": lambda p: raw_file(p, hdr({"w": t("F32", [2, 2], 0, 12)}),
                                       b"\0" * 12),
    "trailing": lambda p: raw_file(p, hdr({"w": t("F32", [4], 0, 16)}),
                                   b"\0" * 20),
    "negshape": lambda p: raw_file(p, hdr({"w": t("F32", [-1], 0, 4)}),
                                   b"\0" * 4),
    "floatoffset": lambda p: raw_file(p, hdr({"w": {"dtype": "F32",
                                                    "shape": [1],
                                                    "data_offsets": [0, 4.0]}}),
                                      b"\0" * 4),
    "nooffsets": lambda p: raw_file(p, hdr({"w": {"dtype": "F32",
                                                  "shape": [1]}}), b"\0" * 4),
    "extrakey": lambda p: raw_file(p, hdr({"w": dict(t("F32", [1], 0, 4),
                                                     layout="nchw")}),
                                   b"\0" * 4),
    "badmeta": lambda p: raw_file(p, hdr({"__metadata__": {"epoch": 3}}), b""),
}



def npy_bytes(a, version=None):
    import io
    buf = io.BytesIO()
    if version:
        np.lib.format.write_array(buf, a, version=version)
    else:
        np.save(buf, a)
    return buf.getvalue()


def with_header(text, data=b"", version=1):
    """A .npy of this header text (padded as numpy does)."""
    pre = 10 if version == 1 else 12
    total = (pre + len(text) + 1 + 63) // 64 * 64
    h = text + " " * (total - pre - len(text) - 1) + "\n"
    lenb = struct.pack("<H" if version == 1 else "<I", len(h))
    return b"\x93NUMPY" + bytes([version, 0]) + lenb + h.encode() + data


def _npy(kind):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    good = npy_bytes(a)
    return {
        "fortran": lambda: npy_bytes(np.asfortranarray(a)),
        "unicode": lambda: npy_bytes(np.array(["abc", "de"])),
        "complex": lambda: npy_bytes(a.astype(np.complex64)),
        "bigendian": lambda: npy_bytes(a.astype(">f4")),
        "structured": lambda: npy_bytes(np.zeros(2, dtype=[("x", "<f4"),
                                                          ("y", "<i4")])),
        "badmagic": lambda: b"PK\x03\x04" + good[4:],
        "short": lambda: good[:8],
        "version": lambda: good[:6] + b"\x09\x00" + good[8:],
        "headerpast": lambda: good[:8] + struct.pack("<H", 4000) + good[10:],
        "truncated": lambda: good[:-5],
        "trailing": lambda: good + b"\0" * 4,
        "malformed": lambda: with_header("{'descr': '<f4' 'fortran_order': "
                                         "False, 'shape': (2, 3), }",
                                         a.tobytes()),
        "nokey": lambda: with_header("{'descr': '<f4', 'fortran_order': "
                                     "False, }", a.tobytes()),
        "extrakey": lambda: with_header("{'descr': '<f4', 'fortran_order': "
                                        "False, 'shape': (2, 3), "
                                        "'order': 'C', }", a.tobytes()),
        "notuple": lambda: with_header("{'descr': '<f4', 'fortran_order': "
                                       "False, 'shape': [2, 3], }",
                                       a.tobytes()),
    }[kind]()


def cmd_npy_make(d):
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(11)
    arrays = {
        "f4": rng.standard_normal((2, 3, 4)).astype(np.float32),
        "f8": rng.standard_normal(7),
        "i8": rng.integers(-2**62, 2**62, (3, 1), dtype=np.int64),
        "i4": rng.integers(-2**31, 2**31 - 1, (5,), dtype=np.int32),
        "u1": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        "scalar": np.array(3.25),
        "empty": np.zeros((0, 4), np.float32),
        "bool": np.array([[True, False]]),
    }
    for k, v in arrays.items():
        np.save(os.path.join(d, k + ".npy"), v)
    # Format 2.0 (numpy writes it for huge headers; forced here).
    with open(os.path.join(d, "v2.npy"), "wb") as f:
        f.write(npy_bytes(arrays["f4"], version=(2, 0)))
    # '<u1' written by hand (numpy writes '|u1'), and Python 2 style 'L'.
    with open(os.path.join(d, "lt-u1.npy"), "wb") as f:
        f.write(with_header("{'descr': '<u1', 'fortran_order': False, "
                            "'shape': (3L,), }", b"\x01\x02\x03"))


def cmd_npy_same(a, b):
    x, y = np.load(a), np.load(b)
    if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
        fail("%s %s %s != %s %s %s" % (a, x.dtype, x.shape, b, y.dtype,
                                       y.shape))
    print("SAME %s %s" % (x.dtype.str, x.shape))


def cmd_set_meta(path, *pairs):
    tensors, meta, _, _ = read(path)
    for pair in pairs:
        k, v = pair.split("=", 1)
        if v:
            meta[k] = v
        else:
            meta.pop(k, None)
    entries = [(name, dt, shape, raw)
               for name, (dt, shape, raw, _) in tensors.items()]
    write(path, entries, meta)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "make-npys":
        cmd_make_npys(*args)
    elif cmd == "check-pack":
        cmd_check_pack(*args)
    elif cmd == "write-sample":
        cmd_write_sample(*args)
    elif cmd == "compare":
        cmd_compare(*args)
    elif cmd == "dump":
        cmd_dump(*args)
    elif cmd == "corrupt":
        CORRUPT[args[0]](args[1])
    elif cmd == "set-meta":
        cmd_set_meta(*args)
    elif cmd == "npy-make":
        cmd_npy_make(*args)
    elif cmd == "npy-same":
        cmd_npy_same(*args)
    elif cmd == "npy-corrupt":
        with open(args[1], "wb") as f:
            f.write(_npy(args[0]))
    else:
        fail("unknown command " + cmd)


if __name__ == "__main__":
    main()
