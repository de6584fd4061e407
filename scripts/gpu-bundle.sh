#!/usr/bin/env bash
# Prepares what the GPU machine runs (docs/design.md §3: it has no MLIR, no package
# registry and none of Debian's libraries): .gpu/ in the repository root,
# ignored by git, carried with the device tool's `carry: [".gpu"]`, then
# run there with scripts/gpu-check.sh.
#   .gpu/bin/   cscc-runtime-check, and the executables `cscc build` makes
#               for --target cuda and for the CPU of test/Train/Inputs/tiny.csc
#               and examples/msd_csc_fmnist.csc
#   .gpu/msd-init.safetensors  that model's initial weights (--seed 1), for
#               bench/train_gpu.py's PyTorch peer
#   .gpu/lib.tar.xz  the shared libraries they load that are not glibc or
#               the C++ runtime (oneDNN, matio, HDF5, LLVM's OpenMP, ...;
#               ~60 MB, 14 MB compressed: the carry limit is 64 MiB)
# usage: scripts/gpu-bundle.sh [BUILD_DIR]   (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
bin=$build/bin
for tool in cscc cscc-runtime-check; do
  [ -x "$bin/$tool" ] || { echo "gpu-bundle: no $bin/$tool: build first (scripts/build.sh)" >&2; exit 1; }
done
out=$root/.gpu
rm -rf "$out" && mkdir -p "$out/bin" "$out/lib"
cp "$bin/cscc-runtime-check" "$out/bin/"
"$bin/cscc" build "$root/test/Train/Inputs/tiny.csc" -o "$out/bin/tiny-cuda" --target cuda
"$bin/cscc" build "$root/test/Train/Inputs/tiny.csc" -o "$out/bin/tiny-cpu"
"$bin/cscc" build "$root/examples/msd_csc_fmnist.csc" -o "$out/bin/msd-cuda" --target cuda
"$bin/cscc" build "$root/examples/msd_csc_fmnist.csc" -o "$out/bin/msd-cpu"
# the initial weights both peers of bench/train_gpu.py start from
"$bin/cscc" init "$root/examples/msd_csc_fmnist.csc" --seed 1 -o "$out/msd-init.safetensors"
for f in $(ldd "$out"/bin/* | awk '/=>/ { print $3 }' | sort -u); do
  case $(basename "$f") in
    libc.so*|libm.so*|libstdc++*|libgcc_s*|ld-linux*|libpthread*|libdl.so*|librt.so*) ;;
    *) cp -L "$f" "$out/lib/" ;;
  esac
done
tar -C "$out" -cJf "$out/lib.tar.xz" lib
rm -rf "$out/lib"
du -sh "$out"
echo "gpu-bundle: carry .gpu, run: bash scripts/gpu-check.sh"
