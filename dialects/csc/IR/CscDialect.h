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

namespace mlir::csc {
/// How many batch-norm tensors one pursuit level with `iterations` prox
/// applications has (csc.pursuit's `bn_params` layout): weight and bias once
/// or per iteration, then a running mean and variance per iteration (bn =
/// prox) or once (bn = analysis, D^T X being the same in every iteration).
int64_t pursuitBnTensorCount(BnPlacement bn, BnAffine affine,
                             int64_t iterations);
} // namespace mlir::csc

#endif
