//===- PlaceConcatBuffers.cpp - Concatenation buffers before their inputs -===//
//
// eliminate-empty-tensors redirects an input's producer into its slice of
// a concatenation only when the concatenation's tensor.empty dominates the
// producer; this pass moves it there (never further up).
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"
namespace mlir::cscc {
#define GEN_PASS_DEF_CSCCPLACECONCATBUFFERS
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc
using namespace mlir;
namespace {
struct PlaceConcatBuffersPass
    : mlir::cscc::impl::CsccPlaceConcatBuffersBase<PlaceConcatBuffersPass> {
  void runOnOperation() override {
    SmallVector<tensor::EmptyOp> empties;
    getOperation().walk([&](tensor::EmptyOp e) { empties.push_back(e); });
    // CSE merges identical empties; each concatenation needs its own (an
    // empty tensor has no contents, so one per use is the same program).
    for (tensor::EmptyOp empty : empties) {
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : empty->getUses())
        uses.push_back(&use);
      for (OpOperand *use : llvm::drop_begin(uses)) {
        OpBuilder b(empty);
        use->set(b.clone(*empty)->getResult(0));
      }
    }
    empties.clear();
    getOperation().walk([&](tensor::EmptyOp e) { empties.push_back(e); });
    for (tensor::EmptyOp empty : empties)
      place(empty);
  }
  /// Follows empty -> insert_slice -> insert_slice ... (one
  /// concatenation) and moves `empty` before the earliest input producer,
  /// if its sizes (the batch) are known there.
  void place(tensor::EmptyOp empty) {
    Block *block = empty->getBlock();
    Operation *earliest = nullptr;
    Value dest = empty.getResult();
    while (dest.hasOneUse()) {
      auto ins = dyn_cast<tensor::InsertSliceOp>(*dest.getUsers().begin());
      if (!ins || ins.getDest() != dest)
        break;
      Operation *producer = ins.getSource().getDefiningOp();
      if (producer && producer->getBlock() == block &&
          (!earliest || producer->isBeforeInBlock(earliest)))
        earliest = producer;
      dest = ins.getResult();
    }
    if (!earliest || !earliest->isBeforeInBlock(empty))
      return;
    for (Value size : empty.getDynamicSizes()) {
      Operation *def = size.getDefiningOp();
      if (def && def->getBlock() == block && !def->isBeforeInBlock(earliest))
        return;
    }
    empty->moveBefore(earliest);
  }
};
} // namespace
