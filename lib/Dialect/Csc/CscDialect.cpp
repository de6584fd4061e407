//===- CscDialect.cpp - The csc dialect -----------------------------------===//
#include "cscc/Dialect/Csc/CscDialect.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::csc;

#include "cscc/Dialect/Csc/CscOpsDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "cscc/Dialect/Csc/CscOpsTypes.cpp.inc"

void CscDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "cscc/Dialect/Csc/CscOpsTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "cscc/Dialect/Csc/CscOps.cpp.inc"
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
