//===- CscDialect.h - The csc dialect ---------------------------*- C++ -*-===//
#ifndef CSCC_DIALECTS_CSC_IR_CSCDIALECT_H
#define CSCC_DIALECTS_CSC_IR_CSCDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/csc/IR/CscOpsDialect.h.inc"

#include "dialects/csc/IR/CscEnums.h.inc"
#define GET_ATTRDEF_CLASSES
#include "dialects/csc/IR/CscAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/csc/IR/CscOpsTypes.h.inc"

#include "dialects/csc/IR/CscInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/csc/IR/CscOps.h.inc"

#endif
