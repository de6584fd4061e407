//===- CstDialect.cpp - The tensor-level dialect --------------------------===//
#include "dialects/cst/IR/CstDialect.h"

using namespace mlir;
using namespace mlir::cst;

#include "dialects/cst/IR/CstOpsDialect.cpp.inc"

void CstDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/cst/IR/CstOps.cpp.inc"
      >();
}
