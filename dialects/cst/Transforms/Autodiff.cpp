//===- Autodiff.cpp - Reverse-mode autodiff of the tensor-level model -----===//
//
// @forward -> @train_step: the forward ops, then each active op's VJP in
// reverse order (VjpOpInterface), gradients of a value summed over its
// uses. The pass knows no op by name; what it decides is which forward
// values the backward pass keeps and which it recomputes (see Passes.td).
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/Transforms/Passes.h"
#include "dialects/cst/IR/VjpOpInterface.h"

#include "mlir/IR/IRMapping.h"

namespace mlir::cst {
#define GEN_PASS_DEF_CSTAUTODIFF
#include "dialects/cst/Transforms/Passes.h.inc"
} // namespace mlir::cst

using namespace mlir;

namespace {

bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && isa<FloatType>(t.getElementType());
}

/// A constant tensor of `type` (static) filled with `v`.
Value splat(OpBuilder &b, Location loc, Type type, double v) {
  auto t = cast<RankedTensorType>(type);
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), v)));
}

/// Forward values for the VJPs: kept, or recomputed at the builder's
/// insertion point when their op is cheap and elementwise.
class RecomputingPrimals : public cst::Primals {
public:
  RecomputingPrimals(OpBuilder &b, bool enabled) : b(b), enabled(enabled) {}

  Value get(Value v) override {
    Operation *def = v.getDefiningOp();
    if (!enabled || !def || !def->hasTrait<cst::RecomputableTrait>())
      return v;
    if (Value done = copies.lookupOrNull(v))
      return done;
    // Operands first (recursively), then one copy of the op.
    IRMapping operands;
    for (Value o : def->getOperands())
      operands.map(o, get(o));
    Operation *copy = b.clone(*def, operands);
    for (auto [orig, c] : llvm::zip(def->getResults(), copy->getResults()))
      copies.map(orig, c);
    clones.push_back({def, copy});
    return copies.lookup(v);
  }

  /// (forward op, its recomputation), in the order they were built.
  SmallVector<std::pair<Operation *, Operation *>> clones;

private:
  OpBuilder &b;
  bool enabled;
  IRMapping copies;
};

struct AutodiffPass : mlir::cst::impl::CstAutodiffBase<AutodiffPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fn = module.lookupSymbol<func::FuncOp>(entry);
    if (!fn || fn.isExternal()) {
      module.emitError() << "cst-autodiff: no function @" << entry
                         << " to differentiate";
      return signalPassFailure();
    }
    if (module.lookupSymbol(stepName)) {
      fn.emitError() << "cst-autodiff: @" << stepName << " exists already";
      return signalPassFailure();
    }
    if (!fn.getBody().hasOneBlock()) {
      fn.emitError() << "cst-autodiff: @" << entry
                     << " has control flow; unfold the pursuits first";
      return signalPassFailure();
    }
    auto step = cast<func::FuncOp>(fn->clone());
    step.setName(stepName);
    module.getBody()->getOperations().insertAfter(Block::iterator(fn), step);
    if (failed(differentiate(step)))
      return signalPassFailure();
  }

  /// A recomputed value whose storage stays alive in the backward pass
  /// anyway -- a view of it (StorageView: a slice of it, a concatenation
  /// it is produced into) is read there -- is read from memory instead:
  /// its recomputation goes, and with it the need to keep the operands it
  /// was recomputed from. Written as a pass over the finished backward
  /// pass (not a decision in Primals::get) because whether a view is read
  /// there is only known once every VJP is built. Bitwise the same values:
  /// the recomputation is a clone of the same elementwise op on the same
  /// (or bitwise equal recomputed) operands.
  void reuseViewedValues(
      ArrayRef<Operation *> forward,
      ArrayRef<std::pair<Operation *, Operation *>> clones) {
    llvm::DenseSet<Operation *> forwardOps(forward.begin(), forward.end());
    llvm::DenseSet<Operation *> cloneOps;
    for (auto [def, copy] : clones)
      cloneOps.insert(copy);
    // Read by a VJP (not by a recomputation, which may go away).
    auto readBackward = [&](Value w) {
      return llvm::any_of(w.getUsers(), [&](Operation *u) {
        return !forwardOps.contains(u) && !cloneOps.contains(u);
      });
    };
    for (auto [def, copy] : clones) {
      if (def->getNumResults() != 1)
        continue;
      Value v = def->getResult(0), stored;
      for (OpOperand &use : v.getUses()) {
        Operation *u = use.getOwner();
        if (!forwardOps.contains(u) ||
            !u->hasTrait<cst::StorageViewTrait>() ||
            !llvm::any_of(u->getResults(), readBackward))
          continue;
        if (auto cat = dyn_cast<cst::ConcatOp>(u)) {
          // Read back as its channel window of the concatenation: reading
          // the input itself after the concatenation's (in-place) insert
          // would make One-Shot Bufferize give the input a buffer of its
          // own and copy it into the concatenation.
          int64_t offset = 0;
          for (Value in : cat.getInputs().take_front(use.getOperandNumber()))
            offset += cast<RankedTensorType>(in.getType()).getDimSize(1);
          OpBuilder b(copy);
          stored = cst::SliceOp::create(b, copy->getLoc(), v.getType(),
                                        cat.getOutput(),
                                        static_cast<uint64_t>(offset));
        } else {
          stored = v; // a slice: a view of v's own buffer
        }
        break;
      }
      if (stored)
        copy->getResult(0).replaceAllUsesWith(stored);
    }
    // Recomputations nothing reads any more, users before their operands.
    for (auto [def, copy] : llvm::reverse(clones))
      if (copy->use_empty())
        copy->erase();
  }

  LogicalResult differentiate(func::FuncOp fn) {
    Block &block = fn.getBody().front();
    auto ret = cast<func::ReturnOp>(block.getTerminator());

    // The loss: the first scalar float result.
    Value loss;
    for (Value r : ret.getOperands())
      if (auto t = dyn_cast<RankedTensorType>(r.getType());
          t && t.getRank() == 0 && isa<FloatType>(t.getElementType())) {
        loss = r;
        break;
      }
    if (!loss)
      return fn.emitError()
             << "cst-autodiff: @" << entry
             << " returns no scalar loss; lower it with loss=true "
                "(csc-lower-to-cst) so that there is something to "
                "differentiate";

    // Parameters: learned arguments (running statistics are state).
    SmallVector<BlockArgument> params;
    for (BlockArgument a : fn.getArguments())
      if (fn.getArgAttr(a.getArgNumber(), "cst.param") &&
          !fn.getArgAttr(a.getArgNumber(), "cst.state") && isFloatTensor(a))
        params.push_back(a);

    SmallVector<Operation *> ops;
    for (Operation &op : block.without_terminator())
      ops.push_back(&op);

    // Active ops: on a path from a parameter (varied) to the loss (useful).
    llvm::DenseSet<Value> varied(params.begin(), params.end());
    for (Operation *op : ops)
      if (llvm::any_of(op->getOperands(),
                       [&](Value v) { return varied.contains(v); }))
        for (Value r : op->getResults())
          if (isFloatTensor(r))
            varied.insert(r);
    llvm::DenseSet<Value> useful{loss};
    for (Operation *op : llvm::reverse(ops))
      if (llvm::any_of(op->getResults(),
                       [&](Value r) { return useful.contains(r); }))
        for (Value o : op->getOperands())
          useful.insert(o);

    OpBuilder b(ret);
    Location loc = fn.getLoc();
    llvm::DenseMap<Value, Value> grads;
    grads[loss] = splat(b, loc, loss.getType(), 1.0);

    RecomputingPrimals primals(b, recompute);
    for (Operation *op : llvm::reverse(ops)) {
      SmallVector<Value> dys;
      bool any = false;
      for (Value r : op->getResults()) {
        Value g = varied.contains(r) && useful.contains(r) ? grads.lookup(r)
                                                           : Value();
        any |= static_cast<bool>(g);
        dys.push_back(g);
      }
      if (!any)
        continue;
      auto vjp = dyn_cast<cst::VjpOpInterface>(op);
      if (!vjp)
        return op->emitOpError()
               << "has no vector-Jacobian product (VjpOpInterface), so "
                  "cst-autodiff cannot differentiate the loss through it";
      SmallVector<bool> wanted;
      for (Value o : op->getOperands())
        wanted.push_back(varied.contains(o) && isFloatTensor(o));
      SmallVector<Value> operandGrads = vjp.buildVjp(b, dys, wanted, primals);
      for (auto [o, g] : llvm::zip(op->getOperands(), operandGrads)) {
        if (!g || !varied.contains(o))
          continue;
        Value &acc = grads[o];
        acc = acc ? Value(cst::AxpbyOp::create(b, op->getLoc(), o.getType(),
                                               acc, g, b.getF64FloatAttr(1.0),
                                               b.getF64FloatAttr(1.0)))
                  : g;
      }
    }

    if (recompute && reuseViews)
      reuseViewedValues(ops, primals.clones);

    // Results: the forward's, then one gradient per parameter.
    SmallVector<Value> results(ret.getOperands());
    SmallVector<StringAttr> names;
    for (BlockArgument p : params) {
      Value g = grads.lookup(p);
      if (!g) // the loss does not depend on it
        g = splat(b, loc, p.getType(), 0.0);
      results.push_back(g);
      names.push_back(
          fn.getArgAttrOfType<StringAttr>(p.getArgNumber(), "cst.param"));
    }
    unsigned forwardResults = ret.getNumOperands();
    func::ReturnOp::create(b, ret.getLoc(), results);
    ret.erase();
    fn.setType(FunctionType::get(fn.getContext(), fn.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
    for (auto [i, name] : llvm::enumerate(names))
      fn.setResultAttr(forwardResults + i, "cst.grad", name);
    return success();
  }
};

} // namespace
