#!/usr/bin/env bash
# The main job: set up, build, and compile the README's MSD-CSC for
# Fashion-MNIST (examples/msd_csc_fmnist.csc).
#
# Training it on the embedded Fashion-MNIST data needs the lowering, the
# generated backward pass and the training runtime (issues 3-5), which are
# not built yet; until then this shows what the compiler does today: the
# checked model with its shapes and parameter counts, and its csc dialect IR.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null
model="$root/examples/msd_csc_fmnist.csc"
"$root/build/bin/cscc" summary "$model"
mkdir -p "$root/build/out"
"$root/build/bin/cscc" --emit=mlir "$model" -o "$root/build/out/msd_csc_fmnist.mlir"
echo "csc dialect IR written to build/out/msd_csc_fmnist.mlir"
echo "training: not available yet (needs issues 3-5: lowering, backward, runtime)"
