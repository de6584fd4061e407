//===- SplitFunctions.cpp - cscc-split-functions --------------------------===//
//
// A forward pass or train step is one function with one long block: every
// layer's loops and runtime calls one after the other. LLVM's optimisation
// and code generation grow faster than linearly with a function's size
// (SelectionDAG's store merging compares the stores of a block with one
// another): 400 pursuits took 105 s to compile, 78 s with parts. Cutting
// the body into runs of at most max-ops top-level operations, each moved
// into a private function, makes compile time linear in depth; the calls
// cost nothing next to the loops they run.
//
// The pass runs on buffers after deallocation is explicit, where moving
// code between functions changes no ownership: the values crossing a cut
// are buffer descriptors and scalars. Upstream has no pass that outlines
// straight-line runs of a block (its outlining utilities take a region).
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/SetVector.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCCSPLITFUNCTIONS
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

/// Whether `v` is a stack allocation or a view of one: such a value must
/// not leave the function that allocated it.
bool isStackBuffer(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      v = view.getViewSource();
      continue;
    }
    if (isa<CastOpInterface>(def) && def->getNumOperands() == 1) {
      v = def->getOperand(0);
      continue;
    }
    auto effects = dyn_cast<MemoryEffectOpInterface>(def);
    if (!effects)
      return false;
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffectsOnValue(v, list);
    for (const MemoryEffects::EffectInstance &e : list)
      if (isa<MemoryEffects::Allocate>(e.getEffect()) &&
          e.getResource() ==
              SideEffects::AutomaticAllocationScopeResource::get())
        return true;
    return false;
  }
  return false;
}

class FunctionSplitter {
public:
  FunctionSplitter(func::FuncOp fn, SymbolTable &symbols)
      : fn(fn), body(fn.getBody().front()), symbols(symbols),
        lastInserted(fn) {
    // Constants stay where they are and are cloned into the parts that
    // use them: they are neither counted nor passed.
    for (Operation &op : body.without_terminator()) {
      if (op.hasTrait<OpTrait::ConstantLike>())
        continue;
      index[&op] = ops.size();
      ops.push_back(&op);
    }
  }

  void split(size_t maxOps) {
    if (ops.size() <= maxOps)
      return;
    size_t begin = 0;
    int part = 0;
    while (begin < ops.size()) {
      size_t end = std::min(begin + maxOps, ops.size());
      while (end < ops.size() && !canCutBefore(begin, end))
        ++end;
      if (begin == 0 && end == ops.size())
        return; // no cut possible: leave the function whole
      outline(begin, end, part++);
      begin = end;
    }
    for (Operation &op : llvm::make_early_inc_range(body.without_terminator()))
      if (op.hasTrait<OpTrait::ConstantLike>() && op.use_empty())
        op.erase();
  }

private:
  /// The position in `ops` of the top-level operation holding `op`, or
  /// ops.size() for one not in `ops` (the terminator, a constant, a call
  /// made here).
  size_t positionOf(Operation *op) const {
    Operation *top = body.findAncestorOpInBlock(*op);
    auto it = index.find(top);
    return it == index.end() ? ops.size() : it->second;
  }

  /// Where `v` is defined: the position of its top-level operation, or
  /// none for a function argument.
  std::optional<size_t> definedAt(Value v) const {
    if (auto arg = dyn_cast<BlockArgument>(v))
      if (arg.getOwner() == &body)
        return std::nullopt;
    Operation *def = v.getDefiningOp();
    if (!def)
      def = cast<BlockArgument>(v).getOwner()->getParentOp();
    return positionOf(def);
  }

  /// A cut before ops[end] is allowed unless a stack buffer allocated in
  /// [begin, end) is used at or after `end`.
  bool canCutBefore(size_t begin, size_t end) const {
    for (size_t i = begin; i < end; ++i)
      for (Value r : ops[i]->getResults())
        if (isa<BaseMemRefType>(r.getType()) && isStackBuffer(r))
          for (Operation *user : r.getUsers())
            if (positionOf(user) >= end)
              return false;
    return true;
  }

  void outline(size_t begin, size_t end, int part) {
    auto inRun = [&](std::optional<size_t> at) {
      return at && *at >= begin && *at < end;
    };
    // The values the run uses from before it, constants apart.
    llvm::SetVector<Value> liveIns;
    llvm::SetVector<Operation *> constants;
    for (size_t i = begin; i < end; ++i)
      ops[i]->walk([&](Operation *inner) {
        for (Value v : inner->getOperands()) {
          if (inRun(definedAt(v)))
            continue;
          Operation *def = v.getDefiningOp();
          if (def && def->getBlock() == &body &&
              def->hasTrait<OpTrait::ConstantLike>())
            constants.insert(def);
          else
            liveIns.insert(v);
        }
      });
    // The values used after it.
    SmallVector<Value> liveOuts;
    for (size_t i = begin; i < end; ++i)
      for (Value r : ops[i]->getResults())
        if (llvm::any_of(r.getUsers(), [&](Operation *user) {
              return positionOf(user) >= end;
            }))
          liveOuts.push_back(r);

    Location loc = ops[begin]->getLoc();
    auto type = FunctionType::get(fn.getContext(),
                                  ValueRange(liveIns.getArrayRef()).getTypes(),
                                  ValueRange(liveOuts).getTypes());
    auto callee = func::FuncOp::create(
        loc, (fn.getSymName() + "_part" + llvm::Twine(part)).str(), type);
    callee.setPrivate();
    // Kept out of line: LLVM's inliner would otherwise paste every run back
    // into its only caller. func.func's no_inline is not carried into the
    // LLVM dialect; `passthrough` is, as LLVM's noinline.
    callee.setNoInline(true);
    callee->setAttr("passthrough",
                    ArrayAttr::get(fn.getContext(),
                                   {StringAttr::get(fn.getContext(),
                                                    "noinline")}));
    symbols.insert(callee, std::next(Block::iterator(lastInserted)));
    lastInserted = callee;
    Block *entry = callee.addEntryBlock();
    auto inCallee = [&](OpOperand &use) {
      return callee->isProperAncestor(use.getOwner());
    };

    Operation *next = end < ops.size() ? ops[end] : body.getTerminator();
    OpBuilder b = OpBuilder::atBlockEnd(entry);
    for (size_t i = begin; i < end; ++i)
      ops[i]->moveBefore(entry, entry->end());
    b.setInsertionPointToStart(entry);
    for (Operation *c : constants)
      c->getResult(0).replaceUsesWithIf(b.clone(*c)->getResult(0), inCallee);
    for (auto [i, v] : llvm::enumerate(liveIns.getArrayRef()))
      Value(v).replaceUsesWithIf(entry->getArgument(i), inCallee);
    b.setInsertionPointToEnd(entry);
    func::ReturnOp::create(b, loc, liveOuts);

    OpBuilder caller(next);
    auto call = func::CallOp::create(caller, loc, callee,
                                     liveIns.getArrayRef());
    for (auto [v, result] : llvm::zip(liveOuts, call.getResults()))
      v.replaceUsesWithIf(result, [&](OpOperand &use) { return !inCallee(use); });
  }

  func::FuncOp fn;
  Block &body;
  SymbolTable &symbols;
  Operation *lastInserted; // the parts follow the function, in order
  SmallVector<Operation *> ops;
  DenseMap<Operation *, size_t> index;
};

struct SplitFunctionsPass
    : mlir::cscc::impl::CsccSplitFunctionsBase<SplitFunctionsPass> {
  using CsccSplitFunctionsBase::CsccSplitFunctionsBase;

  void runOnOperation() override {
    if (maxOps < 1) {
      getOperation().emitError("cscc-split-functions: max-ops must be at "
                               "least 1");
      return signalPassFailure();
    }
    SymbolTable symbols(getOperation());
    SmallVector<func::FuncOp> functions(
        getOperation().getOps<func::FuncOp>());
    for (func::FuncOp fn : functions)
      if (!fn.isExternal() && fn.getBody().hasOneBlock())
        FunctionSplitter(fn, symbols).split(static_cast<size_t>(maxOps));
  }
};

} // namespace
