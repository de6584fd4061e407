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
  make-svhn DIR              SVHN cropped-digits .mat files written with
                             scipy.io.savemat in the distributed layout (X
                             uint8 32x32x3xN, y double Nx1 with 10 for the
                             digit 0), variants (compressed, uint8 y, 1xN y),
                             their summaries (*.expect), and broken files
  make-dirs DIR              a directory per loadData kind with the standard
                             file names (IDX plain / gzip / dot spelling,
                             CIFAR-10 and its archive's subdirectory,
                             CIFAR-100, SVHN, random-pixel sets for the
                             augmentation tests) and broken directories;
                             DIR/expect/NAME/{train,test}_{images,labels}.npy
                             hold what loadData must return
  compare-npy EXPECT GOT     the .npy files of EXPECT equal those in GOT
                             (same dtype, shape and values)
  flip-bits MAT DIR K        K copies of the compressed MAT v5 file MAT in
                             DIR (0.mat ...), each with one bit flipped at
                             a place spread evenly over the data of its
                             compressed (miCOMPRESSED) elements
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


def svhn_mat(path, images, labels, **kw):
    """images u8 [N, 3, 32, 32], labels 0..9 -> SVHN's X(h, w, c, n) and y
    (1..10, 10 for the digit 0) as the distributed files store them."""
    import scipy.io
    x = np.ascontiguousarray(images.transpose(2, 3, 1, 0))  # [32, 32, 3, N]
    y = np.where(labels == 0, 10, labels).astype(np.float64).reshape(-1, 1)
    scipy.io.savemat(path, {"X": x, "y": y}, **kw)


def save_mat(path, variables, **kw):
    import scipy.io
    scipy.io.savemat(path, variables, **kw)


def make_svhn(d):
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(11)
    n = 6
    images = rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)
    labels = np.array([1, 0, 9, 0, 5, 3], np.int64)  # 0 is stored as 10
    svhn_mat(os.path.join(d, "svhn.mat"), images, labels)
    svhn_mat(os.path.join(d, "svhn-z.mat"), images, labels, do_compression=True)
    write(d, "svhn.expect", summary(images, labels, 10))
    x = np.ascontiguousarray(images.transpose(2, 3, 1, 0))
    y10 = np.where(labels == 0, 10, labels)
    # y as uint8 and as a row vector 1xN: also accepted.
    save_mat(os.path.join(d, "svhn-y-u8.mat"),
             {"X": x, "y": y10.astype(np.uint8).reshape(-1, 1)})
    save_mat(os.path.join(d, "svhn-y-row.mat"),
             {"X": x, "y": y10.astype(np.float64).reshape(1, -1)})
    # Extra variables do not matter.
    save_mat(os.path.join(d, "svhn-extra.mat"),
             {"X": x, "y": y10.astype(np.float64).reshape(-1, 1),
              "note": np.array([1.0, 2.0])})

    # Broken files.
    yd = y10.astype(np.float64).reshape(-1, 1)
    save_mat(os.path.join(d, "no-y.mat"), {"X": x, "labels": yd})
    save_mat(os.path.join(d, "no-x.mat"), {"y": yd})
    save_mat(os.path.join(d, "x-c-order.mat"), {"X": images, "y": yd})
    save_mat(os.path.join(d, "x-nhwc.mat"),
             {"X": np.ascontiguousarray(images.transpose(0, 2, 3, 1)), "y": yd})
    save_mat(os.path.join(d, "x-rank3.mat"), {"X": x[:, :, 0, :], "y": yd})
    save_mat(os.path.join(d, "x-double.mat"), {"X": x.astype(np.float64), "y": yd})
    save_mat(os.path.join(d, "x-28.mat"), {"X": x[:28, :28], "y": yd})
    save_mat(os.path.join(d, "y-2col.mat"), {"X": x, "y": np.hstack([yd, yd])})
    save_mat(os.path.join(d, "y-complex.mat"), {"X": x, "y": yd + 1j})
    save_mat(os.path.join(d, "y-char.mat"), {"X": x, "y": "abcdef"})
    save_mat(os.path.join(d, "count.mat"), {"X": x, "y": yd[:5]})
    for name, at, value in [("label0", 2, 0.0), ("label11", 4, 11.0),
                            ("label-frac", 1, 2.5)]:
        bad = yd.copy()
        bad[at, 0] = value
        save_mat(os.path.join(d, name + ".mat"), {"X": x, "y": bad})
    save_mat(os.path.join(d, "v4.mat"), {"X": x.reshape(32, -1), "y": yd},
             format="4")
    write(d, "junk.mat", "this is not a MAT file, only some text\n" * 5)
    write(d, "empty.mat", b"")
    with open(os.path.join(d, "svhn.mat"), "rb") as f:
        good = f.read()
    write(d, "trunc.mat", good[:-1000])
    write(d, "trunc-header.mat", good[:100])
    with open(os.path.join(d, "svhn-z.mat"), "rb") as f:
        goodz = f.read()
    write(d, "trunc-z.mat", goodz[:-50])


def idx_set(d, prefix, images, labels, gzip_images=False, gzip_labels=False,
            dot=False):
    sep = "." if dot else "-"
    img = idx_images(images)
    lbl = idx_labels(labels)
    write(d, prefix + "-images" + sep + "idx3-ubyte" + (".gz" if gzip_images else ""),
          gz(img) if gzip_images else img)
    write(d, prefix + "-labels" + sep + "idx1-ubyte" + (".gz" if gzip_labels else ""),
          gz(lbl) if gzip_labels else lbl)


def save_expect(d, name, train, test):
    e = os.path.join(d, "expect", name)
    os.makedirs(e, exist_ok=True)
    for split, (images, labels) in (("train", train), ("test", test)):
        np.save(os.path.join(e, split + "_images.npy"), images.astype(np.uint8))
        np.save(os.path.join(e, split + "_labels.npy"), labels.astype(np.int64))


def cifar_records(images, labels, coarse=None):
    out = b""
    for i in range(len(labels)):
        head = bytes([labels[i]]) if coarse is None else bytes([coarse[i], labels[i]])
        out += head + images[i].tobytes()
    return out


def make_dirs(d):
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(23)

    # MNIST / Fashion-MNIST: 23 train and 7 test images of 6x5.
    tr = rng.integers(0, 256, size=(23, 6, 5), dtype=np.uint8)
    trl = rng.integers(0, 10, size=23)
    te = rng.integers(0, 256, size=(7, 6, 5), dtype=np.uint8)
    tel = rng.integers(0, 10, size=7)
    for name, kw in [("idx-plain", {}),
                     ("idx-gz", dict(gzip_images=True, gzip_labels=True)),
                     ("idx-dot", dict(dot=True, gzip_images=True))]:
        sub = os.path.join(d, name)
        os.makedirs(sub, exist_ok=True)
        idx_set(sub, "train", tr, trl, **kw)
        idx_set(sub, "t10k", te, tel, **kw)
        save_expect(d, name, (tr.reshape(23, 1, 6, 5), trl), (te.reshape(7, 1, 6, 5), tel))
    # Test labels without a train... no: the test labels file missing.
    sub = os.path.join(d, "idx-missing")
    os.makedirs(sub, exist_ok=True)
    idx_set(sub, "train", tr, trl)
    write(sub, "t10k-images-idx3-ubyte", idx_images(te))
    # Train and test images of different sizes.
    sub = os.path.join(d, "idx-mismatch")
    os.makedirs(sub, exist_ok=True)
    idx_set(sub, "train", tr, trl)
    idx_set(sub, "t10k", te.reshape(7, 5, 6), tel)

    # CIFAR-10: 5 train batches of 3 records, a test batch of 4.
    c10 = rng.integers(0, 256, size=(19, 3, 32, 32), dtype=np.uint8)
    c10l = rng.integers(0, 10, size=19)
    for name in ("cifar10", os.path.join("cifar10-parent", "cifar-10-batches-bin"),
                 "cifar10-missing"):
        sub = os.path.join(d, name)
        os.makedirs(sub, exist_ok=True)
        for b in range(5):
            if name == "cifar10-missing" and b == 2:
                continue
            write(sub, "data_batch_%d.bin" % (b + 1),
                  cifar_records(c10[3 * b:3 * b + 3], c10l[3 * b:3 * b + 3]))
        write(sub, "test_batch.bin", cifar_records(c10[15:], c10l[15:]))
    save_expect(d, "cifar10", (c10[:15], c10l[:15]), (c10[15:], c10l[15:]))

    # CIFAR-100: 6 train and 3 test records.
    c100 = rng.integers(0, 256, size=(9, 3, 32, 32), dtype=np.uint8)
    c100l = rng.integers(0, 100, size=9)
    c100c = rng.integers(0, 20, size=9)
    for name in ("cifar100", os.path.join("cifar100-parent", "cifar-100-binary")):
        sub = os.path.join(d, name)
        os.makedirs(sub, exist_ok=True)
        write(sub, "train.bin", cifar_records(c100[:6], c100l[:6], c100c[:6]))
        write(sub, "test.bin", cifar_records(c100[6:], c100l[6:], c100c[6:]))
    save_expect(d, "cifar100", (c100[:6], c100l[:6]), (c100[6:], c100l[6:]))

    # SVHN: 7 train and 3 test images.
    sv = rng.integers(0, 256, size=(10, 3, 32, 32), dtype=np.uint8)
    svl = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    rng.shuffle(svl)
    for name in ("svhn", "svhn-missing"):
        sub = os.path.join(d, name)
        os.makedirs(sub, exist_ok=True)
        svhn_mat(os.path.join(sub, "train_32x32.mat"), sv[:7], svl[:7])
        if name == "svhn":
            svhn_mat(os.path.join(sub, "test_32x32.mat"), sv[7:], svl[7:])
    save_expect(d, "svhn", (sv[:7], svl[:7]), (sv[7:], svl[7:]))

    write(d, "a-file", "not a directory\n")

    # Random pixels (no two crops or flips of an image alike) for the
    # augmentation and batching tests: 1-channel IDX, 2000 + 100 of 12x12,
    # and 3-channel CIFAR-10, 5 x 60 + 50.
    sub = os.path.join(d, "rand-idx")
    os.makedirs(sub, exist_ok=True)
    ri = rng.integers(0, 256, size=(2000, 12, 12), dtype=np.uint8)
    ril = rng.integers(0, 10, size=2000)
    rt = rng.integers(0, 256, size=(100, 12, 12), dtype=np.uint8)
    rtl = rng.integers(0, 10, size=100)
    idx_set(sub, "train", ri, ril, gzip_images=True)
    idx_set(sub, "t10k", rt, rtl)
    save_expect(d, "rand-idx", (ri.reshape(2000, 1, 12, 12), ril),
                (rt.reshape(100, 1, 12, 12), rtl))
    sub = os.path.join(d, "rand-cifar10")
    os.makedirs(sub, exist_ok=True)
    # Channels with different ranges, so per-channel statistics differ.
    rc = np.stack([rng.integers(0, 256, size=(350, 32, 32)),
                   rng.integers(50, 120, size=(350, 32, 32)),
                   rng.integers(0, 40, size=(350, 32, 32))], axis=1).astype(np.uint8)
    rcl = rng.integers(0, 10, size=350)
    for b in range(5):
        write(sub, "data_batch_%d.bin" % (b + 1),
              cifar_records(rc[60 * b:60 * b + 60], rcl[60 * b:60 * b + 60]))
    write(sub, "test_batch.bin", cifar_records(rc[300:], rcl[300:]))
    save_expect(d, "rand-cifar10", (rc[:300], rcl[:300]), (rc[300:], rcl[300:]))


def compare_npy(expect_dir, got_dir):
    names = sorted(f for f in os.listdir(expect_dir) if f.endswith(".npy"))
    assert names, "no .npy files in " + expect_dir
    for f in names:
        e = np.load(os.path.join(expect_dir, f))
        g = np.load(os.path.join(got_dir, f))
        if e.dtype != g.dtype or e.shape != g.shape or not np.array_equal(e, g):
            sys.exit("%s differs: expected %s %s, got %s %s" %
                     (f, e.dtype, e.shape, g.dtype, g.shape))
    print("equal: " + " ".join(names))


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


def flip_bits(path, d, k):
    with open(path, "rb") as f:
        blob = bytearray(f.read())
    little = blob[126:128] == b"IM"
    order = "<" if little else ">"
    # The byte ranges of the miCOMPRESSED (15) elements' data.
    spans, pos = [], 128
    while pos + 8 <= len(blob):
        typ, n = struct.unpack(order + "II", bytes(blob[pos:pos + 8]))
        if typ >> 16:
            pos += 8
            continue
        if typ == 15:
            spans.append((pos + 8, pos + 8 + n))
            pos += 8 + n
        else:
            pos += 8 + (n + 7) // 8 * 8
    places = [b for a, e in spans for b in range(a, e)]
    if not places:
        sys.exit("flip-bits: no compressed element in " + path)
    os.makedirs(d, exist_ok=True)
    for i in range(k):
        at = places[(i * (len(places) - 1)) // max(k - 1, 1)]
        copy = bytearray(blob)
        copy[at] ^= 1 << (i % 8)
        with open(os.path.join(d, "%d.mat" % i), "wb") as f:
            f.write(copy)


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "expect-idx":
        expect_idx(sys.argv[2], sys.argv[3])
    elif cmd == "make-svhn":
        make_svhn(sys.argv[2])
    elif cmd == "make-dirs":
        make_dirs(sys.argv[2])
    elif cmd == "compare-npy":
        compare_npy(sys.argv[2], sys.argv[3])
    elif cmd == "flip-bits":
        flip_bits(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
