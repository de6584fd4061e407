//===- ReplicaABI.h - data-parallel collectives for generated code -*- C++ -*-===//
//
// The collectives cst.replica_mean, cst.replica_sum and the started mean
// (cst.replica_mean_start, cst.replica_mean_wait) bufferize into
// (Kernels.def, CSCC_REPLICA_KERNEL): one contiguous 1-D buffer, replaced
// in place by the mean over the data-parallel replicas weighted by their
// batch shares (Replicas::mean, startMean/waitMean), or their sum
// (Replicas::sum). An MPI failure ends the program with a message naming
// the call (exceptions cannot cross generated code).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_REPLICAABI_H
#define CSCC_RUNTIME_REPLICAABI_H

#include "cscc/Runtime/ConvABI.h" // RuntimeSymbol
#include "cscc/Runtime/Kernels.h"
#include "cscc/Runtime/MemRef.h"

#include <vector>

namespace cscc::rt {
/// The collectives' entry points below, by name.
const std::vector<RuntimeSymbol> &replicaSymbols();
} // namespace cscc::rt

extern "C" {
// _mlir_ciface_cscc_replica_{mean,sum,mean_start,mean_wait}_{f32,f64}
#define CSCC_REPLICA_KERNEL(KIND, OP, DTYPE, ELEM, T)                          \
  void CSCC_CIFACE(CSCC_REPLICA_SYMBOL(OP, ELEM))(                            \
      cscc::rt::MemRefDescriptor<T, 1> * x);
#include "cscc/Runtime/Kernels.def"
} // extern "C"

#endif // CSCC_RUNTIME_REPLICAABI_H
