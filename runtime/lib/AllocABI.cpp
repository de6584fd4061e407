//===- AllocABI.cpp - checked allocation for generated code ---------------===//
#include "cscc/Runtime/AllocABI.h"

#include <cstdio>
#include <cstdlib>

namespace {
[[noreturn]] void outOfMemory(uint64_t size) {
  std::fflush(stdout);
  std::fprintf(stderr,
               "cscc runtime: error: out of memory: the model's generated "
               "code needs a buffer of %llu bytes (%.3g GiB) that this "
               "machine cannot give; train or run with a smaller batch "
               "(--batch, --batch-size) or make the model's activations "
               "smaller (`cscc summary` lists their shapes)\n",
               static_cast<unsigned long long>(size),
               static_cast<double>(size) / (1u << 30));
  std::fflush(stderr);
  // Not exit(): this may run on an OpenMP worker, and exit's handlers
  // would tear down the runtime under the other threads.
  std::_Exit(1);
}
} // namespace

extern "C" void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  void *p = std::malloc(size);
  if (!p && size)
    outOfMemory(size);
  return p;
}

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment,
                                                     uint64_t size) {
  // aligned_alloc wants a multiple of the alignment (a power of two).
  uint64_t rounded = (size + alignment - 1) / alignment * alignment;
  void *p = rounded >= size ? std::aligned_alloc(alignment, rounded) : nullptr;
  if (!p && size)
    outOfMemory(size);
  return p;
}

extern "C" void _mlir_memref_to_llvm_free(void *ptr) { std::free(ptr); }

const std::vector<cscc::rt::RuntimeSymbol> &cscc::rt::allocationSymbols() {
  static const std::vector<RuntimeSymbol> symbols = {
#define CSCC_ALLOCATION_FUNCTION(NAME) {#NAME, reinterpret_cast<void *>(&NAME)},
#include "cscc/Runtime/Kernels.def"
  };
  return symbols;
}
