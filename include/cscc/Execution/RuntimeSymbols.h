//===- RuntimeSymbols.h - The runtime functions linked into cscc -*- C++ -*-===//
//
// A target names the runtime functions its code calls (Target::
// runtimeSymbols, deviceCheckSymbol); this finds them in the runtime
// libraries this cscc links (the host runtime's convolutions, the CUDA
// runtime's entry points when it was built), for the JIT and for the
// driver's device check.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_EXECUTION_RUNTIMESYMBOLS_H
#define CSCC_EXECUTION_RUNTIMESYMBOLS_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace cscc {

class Target;

/// The address of the runtime function `name`, or nullptr when this cscc
/// links none of that name.
void *findRuntimeSymbol(llvm::StringRef name);

/// Runs the target's device check here: nullopt when the target runs on the
/// host alone or its device can run code, else why not (the runtime's
/// message). A std::runtime_error if cscc lacks the check.
std::optional<std::string> targetDeviceError(const Target &target);

/// The target's device, for people ("" for a target without one); only
/// after targetDeviceError said nothing.
std::string targetDeviceDescription(const Target &target);

} // namespace cscc

#endif
