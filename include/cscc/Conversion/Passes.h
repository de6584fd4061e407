//===- Passes.h - Lowering passes of cscc -----------------------*- C++ -*-===//
#ifndef CSCC_CONVERSION_PASSES_H
#define CSCC_CONVERSION_PASSES_H

#include "dialects/csc/IR/CscDialect.h"
#include "dialects/cst/IR/CstDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::cscc {

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "cscc/Conversion/Passes.h.inc"

} // namespace mlir::cscc

#endif
