#!/usr/bin/env bash
# Builds the libFuzzer targets (tools/cscc-fuzz) with clang-22 into
# build-fuzz/ and runs one of them.
#
#   scripts/fuzz.sh [--target frontend|pipeline] [--time SECONDS]
#                   [--build-only] [-- LIBFUZZER_FLAGS...]
#   scripts/fuzz.sh --target T --repro FILE...   # rerun saved inputs
#
# frontend (default): parse, checks and expansion, as `cscc summary` does.
# pipeline: small models the front end accepts through --emit=cst, init and
# run on 3 images (slow: one JIT compilation per input).
# The seed corpus is assembled at each run from examples/ and the tests'
# .csc files (test/**/*.csc and the .csc parts of split-file tests); the
# corpus libFuzzer grows is kept in build-fuzz/corpus/T, findings (crash-*,
# timeout-*, oom-*, leak-*; slow-unit-* are only reports) go to
# build-fuzz/findings/T/. Installs clang-22 and libclang-rt-22-dev with apt
# when they are missing.
# Environment: CSCC_FUZZ_BUILD_DIR (build-fuzz), CSCC_FUZZ_SANITIZERS
# (address,undefined), CSCC_FUZZ_JOBS (ninja -j, 2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CSCC_FUZZ_BUILD_DIR:-$root/build-fuzz}"
target=frontend
seconds=600
build_only=0
repro=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --time) seconds="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --repro) shift; repro=("$@"); break ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$target" in
  # The front end's budgets at their limits (10^7 loop iterations, 5 * 10^7
  # evaluation steps) take 15 s under the sanitizers on one free core, a
  # minute on a loaded one: reported as slow-unit-* (not findings), below
  # the timeout.
  frontend) limits=(-max_len=65536 -timeout=120 -rss_limit_mb=2048) ;;
  pipeline) limits=(-max_len=4096 -timeout=120 -rss_limit_mb=6144) ;;
  *) echo "fuzz.sh: --target is frontend or pipeline, not '$target'" >&2; exit 2 ;;
esac

clang=/usr/lib/llvm-22/bin/clang
if [ ! -x "$clang" ] || [ -z "$(ls /usr/lib/llvm-22/lib/clang/*/lib/*/libclang_rt.fuzzer*.a 2>/dev/null)" ]; then
  echo "fuzz.sh: installing clang-22 and libclang-rt-22-dev" >&2
  sudo=(); [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get install -y --no-install-recommends clang-22 libclang-rt-22-dev >/dev/null
fi

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" \
    -DCMAKE_C_COMPILER="$clang" -DCMAKE_CXX_COMPILER="$clang++" \
    -DCSCC_FUZZ=ON -DCSCC_FUZZ_SANITIZERS="${CSCC_FUZZ_SANITIZERS-address,undefined}" \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null
fi
ninja -C "$build" -j "${CSCC_FUZZ_JOBS:-2}" "cscc-fuzz-$target"
[ "$build_only" = 1 ] && exit 0

fuzzer="$build/bin/cscc-fuzz-$target"
findings="$build/findings/$target"
mkdir -p "$findings"
# Sanitizer reports end the run with symbolized stacks; LeakSanitizer is
# libFuzzer's -detect_leaks. No user poisoning: LLVM's BumpPtrAllocator
# poisons its slabs when inlined into instrumented code, and Debian's
# uninstrumented libMLIR never unpoisons what it then allocates from them
# (a false use-after-poison). One thread: the machine is shared.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:allow_user_poisoning=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-22/bin/llvm-symbolizer}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
if [ ${#repro[@]} -gt 0 ]; then
  exec "$fuzzer" "${limits[@]}" "${repro[@]}"
fi

# The seed corpus: every model the repository has, fresh at each run (one
# directory per target, so that both can run at once).
seeds="$build/seeds/$target"
rm -rf "$seeds" && mkdir -p "$seeds"
n=0
while IFS= read -r -d '' f; do
  cp "$f" "$seeds/$(printf '%04d' $n)-$(basename "$f")"; n=$((n + 1))
done < <(find "$root/examples" "$root/test" -name '*.csc' -type f -print0 | sort -z)
# The .csc parts of split-file tests (test/Diagnostics, test/Frontend, ...).
parts="$build/seeds/$target-split"
while IFS= read -r -d '' t; do
  rm -rf "$parts" && mkdir -p "$parts"
  /usr/lib/llvm-22/bin/split-file "$t" "$parts" 2>/dev/null || continue
  while IFS= read -r -d '' f; do
    cp "$f" "$seeds/$(printf '%04d' $n)-$(basename "$f")"; n=$((n + 1))
  done < <(find "$parts" -name '*.csc' -type f -print0 | sort -z)
done < <(grep -rlZ --include='*.test' '^#--- .*\.csc' "$root/test" | sort -z)
rm -rf "$parts"
echo "fuzz.sh: $n seed inputs; corpus $build/corpus/$target; findings $findings" >&2

corpus="$build/corpus/$target"
mkdir -p "$corpus"
"$fuzzer" "${limits[@]}" -max_total_time="$seconds" \
  -dict="$root/tools/cscc-fuzz/csc.dict" -artifact_prefix="$findings/" \
  -print_final_stats=1 "${extra[@]}" "$corpus" "$seeds"
