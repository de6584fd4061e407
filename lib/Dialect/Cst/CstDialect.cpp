//===- CstDialect.cpp - The tensor-level dialect --------------------------===//
#include "cscc/Dialect/Cst/CstDialect.h"

using namespace mlir;
using namespace mlir::cst;

#include "cscc/Dialect/Cst/CstOpsDialect.cpp.inc"

void CstDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "cscc/Dialect/Cst/CstOps.cpp.inc"
      >();
}
