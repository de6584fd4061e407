#!/usr/bin/python3
"""Converts the first COUNT images of an IDX file (plain or .gz, e.g.
Fashion-MNIST) to a float32 .npy [N, 1, H, W] scaled to [0, 1], and the
labels to an int64 .npy [N]. Until the runtime's own data loaders exist
(issue 5), this is how scripts/main.sh feeds real images to `cscc run`.

usage: idx_to_npy.py IMAGES.gz LABELS.gz COUNT OUT_X.npy OUT_Y.npy
"""
import gzip
import struct
import sys

import numpy as np


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        sys.exit("idx_to_npy: '%s' is not an IDX file (bad magic)" % path)
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    body = np.frombuffer(data[4 + 4 * dims:], dtype=np.uint8)
    if body.size != int(np.prod(shape)):
        sys.exit("idx_to_npy: '%s' is truncated: %d bytes of data for shape %s"
                 % (path, body.size, shape))
    return body.reshape(shape)


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    images, labels = read_idx(sys.argv[1]), read_idx(sys.argv[2])
    n = int(sys.argv[3])
    x = images[:n].astype(np.float32)[:, None] / 255.0
    np.save(sys.argv[4], x)
    np.save(sys.argv[5], labels[:n].astype(np.int64))


if __name__ == "__main__":
    main()
