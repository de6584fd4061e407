//===- CpuTarget.h - The host CPU -------------------------------*- C++ -*-===//
#ifndef CSCC_LIB_TARGET_CPU_CPUTARGET_H
#define CSCC_LIB_TARGET_CPU_CPUTARGET_H

#include "cscc/Target/Target.h"

namespace cscc {

/// The host CPU: the generated loops' outer parallel dimensions as OpenMP
/// worksharing loops (libomp), the convolutions the host library's
/// (oneDNN; loops for f64).
std::unique_ptr<Target> createCpuTarget(const TargetOptions &options);

} // namespace cscc

#endif
