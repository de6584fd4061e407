#!/usr/bin/env bash
# Installs everything cscc needs on a fresh Debian 12 machine, with apt.
# Idempotent and quiet: when every package is already there it prints one
# line and touches nothing.
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build g++ pkg-config
  # LLVM/MLIR 22 (keep mlir-22-tools: MLIR's CMake exports name it)
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
  # libraries the compiler and runtime use
  libfmt-dev libdnnl-dev libmatio-dev nlohmann-json3-dev libzstd-dev zlib1g-dev
  # the independent reference in tests (Debian's python3 only) and lit
  python3-torch python3-numpy
  # the default real data set (/usr/share/datasets/fashion-mnist)
  dataset-fashion-mnist
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    SUDO="sudo"
  else
    echo "setup: error: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
