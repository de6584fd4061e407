"""Random float64 weights for a tensor-level model (.mlir): every argument
named by `cst.param` gets N(0, 1) * scale values (filters scaled by
1/sqrt(fan_in)), written as safetensors for `cscc grad --weights`.

usage: random_weights.py MODEL.mlir OUT.safetensors [--seed S]
"""
import argparse
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "..", "..", "reference"))
from cscc_io import write_safetensors  # noqa: E402

ARG = re.compile(r'tensor<([0-9x]+)xf64>\s*\{[^}]*cst\.param = "([^"]+)"[^}]*\}')

ap = argparse.ArgumentParser()
ap.add_argument("model")
ap.add_argument("out")
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
rng = np.random.default_rng(a.seed)
tensors = {}
for dims, name in ARG.findall(open(a.model).read()):
    shape = [int(d) for d in dims.split("x")]
    scale = 1.0 / np.sqrt(np.prod(shape[1:])) if len(shape) > 1 else 1.0
    tensors[name] = rng.standard_normal(shape) * scale
    if "var" in name:  # a variance must be positive
        tensors[name] = np.abs(tensors[name]) + 0.5
if not tensors:
    sys.exit("no cst.param arguments of f64 type in " + a.model)
write_safetensors(a.out, tensors)
