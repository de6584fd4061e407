//===- Passes.h - Passes on the csc dialect ---------------------*- C++ -*-===//
#ifndef CSCC_DIALECTS_CSC_TRANSFORMS_PASSES_H
#define CSCC_DIALECTS_CSC_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::csc {

std::unique_ptr<Pass> createShapeInferencePass();

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "dialects/csc/Transforms/Passes.h.inc"

} // namespace mlir::csc

#endif
