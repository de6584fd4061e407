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
  # Lanczos for the dictionaries' Lipschitz constants (header-only, Eigen)
  libspectra-dev
  # the independent reference in tests (Debian's python3 only) and lit;
  # scipy writes MATLAB files (SVHN) for the loader tests; venv + pip give
  # the tests PyTorch's own safetensors loader (not packaged in Debian 12)
  python3-torch python3-numpy python3-scipy python3-venv python3-pip
  # LLVM's OpenMP runtime for the generated parallel loops
  libomp-22-dev
  # the default real data set (/usr/share/datasets/fashion-mnist)
  dataset-fashion-mnist
  # GoogleTest for the runtime's unit tests (runtime/unittests)
  libgtest-dev
  # Open MPI: data-parallel training (`mpirun -np N cscc train ...`) and
  # its tests
  libopenmpi-dev openmpi-bin
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The tests' Python: Debian's python3 with its torch and numpy, plus the
# safetensors package from PyPI (safetensors.torch.load_file is how a
# PyTorch user reads cscc's checkpoints).
root="$(cd "$(dirname "$0")/.." && pwd)"
setup_test_python() {
  local venv="$root/.venv"
  if [ -x "$venv/bin/python" ] &&
     "$venv/bin/python" -c "import safetensors.torch" 2>/dev/null; then
    return
  fi
  echo "setup: creating $venv (Debian python3 + safetensors from PyPI)"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check safetensors==0.5.3
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  setup_test_python
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
setup_test_python
