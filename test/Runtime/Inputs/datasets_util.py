#!/usr/bin/env python3
"""Data set files for test/Runtime/datasets*.test.

  make DIR                   small IDX (plain, gzip, multi-member gzip, gzip
                             without a .gz name), CIFAR-10 and CIFAR-100
                             binary files with known content, the summary
                             cscc-runtime-check datasets-* must print for
                             each (*.expect), and broken files for the error
                             tests
  expect-idx IMAGES LABELS   the summary for real IDX files, computed here
                             with gzip + numpy (independently of the runtime)
"""
import gzip
import os
import struct
import sys

import numpy as np


def summary(images, labels, classes):
    """What cscc-runtime-check prints for a data set (images u8 [N,C,H,W])."""
    n = len(labels)
    flat = images.reshape(-1).astype(np.uint64)
    weights = (np.arange(flat.size, dtype=np.uint64) % 65521) + 1
    counts = np.bincount(labels, minlength=classes)
    lines = [
        "N %d" % n,
        "images U8 [%s]" % ", ".join(str(d) for d in images.shape),
        "classes %d" % classes,
        "first-labels" + "".join(" %d" % l for l in labels[:10]),
        "label-counts" + "".join(" %d" % c for c in counts),
        "pixel-sum %d" % int(flat.sum()),
        "pixel-checksum %d" % int((flat * weights).sum()),
    ]
    return "\n".join(lines) + "\n"


def idx_images(images):
    n, h, w = images.shape
    return struct.pack(">IIII", 0x803, n, h, w) + images.astype(np.uint8).tobytes()


def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + np.asarray(labels, np.uint8).tobytes()


def gz(data):
    return gzip.compress(data, mtime=0)


def write(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def make(d):
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(5)

    # IDX: 7 images of 4x3, labels in 0..9.
    images = rng.integers(0, 256, size=(7, 4, 3), dtype=np.uint8)
    labels = np.array([3, 0, 9, 9, 1, 7, 3], np.int64)
    img, lbl = idx_images(images), idx_labels(labels)
    write(d, "img.idx", img)
    write(d, "lbl.idx", lbl)
    write(d, "img.idx.gz", gz(img))
    write(d, "lbl.idx.gz", gz(lbl))
    write(d, "img-gz-noext", gz(img))  # detected by its magic, not its name
    write(d, "img-multi.gz", gz(img[:20]) + gz(img[20:]))  # two members
    write(d, "idx.expect", summary(images.reshape(7, 1, 4, 3), labels, 10))

    # IDX labels up to 12: classes is the largest label + 1.
    labels13 = np.array([12, 0, 5, 1, 2, 3, 4], np.int64)
    write(d, "lbl13.idx", idx_labels(labels13))
    write(d, "idx13.expect", summary(images.reshape(7, 1, 4, 3), labels13, 13))

    # CIFAR-10: two batches of 3 and 2 records.
    c10_images = rng.integers(0, 256, size=(5, 3, 32, 32), dtype=np.uint8)
    c10_labels = np.array([6, 9, 0, 4, 1], np.int64)

    def c10_batch(lo, hi):
        return b"".join(bytes([c10_labels[i]]) + c10_images[i].tobytes()
                        for i in range(lo, hi))

    write(d, "c10a.bin", c10_batch(0, 3))
    write(d, "c10b.bin", c10_batch(3, 5))
    write(d, "cifar10.expect", summary(c10_images, c10_labels, 10))

    # CIFAR-100: 4 records (coarse, fine) with fine labels up to 99.
    c100_images = rng.integers(0, 256, size=(4, 3, 32, 32), dtype=np.uint8)
    c100_fine = np.array([99, 0, 42, 17], np.int64)
    c100_coarse = [19, 4, 7, 0]
    c100 = b"".join(bytes([c100_coarse[i], c100_fine[i]]) + c100_images[i].tobytes()
                    for i in range(4))
    write(d, "c100.bin", c100)
    write(d, "cifar100.expect", summary(c100_images, c100_fine, 100))

    # Broken files.
    write(d, "magic.idx", struct.pack(">I", 0x12345678) + img[4:])
    write(d, "short.idx", img[:10])
    write(d, "trunc-img.idx", img[:-5])
    write(d, "trunc-lbl.idx", lbl[:-2])
    write(d, "trailing-img.idx", img + b"\0\0\0")
    write(d, "lbl6.idx", idx_labels(labels[:6]))
    # Deflate data starting 0xff: a final block of the reserved type 3.
    z = bytearray(gz(img))
    z[10:14] = b"\xff\xff\xff\xff"
    write(d, "corrupt.gz", bytes(z))
    write(d, "trunc.gz", gz(img)[:30])
    write(d, "trailing.gz", gz(img) + b"junk")
    c10 = c10_batch(0, 3)
    write(d, "c10-trunc.bin", c10[:-100])
    bad = bytearray(c10)
    bad[3073] = 10  # record 1's label
    write(d, "c10-label.bin", bytes(bad))
    bad100 = bytearray(c100)
    bad100[2 * 3074 + 1] = 100  # record 2's fine label
    write(d, "c100-label.bin", bytes(bad100))
    bad100c = bytearray(c100)
    bad100c[3074] = 20  # record 1's coarse label
    write(d, "c100-coarse.bin", bytes(bad100c))
    write(d, "pickle.bin", b"\x80\x02}q\x00" + b"\0" * 100)
    write(d, "empty.bin", b"")


def read_maybe_gz(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def expect_idx(images_path, labels_path):
    img = read_maybe_gz(images_path)
    lbl = read_maybe_gz(labels_path)
    magic, n, h, w = struct.unpack(">IIII", img[:16])
    assert magic == 0x803
    lmagic, nl = struct.unpack(">II", lbl[:8])
    assert lmagic == 0x801 and nl == n
    images = np.frombuffer(img, np.uint8, offset=16).reshape(n, 1, h, w)
    labels = np.frombuffer(lbl, np.uint8, offset=8).astype(np.int64)
    sys.stdout.write(summary(images, labels, max(10, int(labels.max()) + 1)))


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "expect-idx":
        expect_idx(sys.argv[2], sys.argv[3])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
