//===- CscDialect.cpp - The csc dialect -----------------------------------===//
#include "dialects/csc/IR/CscDialect.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::csc;

#include "dialects/csc/IR/CscOpsDialect.cpp.inc"
#include "dialects/csc/IR/CscEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "dialects/csc/IR/CscAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/csc/IR/CscOpsTypes.cpp.inc"

void CscDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/csc/IR/CscAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/csc/IR/CscOpsTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/csc/IR/CscOps.cpp.inc"
      >();
}

LogicalResult DictType::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t signal, int64_t code) {
  if (signal < 1 || code < 1)
    return emitError() << "a dictionary needs at least one signal and one "
                          "code channel, got "
                       << signal << " -> " << code;
  return success();
}
