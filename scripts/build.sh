#!/usr/bin/env bash
# Configures (once) and builds cscc into build/ (binaries in build/bin).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CSCC_BUILD_DIR:-$root/build}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null
fi
ninja -C "$build" "$@"
