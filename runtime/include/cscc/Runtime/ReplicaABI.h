//===- ReplicaABI.h - data-parallel collectives for generated code -*- C++ -*-===//
//
// The replica mean cst.replica_mean bufferizes into (Kernels.def,
// CSCC_REPLICA_MEAN_KERNEL): one contiguous 1-D buffer, replaced in place by
// the mean over the data-parallel replicas weighted by their batch shares
// (Replicas::mean). An MPI failure ends the program with a message naming
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
/// The replica-mean entry points below, by name.
const std::vector<RuntimeSymbol> &replicaSymbols();
} // namespace cscc::rt

extern "C" {
// _mlir_ciface_cscc_replica_mean_{f32,f64}
#define CSCC_REPLICA_MEAN_KERNEL(DTYPE, ELEM, T)                               \
  void CSCC_CIFACE(CSCC_REPLICA_MEAN_SYMBOL(ELEM))(                           \
      cscc::rt::MemRefDescriptor<T, 1> * x);
#include "cscc/Runtime/Kernels.def"
} // extern "C"

#endif // CSCC_RUNTIME_REPLICAABI_H
