//===- csc-opt.cpp - mlir-opt with the cscc dialects and passes -----------===//
#include "cscc/Conversion/Passes.h"
#include "cscc/Dialect/Csc/CscDialect.h"
#include "cscc/Dialect/Csc/Passes.h"
#include "cscc/Dialect/Cst/CstDialect.h"
#include "cscc/Dialect/Cst/Transforms.h"
#include "cscc/Execution/Pipeline.h"
#include "cscc/Interfaces/VjpOpInterface.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  // Upstream passes too, so that lit tests show every step of the
  // pipeline (one-shot-bufferize, linalg fusion, ...).
  mlir::registerAllPasses();
  mlir::csc::registerCscPasses();
  mlir::cscc::registerCsccPasses();
  cscc::registerCsccPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::csc::CscDialect, mlir::cst::CstDialect>();
  mlir::cst::registerBufferizableOpInterfaceExternalModels(registry);
  mlir::cscc::registerVjpExternalModels(registry);
  cscc::registerCudaExtensions(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "cscc optimizer driver\n", registry));
}
