//===- Registration.cpp - Everything a compiler context needs ------------===//
#include "cscc/Registration.h"
#include "cscc/Target/Target.h"
#include "cscc/Conversion/CscToCst/DictionaryLowering.h"
#include "cscc/Conversion/Passes.h"
#include "dialects/csc/IR/CscDialect.h"
#include "dialects/csc/Transforms/Passes.h"
#include "dialects/cst/IR/CstDialect.h"
#include "dialects/cst/IR/VjpOpInterface.h"
#include "dialects/cst/Transforms/BufferizableOpInterfaceImpl.h"
#include "dialects/cst/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"

void cscc::registerDialects(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::csc::CscDialect, mlir::cst::CstDialect>();
  // Convolutions bufferize into calls of the host library's kernels,
  // whatever the target (the buffer pipeline is shared).
  mlir::cst::registerBufferizableOpInterfaceExternalModels(
      registry, cscc::bufferizationKernelNaming());
  mlir::cst::registerVjpExternalModels(registry);
  mlir::cscc::registerDictionaryLoweringModels(registry);
}

void cscc::registerPasses() {
  // Upstream passes too, so that lit tests and pipelines name every step
  // (one-shot-bufferize, linalg fusion, ...).
  mlir::registerAllPasses();
  mlir::csc::registerCscPasses();
  mlir::cst::registerCstPasses();
  mlir::cscc::registerCsccPasses();
}
