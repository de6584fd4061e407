//===- RecomputeCheapProducers.cpp - cscc-recompute-cheap-producers -------===//
//
// A cheap elementwise op with several consumers is cloned, one copy per
// consumer, so that linalg-fuse-elementwise-ops (which fuses single-use
// producers only) folds it into each: its result is never written out.
// The ISTA step's scaling of a concatenation, read by the batch norm's two
// statistics, its normalisation and the next update, was a full pass
// writing and re-reading an activation: with it gone, the generated loops
// of a train step of MSD-CSC d6 unfold 2 move 10% fewer bytes
// (docs/compiler.md, "Fusion").
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCCRECOMPUTECHEAPPRODUCERS
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

struct RecomputeCheapProducersPass
    : mlir::cscc::impl::CsccRecomputeCheapProducersBase<
          RecomputeCheapProducersPass> {
  using Base::Base;

  /// An op worth recomputing in each consumer: elementwise on tensors, one
  /// result written at every point, a body of at most `maxOps` ops without
  /// index arithmetic, and at most one operand with as many dimensions as
  /// the op has loops (the others are per-channel or scalar broadcasts), so
  /// that a consumer reading that operand in place of the result reads no
  /// more.
  bool isCheap(linalg::GenericOp op) const {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
        op.getNumLoops() != op.getNumParallelLoops() || op.getNumLoops() == 0)
      return false;
    if (!op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isPermutation())
      return false;
    Block &body = op.getRegion().front();
    if (!body.getOps<linalg::IndexOp>().empty() ||
        body.getOperations().size() > maxOps + 1)
      return false;
    // The init's value must not be read (an accumulation into it is not a
    // pure function of the inputs that a copy could recompute freely).
    if (op.payloadUsesValueFromOperand(op.getDpsInitOperand(0)))
      return false;
    unsigned full = llvm::count_if(op.getDpsInputOperands(), [&](OpOperand *o) {
      return op.getMatchingIndexingMap(o).getNumResults() == op.getNumLoops();
    });
    return full <= 1;
  }

  /// A use that elementwise fusion can fold a copy of `producer` into,
  /// where the copy runs once per point of the producer: the consumer reads
  /// the result at every point of its own loops, one to one (a per-channel
  /// vector broadcast over an activation is not recomputed per pixel).
  static bool isFusableUse(linalg::GenericOp producer, OpOperand &use) {
    auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
    if (!consumer || !consumer.hasPureTensorSemantics() ||
        !consumer.isDpsInput(&use))
      return false;
    AffineMap map = consumer.getMatchingIndexingMap(&use);
    return map.isPermutation() && map.getNumResults() == producer.getNumLoops();
  }

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> cheap;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isCheap(op))
        cheap.push_back(op);
    });
    OpBuilder builder(&getContext());
    for (linalg::GenericOp op : cheap) {
      Value result = op->getResult(0);
      SmallVector<OpOperand *> fusable;
      bool otherUses = false;
      for (OpOperand &use : result.getUses()) {
        if (isFusableUse(op, use))
          fusable.push_back(&use);
        else
          otherUses = true;
      }
      // The original keeps the other uses, or else the first fusable one.
      size_t keep = otherUses ? 0 : 1;
      if (fusable.size() <= keep)
        continue;
      builder.setInsertionPointAfter(op);
      for (OpOperand *use : ArrayRef(fusable).drop_front(keep)) {
        Operation *copy = builder.clone(*op);
        use->set(copy->getResult(0));
      }
    }
  }
};

} // namespace
