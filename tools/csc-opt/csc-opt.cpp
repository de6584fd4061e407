//===- csc-opt.cpp - cscc's mlir-opt ------------------------------------===//
//
// The dialects, passes and pipelines, every target's included; no runtime
// (test/Layering/csc-opt-deps.test).
//
//===----------------------------------------------------------------------===//
#include "cscc/Execution/Pipeline.h"
#include "cscc/Registration.h"
#include "cscc/Target/Target.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  cscc::registerPasses();
  cscc::registerCsccPipelines();
  cscc::registerTargetPassPipelines();

  mlir::DialectRegistry registry;
  cscc::registerDialects(registry);
  cscc::registerTargetExtensions(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "cscc optimizer driver\n", registry));
}
