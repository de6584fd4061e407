//===- CstDialect.cpp - The tensor-level dialect --------------------------===//
#include "dialects/cst/IR/CstDialect.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::cst;

#include "dialects/cst/IR/CstOpsDialect.cpp.inc"
#include "dialects/cst/IR/CstEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "dialects/cst/IR/CstAttrs.cpp.inc"

void CstDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/cst/IR/CstAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/cst/IR/CstOps.cpp.inc"
      >();
}
