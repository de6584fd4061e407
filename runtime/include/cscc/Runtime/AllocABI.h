//===- AllocABI.h - checked allocation for generated code -------*- C++ -*-===//
//
// MLIR's generic allocation functions (Kernels.def's
// CSCC_ALLOCATION_FUNCTION), which the generated host code calls for every
// heap buffer (`finalize-memref-to-llvm{use-generic-functions=true}`).
// malloc's null result would otherwise be written through by the next
// loop (a segfault inside a parallel region, far from the cause). When the
// machine cannot give a buffer, the program ends here with exit status 1
// and "cscc runtime: error: out of memory: ..." naming the size and the
// fix; files already written are complete (checkpoints are written to a
// temporary and renamed).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_ALLOCABI_H
#define CSCC_RUNTIME_ALLOCABI_H

#include "cscc/Runtime/ConvABI.h" // RuntimeSymbol

#include <cstdint>
#include <vector>

namespace cscc::rt {
/// The three functions below, by name.
const std::vector<RuntimeSymbol> &allocationSymbols();
} // namespace cscc::rt

extern "C" {
void *_mlir_memref_to_llvm_alloc(uint64_t size);
void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size);
void _mlir_memref_to_llvm_free(void *ptr);
} // extern "C"

#endif // CSCC_RUNTIME_ALLOCABI_H
