//===- CscDialect.h - The csc dialect ---------------------------*- C++ -*-===//
#ifndef CSCC_DIALECT_CSC_CSCDIALECT_H
#define CSCC_DIALECT_CSC_CSCDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "cscc/Dialect/Csc/CscOpsDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "cscc/Dialect/Csc/CscOpsTypes.h.inc"

#include "cscc/Dialect/Csc/CscInterfaces.h.inc"

#define GET_OP_CLASSES
#include "cscc/Dialect/Csc/CscOps.h.inc"

#endif
