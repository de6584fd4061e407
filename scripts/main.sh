#!/usr/bin/env bash
# The main job: set up, build, and train the README's MSD-CSC
# (examples/msd_csc_fmnist.csc) on Fashion-MNIST on the CPU, as its train
# section says (5 epochs, SGD with Nesterov momentum, cosine schedule),
# printing progress and, at the end, `test accuracy: 0.xxxx` (eval mode).
# Then the same model as a standalone executable (`cscc build`) evaluates
# the trained weights.
#
# The run directory build/runs/msd_csc_fmnist holds the checkpoints
# (last/best .safetensors, PyTorch names), metrics.jsonl and curves.svg.
# Flags after the script's name go to `cscc train` (e.g. --epochs 1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null
cscc="$root/build/bin/cscc"
model="$root/examples/msd_csc_fmnist.csc"
run="$root/build/runs/msd_csc_fmnist"
rm -rf "$run"
"$cscc" summary "$model"
"$cscc" train "$model" --run-dir "$run" "$@"
echo "checkpoints, metrics.jsonl and curves.svg: $run"
"$cscc" build "$model" -o "$root/build/msd_csc_fmnist"
"$root/build/msd_csc_fmnist" eval --run-dir "$run"
