//===- Passes.h - Transforms of the cst dialect -----------------*- C++ -*-===//
#ifndef CSCC_DIALECTS_CST_TRANSFORMS_PASSES_H
#define CSCC_DIALECTS_CST_TRANSFORMS_PASSES_H

#include "dialects/cst/IR/CstDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::cst {

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "dialects/cst/Transforms/Passes.h.inc"

} // namespace mlir::cst

#endif
