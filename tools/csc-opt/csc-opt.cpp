//===- csc-opt.cpp - cscc's mlir-opt ------------------------------------===//
#include "cscc/Execution/Pipeline.h"
#include "cscc/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  cscc::registerPasses();
  cscc::registerCsccPipelines();

  mlir::DialectRegistry registry;
  cscc::registerDialects(registry);
  cscc::registerCudaExtensions(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "cscc optimizer driver\n", registry));
}
