//===- csc-opt.cpp - mlir-opt with the csc dialect and passes -------------===//
#include "cscc/Dialect/Csc/CscDialect.h"
#include "cscc/Dialect/Csc/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses(); // canonicalize, cse, ...
  mlir::csc::registerCscPasses();

  mlir::DialectRegistry registry;
  registry.insert<mlir::csc::CscDialect, mlir::func::FuncDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "csc optimizer driver\n", registry));
}
