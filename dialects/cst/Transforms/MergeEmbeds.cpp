//===- MergeEmbeds.cpp - Sums of adjacent channel windows as a concat -----===//
//
// The backward pass of a value read as several channel slices (an MSD
// layer's concatenation, split into the part a convolution reads and the
// rest) sums one cst.embed per slice: each a full-size tensor of zeros with
// one window filled. Windows that are disjoint and adjacent hold no sum at
// all; they are one concatenation, which bufferizes in place (each window's
// producer writes its slice), instead of zeros, copies and extra reads.
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/Transforms/Passes.h"

namespace mlir::cst {
#define GEN_PASS_DEF_CSTMERGEEMBEDS
#include "dialects/cst/Transforms/Passes.h.inc"
} // namespace mlir::cst

using namespace mlir;

namespace {

bool isPlainSum(cst::AxpbyOp op) {
  return op.getAlpha().convertToDouble() == 1.0 &&
         op.getBeta().convertToDouble() == 1.0;
}

int64_t channelsOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getDimSize(1);
}

/// One sum: `root` and the single-use plain sums under it, flattened into
/// its terms (in order); the absorbed inner sums are erased once dead.
struct SumTree {
  SmallVector<Value> terms;
  SmallVector<Operation *> inner;

  void collect(Value v, bool isRoot) {
    auto sum = v.getDefiningOp<cst::AxpbyOp>();
    if (sum && isPlainSum(sum) && (isRoot || sum->hasOneUse())) {
      if (!isRoot)
        inner.push_back(sum);
      collect(sum.getX(), false);
      collect(sum.getY(), false);
      return;
    }
    terms.push_back(v);
  }
};

/// A root: a plain sum that is not itself a single-use term of another.
bool isRoot(cst::AxpbyOp op) {
  if (!isPlainSum(op) || !isa<RankedTensorType>(op.getType()) ||
      cast<RankedTensorType>(op.getType()).getRank() != 4)
    return false;
  if (!op->hasOneUse())
    return true;
  auto user = dyn_cast<cst::AxpbyOp>(*op->getUsers().begin());
  return !user || !isPlainSum(user);
}

struct MergeEmbedsPass
    : mlir::cst::impl::CstMergeEmbedsBase<MergeEmbedsPass> {
  void runOnOperation() override {
    SmallVector<cst::AxpbyOp> roots;
    getOperation().walk([&](cst::AxpbyOp op) {
      if (isRoot(op))
        roots.push_back(op);
    });
    for (cst::AxpbyOp root : roots)
      merge(root);
  }

  static void merge(cst::AxpbyOp root) {
    SumTree tree;
    tree.collect(root.getResult(), /*isRoot=*/true);

    // The windows (an embed read by this sum only), by offset; the other
    // terms keep their order.
    SmallVector<cst::EmbedOp> windows;
    SmallVector<Value> others;
    for (Value t : tree.terms) {
      auto embed = t.getDefiningOp<cst::EmbedOp>();
      if (embed && embed->hasOneUse())
        windows.push_back(embed);
      else
        others.push_back(t);
    }
    llvm::stable_sort(windows, [](cst::EmbedOp a, cst::EmbedOp b) {
      return a.getOffset() < b.getOffset();
    });
    // Runs of adjacent windows: each next one starts where the last ends.
    SmallVector<SmallVector<cst::EmbedOp>> runs;
    for (cst::EmbedOp w : windows) {
      if (!runs.empty()) {
        cst::EmbedOp last = runs.back().back();
        if (static_cast<int64_t>(last.getOffset()) + channelsOf(last.getInput()) ==
            static_cast<int64_t>(w.getOffset())) {
          runs.back().push_back(w);
          continue;
        }
      }
      runs.push_back({w});
    }
    if (llvm::all_of(runs, [](auto &run) { return run.size() < 2; }))
      return;

    OpBuilder b(root);
    Location loc = root.getLoc();
    auto type = cast<RankedTensorType>(root.getType());
    SmallVector<Value> terms(others);
    SmallVector<Operation *> merged;
    for (SmallVector<cst::EmbedOp> &run : runs) {
      if (run.size() == 1) {
        terms.push_back(run.front());
        continue;
      }
      SmallVector<Value> parts;
      int64_t channels = 0;
      for (cst::EmbedOp w : run) {
        parts.push_back(w.getInput());
        channels += channelsOf(w.getInput());
        merged.push_back(w);
      }
      SmallVector<int64_t> shape(type.getShape());
      shape[1] = channels;
      Value cat = cst::ConcatOp::create(
          b, loc, RankedTensorType::get(shape, type.getElementType()), parts);
      int64_t offset = run.front().getOffset();
      terms.push_back(offset == 0 && channels == type.getDimSize(1)
                          ? cat
                          : cst::EmbedOp::create(b, loc, type, cat,
                                                 b.getI64IntegerAttr(offset))
                                .getResult());
    }
    Value sum = terms.front();
    for (Value t : llvm::drop_begin(terms))
      sum = cst::AxpbyOp::create(b, loc, type, sum, t, root.getAlphaAttr(),
                                 root.getBetaAttr());
    root.replaceAllUsesWith(sum);
    root->erase();
    // The absorbed sums (each read once, by the sum above it) and windows.
    for (Operation *op : tree.inner) {
      assert(op->use_empty() && "an absorbed sum is read by its parent only");
      op->erase();
    }
    for (Operation *op : merged)
      op->erase();
  }
};

} // namespace
