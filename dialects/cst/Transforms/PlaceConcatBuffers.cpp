//===- PlaceConcatBuffers.cpp - Concatenation buffers before their inputs -===//
//
// eliminate-empty-tensors redirects an input's producer into its slice of
// a concatenation only when the concatenation's tensor.empty dominates the
// producer; this pass moves it there (never further up).
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"

namespace mlir::cst {
#define GEN_PASS_DEF_CSTPLACECONCATBUFFERS
#include "dialects/cst/Transforms/Passes.h.inc"
} // namespace mlir::cst
using namespace mlir;
namespace {
struct PlaceConcatBuffersPass
    : mlir::cst::impl::CstPlaceConcatBuffersBase<PlaceConcatBuffersPass> {
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
  /// The first op of `op`'s chain of destinations in `block`: a result
  /// written into an operand (a DPS init, a convolution's `into`) that is
  /// itself produced there, e.g. pooling <- linalg.fill <- tensor.empty.
  /// eliminate-empty-tensors replaces the chain's tensor.empty, so the
  /// concatenation's buffer must come before it.
  static Operation *chainStart(Operation *op, Block *block) {
    bufferization::BufferizationOptions options;
    bufferization::AnalysisState state(options);
    while (op->getNumResults() == 1) {
      auto bufferizable =
          dyn_cast<bufferization::BufferizableOpInterface>(op);
      if (!bufferizable)
        break;
      Operation *next = nullptr;
      for (const bufferization::AliasingOpOperand &a :
           bufferizable.getAliasingOpOperands(op->getResult(0), state))
        if (a.relation == bufferization::BufferRelation::Equivalent)
          if (Operation *def = a.opOperand->get().getDefiningOp();
              def && def->getBlock() == block)
            next = def;
      if (!next)
        break;
      op = next;
    }
    return op;
  }

  /// Follows empty -> insert_slice -> insert_slice ... (one
  /// concatenation) and moves `empty` before the earliest input producer
  /// (the start of its chain of destinations), if its sizes (the batch)
  /// are known there.
  void place(tensor::EmptyOp empty) {
    Block *block = empty->getBlock();
    Operation *earliest = nullptr;
    Value dest = empty.getResult();
    while (dest.hasOneUse()) {
      auto ins = dyn_cast<tensor::InsertSliceOp>(*dest.getUsers().begin());
      if (!ins || ins.getDest() != dest)
        break;
      Operation *producer = ins.getSource().getDefiningOp();
      if (producer && producer->getBlock() == block)
        producer = chainStart(producer, block);
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
    insertEarly(empty);
  }

  /// Moves each insert_slice of the chain up to just after its source (or
  /// the previous insert_slice, whichever is later). A later producer that
  /// reads an earlier input (an MSD layer's convolution reads the code
  /// beside which it is concatenated) then comes after that input's
  /// insertion, so its own destination can be a slice of the partly filled
  /// concatenation: every producer writes into the one buffer.
  static void insertEarly(tensor::EmptyOp empty) {
    Block *block = empty->getBlock();
    Operation *after = empty;
    Value dest = empty.getResult();
    SmallVector<tensor::InsertSliceOp> chain;
    while (dest.hasOneUse()) {
      auto ins = dyn_cast<tensor::InsertSliceOp>(*dest.getUsers().begin());
      if (!ins || ins.getDest() != dest)
        break;
      // Its offsets and sizes (the batch) must be available there too.
      for (Value v : ins->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (def && def->getBlock() == block && after->isBeforeInBlock(def))
          after = def;
      }
      if (after->isBeforeInBlock(ins))
        ins->moveAfter(after);
      after = ins;
      dest = ins.getResult();
      chain.push_back(ins);
    }
    for (tensor::InsertSliceOp ins : chain)
      readBackAsSlice(ins, chain.back());
  }

  /// Later readers of an inserted value read it back as its slice of the
  /// concatenation (the same value): those before the chain's last
  /// insert_slice (another input's producer) from this insert_slice's
  /// result, those after it from the finished concatenation. One-Shot
  /// Bufferize then sees a producer that reads one channel window of the
  /// concatenation and writes another as disjoint subsets of one buffer,
  /// and no reader of a window before a later write into the buffer;
  /// reading the value itself, which aliases the buffer, it would copy.
  static void readBackAsSlice(tensor::InsertSliceOp ins,
                              tensor::InsertSliceOp last) {
    Value source = ins.getSource();
    SmallVector<OpOperand *> inChain, afterChain;
    for (OpOperand &use : source.getUses()) {
      // A read inside a region (a tensor.extract in a linalg.generic's
      // body: max-pooling's backward pass) counts at its op in this block.
      Operation *user =
          ins->getBlock()->findAncestorOpInBlock(*use.getOwner());
      if (!user || user == ins || !ins->isBeforeInBlock(user))
        continue;
      (last->isBeforeInBlock(user) ? afterChain : inChain).push_back(&use);
    }
    auto readBack = [&](tensor::InsertSliceOp from,
                        ArrayRef<OpOperand *> uses) {
      if (uses.empty())
        return;
      OpBuilder b(ins->getContext());
      b.setInsertionPointAfter(from);
      Value slice = tensor::ExtractSliceOp::create(
          b, ins.getLoc(), cast<RankedTensorType>(source.getType()),
          from.getResult(), ins.getMixedOffsets(), ins.getMixedSizes(),
          ins.getMixedStrides());
      for (OpOperand *use : uses)
        use->set(slice);
    };
    readBack(ins, inChain);
    readBack(last, afterChain);
  }
};
} // namespace
