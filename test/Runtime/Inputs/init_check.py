"""Checks `cscc-runtime-check init` against its documented definition
(runtime/include/cscc/Runtime/Init.h) and against the statistics the kinds
must have.

  init_check.py TOOL TMP exact   values equal an independent Python
                                 implementation of mt19937_64 + Box-Muller
  init_check.py TOOL TMP stats   mean, std and the 1-sigma fraction of large
                                 tensors are those of N(0, sigma^2)
"""
import math
import os
import subprocess
import sys

import numpy as np

M64 = (1 << 64) - 1


class MT19937_64:
    """The C++ standard's std::mt19937_64."""

    def __init__(self, seed):
        self.mt = [seed & M64]
        for i in range(1, 312):
            prev = self.mt[-1]
            self.mt.append((6364136223846793005 * (prev ^ (prev >> 62)) + i)
                           & M64)
        self.i = 312

    def next(self):
        if self.i >= 312:
            mt = self.mt
            for k in range(312):
                x = (mt[k] & 0xFFFFFFFF80000000) | (mt[(k + 1) % 312]
                                                    & 0x7FFFFFFF)
                xa = x >> 1
                if x & 1:
                    xa ^= 0xB5026F5AA96619E9
                mt[k] = mt[(k + 156) % 312] ^ xa
            self.i = 0
        x = self.mt[self.i]
        self.i += 1
        x ^= (x >> 29) & 0x5555555555555555
        x ^= (x << 17) & 0x71D67FFFEDA60000
        x ^= (x << 37) & 0xFFF7EEE000000000
        x ^= x >> 43
        return x & M64


def normals(seed, n):
    g = MT19937_64(seed)
    out = []
    while len(out) < n:
        u1 = (g.next() >> 11) * 2.0 ** -53
        u2 = (g.next() >> 11) * 2.0 ** -53
        r = math.sqrt(-2.0 * math.log(1.0 - u1))
        out += [r * math.cos(2.0 * math.pi * u2),
                r * math.sin(2.0 * math.pi * u2)]
    return out[:n]


def run(tool, tmp, kind, shape, seed, dtype):
    out = os.path.join(tmp, "%s-%s-%d-%s.npy" % (kind, "x".join(map(str, shape)),
                                                 seed, dtype))
    subprocess.run([tool, "init", kind, ",".join(map(str, shape)), "--seed",
                    str(seed), "--dtype", dtype, "-o", out], check=True)
    return np.load(out)


def exact(tool, tmp):
    # The standard's check value: the 10000th output of a default-seeded
    # (5489) mt19937_64.
    g = MT19937_64(5489)
    for _ in range(9999):
        g.next()
    assert g.next() == 9981545732273789042, "the Python mt19937_64 is wrong"
    bad = 0
    for kind, shape, seed in [("kaiming", (4, 3, 3, 3), 5),
                              ("kaiming", (10, 7), 0),
                              ("authors", (5, 2, 3, 3), 123),
                              ("kaiming", (3, 5), 2 ** 63 + 17 - 2 ** 64)]:
        fan_in = int(np.prod(shape[1:]))
        scale = (math.sqrt(2.0 / fan_in) if kind == "kaiming"
                 else 0.1 / math.sqrt(fan_in))
        want = np.array([z * scale for z in
                         normals(seed & M64, int(np.prod(shape)))]
                        ).reshape(shape)
        for dtype, npt in (("f64", np.float64), ("f32", np.float32)):
            got = run(tool, tmp, kind, shape, seed, dtype)
            w = want.astype(npt)
            if got.dtype != npt or got.shape != shape or \
                    got.tobytes() != w.tobytes():
                print("FAIL %s %s seed %d %s: max diff %g" % (
                    kind, shape, seed, dtype,
                    np.abs(got.astype(np.float64) - want).max()))
                bad += 1
            else:
                print("EXACT %s %s seed %d %s" % (kind, shape, seed, dtype))
    for kind, value in (("zeros", 0.0), ("ones", 1.0)):
        got = run(tool, tmp, kind, (3, 4), 1, "f32")
        if not np.array_equal(got, np.full((3, 4), value, np.float32)):
            print("FAIL %s" % kind)
            bad += 1
        else:
            print("EXACT %s" % kind)
    return bad


def stats(tool, tmp):
    bad = 0
    for kind, shape, seed in [("kaiming", (128, 64, 3, 3), 1),
                              ("kaiming", (100, 784), 2),
                              ("authors", (64, 32, 3, 3), 3)]:
        a = run(tool, tmp, kind, shape, seed, "f32").astype(np.float64)
        n = a.size
        fan_in = int(np.prod(shape[1:]))
        sigma = (math.sqrt(2.0 / fan_in) if kind == "kaiming"
                 else 0.1 / math.sqrt(fan_in))
        mean, std = a.mean(), a.std()
        within = np.mean(np.abs(a) < sigma)
        # Tolerances are ~6 standard errors: mean sigma/sqrt(n), std
        # sigma/sqrt(2n), the 1-sigma fraction sqrt(p(1-p)/n).
        checks = [abs(mean) < 6 * sigma / math.sqrt(n),
                  abs(std / sigma - 1) < 6 / math.sqrt(2 * n),
                  abs(within - 0.682689) < 6 * math.sqrt(0.2166 / n)]
        line = "%s %s: n %d mean %.2e std/sigma %.4f within-1-sigma %.4f" % (
            kind, shape, n, mean, std / sigma, within)
        if all(checks):
            print("STATS-OK " + line)
        else:
            print("FAIL " + line)
            bad += 1
    return bad


def main():
    tool, tmp, what = sys.argv[1:4]
    os.makedirs(tmp, exist_ok=True)
    bad = exact(tool, tmp) if what == "exact" else stats(tool, tmp)
    print("failures %d" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
