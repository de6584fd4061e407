//===- SyncBatchNorm.cpp - batch norm over the global batch ---------------===//
//
// cst-sync-batch-norm: every cst.batch_norm_train gets `sync`, which its
// lowering reads (Passes.td; lib/Conversion/CstToLinalg/Normalization.cpp).
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/Transforms/Passes.h"

namespace mlir::cst {
#define GEN_PASS_DEF_CSTSYNCBATCHNORM
#include "dialects/cst/Transforms/Passes.h.inc"
} // namespace mlir::cst

using namespace mlir;

namespace {

struct SyncBatchNormPass
    : mlir::cst::impl::CstSyncBatchNormBase<SyncBatchNormPass> {
  using Base::Base;

  void runOnOperation() override {
    getOperation().walk(
        [](cst::BatchNormTrainOp op) { op.setSync(true); });
  }
};

} // namespace
