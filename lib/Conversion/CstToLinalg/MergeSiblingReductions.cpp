//===- MergeSiblingReductions.cpp - cscc-merge-sibling-reductions ---------===//
//
// Two reductions over the same loops that read one tensor become one loop
// nest with the outputs of both, so that the tensor is read once. In a
// train step, a threshold after a batch norm gets the gradient
// -sum(dy) per channel, and the batch norm's backward pass sums dy and
// dy * x_hat right after: two passes over dy, now one (MSD-CSC d6 unfold
// 2: 18 per step).
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCCMERGESIBLINGREDUCTIONS
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

bool isReductionOnTensors(linalg::GenericOp op) {
  return op.hasPureTensorSemantics() && op.getNumReductionLoops() > 0;
}

/// An input both read at the same indexing map, with every loop in that map
/// (so that the two ops' loop ranges are the same).
bool shareFullInput(linalg::GenericOp a, linalg::GenericOp b) {
  for (OpOperand *x : a.getDpsInputOperands())
    for (OpOperand *y : b.getDpsInputOperands())
      if (x->get() == y->get() &&
          a.getMatchingIndexingMap(x) == b.getMatchingIndexingMap(y) &&
          a.getMatchingIndexingMap(x).isPermutation())
        return true;
  return false;
}

/// `first` can join `second` (later in the same block): the same
/// iterators and a shared input over all loops, and `second` does not
/// depend on `first`. The ops between them that do (`moved`, in order) must
/// be free of memory effects: they move to just after `second`.
bool canMerge(linalg::GenericOp first, linalg::GenericOp second,
              SmallVectorImpl<Operation *> &moved) {
  if (first.getIteratorTypesArray() != second.getIteratorTypesArray() ||
      !shareFullInput(first, second))
    return false;
  Block *block = first->getBlock();
  llvm::SmallPtrSet<Operation *, 16> dependent{first.getOperation()};
  // Whether `op` (or an op nested in it) reads a result of `dependent`.
  auto readsDependent = [&](Operation *op) {
    bool reads = false;
    op->walk([&](Operation *inner) {
      for (Value v : inner->getOperands())
        if (Operation *def = v.getDefiningOp())
          if (Operation *top = block->findAncestorOpInBlock(*def);
              top && dependent.contains(top))
            reads = true;
    });
    return reads;
  };
  moved.clear();
  for (Operation *op = first->getNextNode(); op != second.getOperation();
       op = op->getNextNode()) {
    if (!readsDependent(op))
      continue;
    if (!isMemoryEffectFree(op))
      return false;
    dependent.insert(op);
    moved.push_back(op);
  }
  return !readsDependent(second);
}

/// One generic at `second`'s place computing both: `second`'s inputs, then
/// `first`'s that are not already there (same value, same map), `second`'s
/// outputs, then `first`'s; the bodies one after the other.
void merge(linalg::GenericOp first, linalg::GenericOp second,
           ArrayRef<Operation *> moved) {
  OpBuilder b(second);
  SmallVector<Value> ins;
  SmallVector<AffineMap> inMaps;
  // Block argument index in the merged op of each op's input.
  auto addInputs = [&](linalg::GenericOp op) {
    SmallVector<unsigned> index;
    for (OpOperand *in : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(in);
      unsigned found = ins.size();
      for (unsigned i = 0; i < ins.size(); ++i)
        if (ins[i] == in->get() && inMaps[i] == map)
          found = i;
      if (found == ins.size()) {
        ins.push_back(in->get());
        inMaps.push_back(map);
      }
      index.push_back(found);
    }
    return index;
  };
  SmallVector<unsigned> secondIns = addInputs(second);
  SmallVector<unsigned> firstIns = addInputs(first);

  SmallVector<Value> outs(second.getDpsInits());
  llvm::append_range(outs, first.getDpsInits());
  SmallVector<AffineMap> maps(inMaps);
  for (OpOperand &o : second.getDpsInitsMutable())
    maps.push_back(second.getMatchingIndexingMap(&o));
  for (OpOperand &o : first.getDpsInitsMutable())
    maps.push_back(first.getMatchingIndexingMap(&o));
  SmallVector<Type> types(second.getResultTypes());
  llvm::append_range(types, first.getResultTypes());

  auto merged = linalg::GenericOp::create(
      b, second.getLoc(), types, ins, outs, maps,
      second.getIteratorTypesArray(),
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        SmallVector<Value> yields;
        auto inline_ = [&](linalg::GenericOp op, ArrayRef<unsigned> inIndex,
                           unsigned outBase) {
          Block &body = op.getRegion().front();
          IRMapping map;
          for (auto [i, index] : llvm::enumerate(inIndex))
            map.map(body.getArgument(i), args[index]);
          for (unsigned o = 0; o < op.getNumDpsInits(); ++o)
            map.map(body.getArgument(inIndex.size() + o),
                    args[ins.size() + outBase + o]);
          for (Operation &inner : body.without_terminator())
            nb.clone(inner, map);
          for (Value y : body.getTerminator()->getOperands())
            yields.push_back(map.lookupOrDefault(y));
        };
        inline_(second, secondIns, 0);
        inline_(first, firstIns, second.getNumDpsInits());
        linalg::YieldOp::create(nb, loc, yields);
      });
  unsigned n = second.getNumResults();
  Operation *after = merged;
  for (Operation *op : moved) {
    op->moveAfter(after);
    after = op;
  }
  second->replaceAllUsesWith(merged->getResults().take_front(n));
  first->replaceAllUsesWith(merged->getResults().drop_front(n));
  second->erase();
  first->erase();
}

struct MergeSiblingReductionsPass
    : mlir::cscc::impl::CsccMergeSiblingReductionsBase<
          MergeSiblingReductionsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> moved;
    for (Block &block : getOperation().getBody()) {
      // Each merge removes an op; start over until no pair is left.
      bool changed = true;
      while (changed) {
        changed = false;
        SmallVector<linalg::GenericOp> reductions;
        for (Operation &op : block)
          if (auto g = dyn_cast<linalg::GenericOp>(op);
              g && isReductionOnTensors(g))
            reductions.push_back(g);
        for (auto [i, first] : llvm::enumerate(reductions)) {
          for (linalg::GenericOp second : llvm::drop_begin(reductions, i + 1))
            if (canMerge(first, second, moved)) {
              merge(first, second, moved);
              changed = true;
              break;
            }
          if (changed)
            break;
        }
      }
    }
  }
};

} // namespace
