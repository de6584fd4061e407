//===- Target.cpp - What every target shares ------------------------------===//
#include "cscc/Target/Target.h"
#include "cscc/Execution/Pipeline.h"

#include "mlir/IR/BuiltinTypes.h"

#include <optional>
#include <sstream>

using namespace cscc;

Target::~Target() = default;

std::string Target::tensorLevelToLLVMPipeline() const {
  return tensorLevelToBuffersPipeline() + "," + buffersToLLVMPipeline();
}

mlir::FailureOr<std::string>
Target::convolutionKernel(mlir::cst::ConvolutionKind kind,
                          mlir::Type elementType) const {
  return convolutionKernelOf(kernelLibrary(), kind, elementType);
}

llvm::StringRef Target::deviceCheckSymbol() const {
  const char *name =
      rt::deviceFunctionSymbol(kernelLibrary(), rt::DeviceFunction::Check);
  return name ? name : "";
}

llvm::StringRef Target::deviceDescriptionSymbol() const {
  const char *name = rt::deviceFunctionSymbol(kernelLibrary(),
                                              rt::DeviceFunction::Description);
  return name ? name : "";
}

/// The runtime's element type for a kernel's `elementType`, if it has one.
static std::optional<rt::KernelDType> kernelDTypeOf(mlir::Type elementType) {
  if (elementType.isF32())
    return rt::KernelDType::F32;
  if (elementType.isF64())
    return rt::KernelDType::F64;
  return std::nullopt;
}

/// A kernel's symbol, failure for none.
static mlir::FailureOr<std::string> symbolOrFailure(const char *name) {
  if (!name)
    return mlir::failure();
  return std::string(name);
}

mlir::FailureOr<std::string>
cscc::convolutionKernelOf(rt::KernelLibrary library,
                          mlir::cst::ConvolutionKind kind,
                          mlir::Type elementType) {
  rt::Conv2dKind conv = rt::Conv2dKind::Forward;
  switch (kind) {
  case mlir::cst::ConvolutionKind::Forward:
    conv = rt::Conv2dKind::Forward;
    break;
  case mlir::cst::ConvolutionKind::BackwardData:
    conv = rt::Conv2dKind::BackwardData;
    break;
  case mlir::cst::ConvolutionKind::BackwardFilter:
    conv = rt::Conv2dKind::BackwardFilter;
    break;
  }
  std::optional<rt::KernelDType> dtype = kernelDTypeOf(elementType);
  if (!dtype)
    return mlir::failure();
  return symbolOrFailure(rt::conv2dKernelSymbol(library, conv, *dtype));
}

mlir::cst::KernelNaming cscc::bufferizationKernelNaming() {
  mlir::cst::KernelNaming naming;
  naming.convolution = [](mlir::cst::ConvolutionKind kind,
                          mlir::Type elementType) {
    return convolutionKernelOf(rt::KernelLibrary::Host, kind, elementType);
  };
  naming.convolutionPair = [](mlir::Type elementType)
      -> mlir::FailureOr<mlir::cst::ConvolutionPairKernel> {
    std::optional<rt::KernelDType> dtype = kernelDTypeOf(elementType);
    if (!dtype)
      return mlir::failure();
    mlir::FailureOr<std::string> symbol =
        symbolOrFailure(rt::conv2dPairKernelSymbol(*dtype));
    if (mlir::failed(symbol))
      return mlir::failure();
    mlir::cst::ConvolutionPairKernel kernel;
    kernel.symbol = *symbol;
    // The runtime's Conv2dKind, as the paired kernel takes it (ConvABI.h).
    kernel.kindCode = [](mlir::cst::ConvolutionKind kind) -> int64_t {
      switch (kind) {
      case mlir::cst::ConvolutionKind::Forward:
        return static_cast<int64_t>(rt::Conv2dKind::Forward);
      case mlir::cst::ConvolutionKind::BackwardData:
        return static_cast<int64_t>(rt::Conv2dKind::BackwardData);
      case mlir::cst::ConvolutionKind::BackwardFilter:
        return static_cast<int64_t>(rt::Conv2dKind::BackwardFilter);
      }
      return -1;
    };
    return kernel;
  };
  naming.replica = [](mlir::cst::ReplicaCollective kind,
                       mlir::Type elementType) -> mlir::FailureOr<std::string> {
    rt::ReplicaCollective collective = rt::ReplicaCollective::Mean;
    switch (kind) {
    case mlir::cst::ReplicaCollective::Mean:
      collective = rt::ReplicaCollective::Mean;
      break;
    case mlir::cst::ReplicaCollective::Sum:
      collective = rt::ReplicaCollective::Sum;
      break;
    case mlir::cst::ReplicaCollective::MeanStart:
      collective = rt::ReplicaCollective::MeanStart;
      break;
    case mlir::cst::ReplicaCollective::MeanWait:
      collective = rt::ReplicaCollective::MeanWait;
      break;
    }
    std::optional<rt::KernelDType> dtype = kernelDTypeOf(elementType);
    if (!dtype)
      return mlir::failure();
    return symbolOrFailure(
        rt::replicaKernelSymbol(rt::KernelLibrary::Host, collective, *dtype));
  };
  return naming;
}

static std::vector<std::string> splitLibraries(const std::string &list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, '|'))
    if (!item.empty())
      out.push_back(item);
  return out;
}

std::vector<std::string>
cscc::hostExecutableLibraries(llvm::ArrayRef<std::string> targetLibraries) {
  // The executable's main and the trainer, then what uses the host runtime,
  // then the host runtime and the system libraries (as CMake found them:
  // lib/Target/CMakeLists.txt).
  std::vector<std::string> libraries =
      splitLibraries(CSCC_EXECUTABLE_PROGRAM_LIBS);
  libraries.insert(libraries.end(), targetLibraries.begin(),
                   targetLibraries.end());
  for (std::string &lib : splitLibraries(CSCC_EXECUTABLE_RUNTIME_LIBS))
    libraries.push_back(std::move(lib));
  return libraries;
}
