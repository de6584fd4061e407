//===- RuntimeSymbols.cpp - The runtime functions linked into cscc --------===//
#include "cscc/Execution/RuntimeSymbols.h"
#include "cscc/Runtime/AllocABI.h"
#include "cscc/Runtime/ConvABI.h"
#include "cscc/Runtime/ReplicaABI.h"
#ifdef CSCC_HAVE_CUDA_RUNTIME
#include "cscc/Runtime/Cuda.h"
#endif
#include "cscc/Target/Target.h"

#include "llvm/ADT/StringMap.h"

#include <stdexcept>

using namespace cscc;

void *cscc::findRuntimeSymbol(llvm::StringRef name) {
  // Every runtime library cscc links (CMake decides which: the CUDA one
  // exists when the toolkit's headers were found), by symbol. Referencing
  // their tables also keeps a static link from dropping the functions.
  static const llvm::StringMap<void *> symbols = [] {
    llvm::StringMap<void *> map;
    for (const rt::RuntimeSymbol &s : rt::convolutionSymbols())
      map[s.name] = s.address;
    for (const rt::RuntimeSymbol &s : rt::allocationSymbols())
      map[s.name] = s.address;
    for (const rt::RuntimeSymbol &s : rt::replicaSymbols())
      map[s.name] = s.address;
#ifdef CSCC_HAVE_CUDA_RUNTIME
    for (const rt::RuntimeSymbol &s : rt::cudaSymbols())
      map[s.name] = s.address;
#endif
    return map;
  }();
  auto it = symbols.find(name);
  return it == symbols.end() ? nullptr : it->second;
}

/// A device function of `target` (`const char *(void)`), or nullptr when
/// the target has none.
static const char *callDeviceFunction(const Target &target,
                                      llvm::StringRef symbol) {
  if (symbol.empty())
    return nullptr;
  void *address = findRuntimeSymbol(symbol);
  if (!address)
    throw std::runtime_error("--target " + target.name().str() +
                             ": this cscc was built without the runtime "
                             "function " +
                             symbol.str());
  return reinterpret_cast<const char *(*)()>(address)();
}

std::optional<std::string> cscc::targetDeviceError(const Target &target) {
  if (const char *why = callDeviceFunction(target, target.deviceCheckSymbol()))
    return std::string(why);
  return std::nullopt;
}

std::string cscc::targetDeviceDescription(const Target &target) {
  const char *text =
      callDeviceFunction(target, target.deviceDescriptionSymbol());
  return text ? text : "";
}
