#!/usr/bin/env bash
# On the GPU machine (see scripts/gpu-bundle.sh, run here first): the checks
# of the `REQUIRES: cuda-device` tests that need no compiler, with what that
# machine has (python3 with PyTorch, numpy, safetensors; cuDNN from PyTorch's
# pip packages):
#  1. the device check;
#  2. the cuDNN convolutions against PyTorch (float64 reference): fwd,
#     bwd_data, bwd_filter x f32, f64, the full grid of strides, dilations,
#     paddings and kernels, and strided views (test/Runtime/Inputs/conv_check.py);
#  3. the tiny model trained 2 epochs by its CUDA and CPU executables (same
#     seed, data, order): per-epoch losses, test accuracy, final weights;
#  4. training speed and device memory: bench/train_gpu.py, the README model
#     (CUDA and CPU executables) next to PyTorch (CUDA, CUDA with
#     cudnn.benchmark, CPU) from the same initial weights; its table is
#     $OUT/train-gpu.md (for bench/results/).
# Logs go to $OUT (or /tmp/cscc-gpu-out); the summary table comes last.
# usage: bash scripts/gpu-check.sh
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/cscc-gpu-out}
work=/tmp/cscc-gpu
mkdir -p "$out" "$work"
[ -f "$root/.gpu/lib.tar.xz" ] || { echo "gpu-check: no .gpu/lib.tar.xz: run scripts/gpu-bundle.sh here first and carry .gpu" >&2; exit 1; }
tar -C "$work" -xJf "$root/.gpu/lib.tar.xz"
export LD_LIBRARY_PATH=$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
py=${PYTHON:-python3}
if [ -z "${CSCC_CUDNN_LIBRARY:-}" ]; then
  d=$("$py" -c "import nvidia.cudnn, os; print(os.path.join(list(nvidia.cudnn.__path__)[0], 'lib'))" 2>/dev/null || true)
  [ -n "$d" ] && [ -f "$d/libcudnn.so.9" ] && export CSCC_CUDNN_LIBRARY=$d/libcudnn.so.9
fi
bin=$root/.gpu/bin
declare -a rows
row() { rows+=("$(printf '%-44s %s' "$1" "$2")"); echo "== $1: $2"; }

# 1. the device
if "$bin/cscc-runtime-check" cuda-device-check > "$out/device.txt" 2>&1; then
  row "device" "$(head -1 "$out/device.txt")"
else
  row "device" "NONE: $(head -1 "$out/device.txt")"
  # CSCC_GPU_CHECK_ANYWAY=1 goes on (to try this script on a machine
  # without a GPU: the CPU halves run, the CUDA ones fail with the reason)
  if [ -z "${CSCC_GPU_CHECK_ANYWAY:-}" ]; then printf '%s\n' "${rows[@]}"; exit 1; fi
fi

# 2. convolutions against PyTorch
# (a process per case, each starting CUDA and cuDNN: the six runs go
# side by side, or they would take most of a 10-minute device call)
declare -A pids
for op in fwd bwd_data bwd_filter; do
  for dt in f32 f64; do
    mkdir -p "$work/conv-$op-$dt"
    env -u CSCC_CUDNN_TF32 "$py" "$root/test/Runtime/Inputs/conv_check.py" "$bin/cscc-runtime-check" "$work/conv-$op-$dt" --op $op --dtype $dt --grid full --device cuda > "$out/conv-$op-$dt.txt" 2>&1 &
    pids[$op-$dt]=$!
  done
done
for op in fwd bwd_data bwd_filter; do
  for dt in f32 f64; do
    wait "${pids[$op-$dt]}"
    rc=$?
    row "conv $op $dt (vs PyTorch)" "rc=$rc $(grep -E '^(checked|failures)' "$out/conv-$op-$dt.txt" | tr '\n' ' ')"
  done
done

# 3. the tiny model, CUDA against CPU
for t in cuda cpu; do
  ( cd "$work" && rm -rf tiny-$t &&
    "$bin/tiny-$t" train --run-dir tiny-$t --progress plain > "$out/tiny-$t.txt" 2>&1 )
  rc=$?
  row "tiny train ($t)" "rc=$rc $(tail -1 "$out/tiny-$t.txt")"
done
"$py" "$root/test/Train/Inputs/same_run.py" "$out/tiny-cuda.txt" "$out/tiny-cpu.txt" --loss-rtol 1e-2 --accuracy 0.02 > "$out/tiny-same-run.txt" 2>&1
rc=$?
row "tiny losses/accuracy CUDA vs CPU" "rc=$rc $(tail -1 "$out/tiny-same-run.txt")"
"$py" "$root/test/Train/Inputs/close_weights.py" "$work/tiny-cuda/last.safetensors" "$work/tiny-cpu/last.safetensors" --rtol 2e-2 > "$out/tiny-weights.txt" 2>&1
rc=$?
row "tiny weights CUDA vs CPU" "rc=$rc $(tail -1 "$out/tiny-weights.txt")"

# 4. speed and memory next to PyTorch
"$py" "$root/bench/train_gpu.py" -o "$out/train-gpu.md" > "$out/train-gpu.txt" 2>&1
rc=$?
row "training img/s, cscc and PyTorch" "rc=$rc (table below, $out/train-gpu.md)"
echo
printf '%s\n' "${rows[@]}"
if [ -f "$out/train-gpu.md" ]; then echo; cat "$out/train-gpu.md"; fi
