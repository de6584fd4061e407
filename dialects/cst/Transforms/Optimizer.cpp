//===- Optimizer.cpp - The optimiser step fused into the train step ------===//
//
// @train_step (cst-autodiff: forward results, then one gradient per learned
// parameter) -> @train_update: the gradients are consumed by one update op
// per parameter (cst.sgd_update / cst.adam_update) whose new parameter and
// optimiser state are returned instead. The optimiser state and the
// runtime hyperparameters (tensor<8xT>, `cst.hyper`) become arguments.
// Layouts and semantics: Passes.td and docs/compiler.md.
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/Transforms/Passes.h"

#include "mlir/IR/SymbolTable.h"

#include <cmath>
#include <map>

namespace mlir::cst {
#define GEN_PASS_DEF_CSTOPTIMIZER
#include "dialects/cst/Transforms/Passes.h.inc"
} // namespace mlir::cst

using namespace mlir;

namespace {

/// A learned parameter and the result that holds its gradient.
struct Learned {
  BlockArgument param;
  StringAttr name;
  unsigned gradResult;
};

struct OptimizerPass : mlir::cst::impl::CstOptimizerBase<OptimizerPass> {
  using Base::Base;

  cst::OptimizerKind kind = cst::OptimizerKind::Sgd;

  void runOnOperation() override {
    if (failed(run()))
      signalPassFailure();
  }

  /// PyTorch's names of a parameter's optimiser state.
  SmallVector<StringRef> stateSuffixes() const {
    switch (kind) {
    case cst::OptimizerKind::Adam:
      return {"exp_avg", "exp_avg_sq"};
    case cst::OptimizerKind::Sgd:
      if (momentum)
        return {"momentum_buffer"};
      return {};
    }
    llvm_unreachable("unknown optimizer");
  }

  LogicalResult run() {
    ModuleOp module = getOperation();
    // The option is a word (pipelines are text): parsed once, by the enum's
    // own table.
    std::optional<cst::OptimizerKind> parsed =
        cst::symbolizeOptimizerKind(optimizer);
    if (!parsed)
      return module.emitError()
             << "cst-optimizer: unknown optimizer '" << optimizer
             << "'; expected sgd or adam";
    kind = *parsed;
    if (!(stepLrScale > 0 && std::isfinite(stepLrScale)))
      return module.emitError()
             << "cst-optimizer: step-lr-scale must be positive and finite, "
                "got "
             << stepLrScale;
    if (nesterov && (kind != cst::OptimizerKind::Sgd || !momentum))
      return module.emitError()
             << "cst-optimizer: nesterov=true needs optimizer=sgd with "
                "momentum=true (Nesterov's update is applied to the "
                "momentum buffer)";
    auto fn = module.lookupSymbol<func::FuncOp>(entry);
    if (!fn || fn.isExternal())
      return module.emitError()
             << "cst-optimizer: no function @" << entry
             << " to update; build it from @forward with cst-autodiff first";
    if (updateName != entry && module.lookupSymbol(updateName))
      return fn.emitError() << "cst-optimizer: @" << updateName
                            << " exists already";
    if (!fn.getBody().hasOneBlock())
      return fn.emitError() << "cst-optimizer: @" << entry
                            << " has control flow; expected one block";
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      if (fn.getArgAttr(i, "cst.opt_state") || fn.getArgAttr(i, "cst.hyper"))
        return fn.emitError()
               << "cst-optimizer: @" << entry << " already has optimiser "
               << "arguments (argument #" << i
               << "); cst-optimizer runs once, on cst-autodiff's train step";

    // Parameters by name.
    std::map<std::string, BlockArgument> byName;
    for (BlockArgument a : fn.getArguments())
      if (auto n = fn.getArgAttrOfType<StringAttr>(a.getArgNumber(),
                                                   "cst.param"))
        byName.emplace(n.str(), a);

    // The gradients and their parameters.
    SmallVector<Learned> learned;
    std::map<std::string, unsigned> seen;
    Type elem;
    for (unsigned i = 0; i < fn.getNumResults(); ++i) {
      Attribute attr = fn.getResultAttr(i, "cst.grad");
      if (!attr)
        continue;
      auto name = dyn_cast<StringAttr>(attr);
      if (!name)
        return fn.emitError() << "cst-optimizer: result #" << i
                              << " has a cst.grad that is not a string: "
                              << attr;
      auto it = byName.find(name.str());
      if (it == byName.end())
        return fn.emitError()
               << "cst-optimizer: gradient result #" << i << " of '" << name.str()
               << "' has no parameter: no argument of @" << entry
               << " has cst.param = \"" << name.str() << "\"";
      BlockArgument p = it->second;
      if (fn.getArgAttr(p.getArgNumber(), "cst.state"))
        return fn.emitError()
               << "cst-optimizer: gradient result #" << i << " of '"
               << name.str() << "': argument #" << p.getArgNumber()
               << " is a running statistic (cst.state), not a learned "
                  "parameter";
      if (auto [prev, fresh] = seen.emplace(name.str(), i); !fresh)
        return fn.emitError()
               << "cst-optimizer: two gradients of '" << name.str()
               << "' (results #" << prev->second << " and #" << i << ")";
      Type gt = fn.getResultTypes()[i];
      auto pt = dyn_cast<RankedTensorType>(p.getType());
      if (!pt || !isa<FloatType>(pt.getElementType()) ||
          !pt.hasStaticShape())
        return fn.emitError()
               << "cst-optimizer: parameter '" << name.str() << "' has type "
               << p.getType() << "; expected a float tensor of static shape";
      if (gt != pt)
        return fn.emitError()
               << "cst-optimizer: gradient result #" << i << " of '"
               << name.str() << "' has type " << gt
               << " but the parameter has type " << pt;
      if (elem && pt.getElementType() != elem)
        return fn.emitError()
               << "cst-optimizer: parameters of element types " << elem
               << " and " << pt.getElementType()
               << " ('" << name.str() << "'); the hyperparameters have one type";
      elem = pt.getElementType();
      learned.push_back({p, name, i});
    }
    if (learned.empty())
      return fn.emitError()
             << "cst-optimizer: @" << entry
             << " returns no gradient (no result has cst.grad); build it "
                "with cst-autodiff";
    // Parameter (argument) order.
    llvm::sort(learned, [](const Learned &a, const Learned &b) {
      return a.param.getArgNumber() < b.param.getArgNumber();
    });
    update(fn, learned, elem);
    return success();
  }

  /// `grads` flattened, each into its slice of one 1-D tensor, at b's
  /// insertion point; `offsets` gets each one's first element.
  static Value flattenedInto(OpBuilder &b, Location loc, ArrayRef<Value> grads,
                             Type elem, SmallVector<int64_t> &offsets) {
    int64_t total = 0;
    for (Value g : grads) {
      offsets.push_back(total);
      total += cast<RankedTensorType>(g.getType()).getNumElements();
    }
    Value bucket = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{total},
                                           elem);
    for (auto [g, offset] : llvm::zip(grads, offsets)) {
      auto type = cast<RankedTensorType>(g.getType());
      Value flat = g;
      if (type.getRank() == 0)
        flat = tensor::ExpandShapeOp::create(
            b, loc, flatType(elem, 1), g, SmallVector<ReassociationIndices>{});
      else if (type.getRank() > 1)
        flat = tensor::CollapseShapeOp::create(b, loc, g,
                                               allDims(type.getRank()));
      bucket = tensor::InsertSliceOp::create(
          b, loc, flat, bucket, ArrayRef<OpFoldResult>{b.getIndexAttr(offset)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(type.getNumElements())},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    }
    return bucket;
  }

  /// The slices of the 1-D `flat` at `offsets`, in the shapes of `grads`.
  static SmallVector<Value> unflattened(OpBuilder &b, Location loc, Value flat,
                                        ArrayRef<Value> grads, Type elem,
                                        ArrayRef<int64_t> offsets) {
    SmallVector<Value> out;
    for (auto [g, offset] : llvm::zip(grads, offsets)) {
      auto type = cast<RankedTensorType>(g.getType());
      Value slice = tensor::ExtractSliceOp::create(
          b, loc, flatType(elem, type.getNumElements()), flat,
          ArrayRef<OpFoldResult>{b.getIndexAttr(offset)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(type.getNumElements())},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
      if (type.getRank() == 0)
        slice = tensor::CollapseShapeOp::create(
            b, loc, type, slice, SmallVector<ReassociationIndices>{});
      else if (type.getRank() > 1)
        slice = tensor::ExpandShapeOp::create(b, loc, type, slice,
                                              allDims(type.getRank()));
      out.push_back(slice);
    }
    return out;
  }

  static RankedTensorType flatType(Type elem, int64_t n) {
    return RankedTensorType::get({n}, elem);
  }
  static SmallVector<ReassociationIndices> allDims(int64_t rank) {
    ReassociationIndices dims;
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(d);
    return {dims};
  }

  /// The gradients averaged over the data-parallel replicas in one bucket
  /// before the updates (at b's insertion point): one cst.replica_mean.
  static SmallVector<Value> averagedOverReplicas(OpBuilder &b, Location loc,
                                                 ArrayRef<Value> grads,
                                                 Type elem) {
    SmallVector<int64_t> offsets;
    Value bucket = flattenedInto(b, loc, grads, elem, offsets);
    Value mean = cst::ReplicaMeanOp::create(b, loc, bucket);
    return unflattened(b, loc, mean, grads, elem, offsets);
  }

  /// The gradients averaged over the replicas in buckets of at least
  /// `bucketBytes`, each begun where the backward pass has finished its
  /// gradients and waited for at b's insertion point (before the updates).
  static SmallVector<Value> averagedInBuckets(OpBuilder &b, Location loc,
                                              Block &body,
                                              ArrayRef<Value> grads, Type elem,
                                              int64_t bucketBytes) {
    // Where each gradient is final: its producer's op in the body (nullptr
    // for an argument, final from the start).
    auto finishedAt = [&](Value g) -> Operation * {
      Operation *def = g.getDefiningOp();
      return def ? body.findAncestorOpInBlock(*def) : nullptr;
    };
    auto earlier = [&](Operation *a, Operation *c) {
      if (!a || !c)
        return a == nullptr && c != nullptr;
      return a->isBeforeInBlock(c);
    };
    SmallVector<unsigned> order(grads.size());
    for (unsigned i = 0; i < grads.size(); ++i)
      order[i] = i;
    llvm::stable_sort(order, [&](unsigned x, unsigned y) {
      return earlier(finishedAt(grads[x]), finishedAt(grads[y]));
    });
    const int64_t elemBytes = elem.getIntOrFloatBitWidth() / 8;
    SmallVector<SmallVector<unsigned>> buckets(1);
    int64_t bytes = 0;
    for (unsigned i : order) {
      if (bytes >= bucketBytes) {
        buckets.emplace_back();
        bytes = 0;
      }
      buckets.back().push_back(i);
      bytes += cast<RankedTensorType>(grads[i].getType()).getNumElements() *
               elemBytes;
    }
    // Begin each bucket after its last gradient's producer.
    struct Started {
      SmallVector<Value> grads;
      SmallVector<int64_t> offsets;
      Value pending;
    };
    SmallVector<Started> started;
    for (ArrayRef<unsigned> bucket : buckets) {
      Started s;
      Operation *last = nullptr;
      for (unsigned i : bucket) {
        s.grads.push_back(grads[i]);
        if (earlier(last, finishedAt(grads[i])))
          last = finishedAt(grads[i]);
      }
      OpBuilder at(b.getContext());
      if (last)
        at.setInsertionPointAfter(last);
      else
        at.setInsertionPointToStart(&body);
      Value flat = flattenedInto(at, loc, s.grads, elem, s.offsets);
      s.pending = cst::ReplicaMeanStartOp::create(at, loc, flat);
      started.push_back(std::move(s));
    }
    SmallVector<Value> out(grads.size());
    for (auto [s, bucket] : llvm::zip(started, buckets)) {
      Value mean = cst::ReplicaMeanWaitOp::create(b, loc, s.pending);
      for (auto [i, g] : llvm::zip(
               bucket, unflattened(b, loc, mean, s.grads, elem, s.offsets)))
        out[i] = g;
    }
    return out;
  }

  void update(func::FuncOp fn, ArrayRef<Learned> learned, Type elem) {
    MLIRContext *ctx = fn.getContext();
    Builder attrs(ctx);
    Location loc = fn.getLoc();

    // Arguments: the states, then the hyperparameters.
    SmallVector<StringRef> suffixes = stateSuffixes();
    SmallVector<SmallVector<BlockArgument>> states;
    SmallVector<StringAttr> stateNames;
    for (const Learned &l : learned) {
      states.emplace_back();
      for (StringRef s : suffixes) {
        std::string name = (l.name.getValue() + "." + s).str();
        NamedAttrList a;
        a.append("cst.opt_state", attrs.getStringAttr(name));
        a.append("cst.init", attrs.getStringAttr("zeros"));
        unsigned index = fn.getNumArguments();
        (void)fn.insertArgument(index, l.param.getType(), a.getDictionary(ctx),
                                l.param.getLoc());
        states.back().push_back(fn.getArgument(index));
        stateNames.push_back(attrs.getStringAttr(name));
      }
    }
    unsigned hyperIndex = fn.getNumArguments();
    (void)fn.insertArgument(
        hyperIndex, RankedTensorType::get({8}, elem),
        attrs.getDictionaryAttr({attrs.getNamedAttr(
            "cst.hyper", cst::OptimizerKindAttr::get(&getContext(), kind))}),
        loc);
    Value hyper = fn.getArgument(hyperIndex);

    // One update op per parameter, before the return.
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    OpBuilder b(ret);
    SmallVector<Value> grads;
    for (const Learned &l : learned)
      grads.push_back(ret.getOperand(l.gradResult));
    if (replicaMean && replicaBucketBytes > 0)
      grads = averagedInBuckets(b, loc, fn.getBody().front(), grads, elem,
                                replicaBucketBytes);
    else if (replicaMean)
      grads = averagedOverReplicas(b, loc, grads, elem);

    SmallVector<Value> newParams, newStates;
    for (auto [l, st, g] : llvm::zip(learned, states, grads)) {
      Value p = l.param;
      Location at = ret.getOperand(l.gradResult).getLoc();
      Type t = p.getType();
      // The steps' parameter group (absent: the common lr).
      FloatAttr lrScale;
      if (fn.getArgAttr(l.param.getArgNumber(), "cst.step") &&
          stepLrScale != 1.0)
        lrScale = b.getF64FloatAttr(stepLrScale);
      if (kind == cst::OptimizerKind::Adam) {
        auto op = cst::AdamUpdateOp::create(b, at, TypeRange{t, t, t}, p, g,
                                            st[0], st[1], hyper, lrScale);
        newParams.push_back(op.getNewParam());
        newStates.push_back(op.getNewExpAvg());
        newStates.push_back(op.getNewExpAvgSq());
      } else if (momentum) {
        auto op = cst::SgdUpdateOp::create(b, at, TypeRange{t, t}, p, g, st[0],
                                           hyper, static_cast<bool>(nesterov),
                                           lrScale);
        newParams.push_back(op.getNewParam());
        newStates.push_back(op.getNewMomentumBuffer());
      } else {
        auto op = cst::SgdUpdateOp::create(b, at, TypeRange{t}, p, g, Value(),
                                           hyper, false, lrScale);
        newParams.push_back(op.getNewParam());
      }
    }

    // Results: the forward ones (attributes kept), new params, new states.
    SmallVector<Value> results;
    SmallVector<DictionaryAttr> resultAttrs;
    for (unsigned i = 0; i < ret.getNumOperands(); ++i)
      if (!fn.getResultAttr(i, "cst.grad")) {
        results.push_back(ret.getOperand(i));
        resultAttrs.push_back(fn.getResultAttrDict(i));
      }
    for (auto [l, v] : llvm::zip(learned, newParams)) {
      results.push_back(v);
      resultAttrs.push_back(attrs.getDictionaryAttr(
          {attrs.getNamedAttr("cst.updated", l.name)}));
    }
    for (auto [name, v] : llvm::zip(stateNames, newStates)) {
      results.push_back(v);
      resultAttrs.push_back(
          attrs.getDictionaryAttr({attrs.getNamedAttr("cst.opt_state", name)}));
    }
    func::ReturnOp::create(b, ret.getLoc(), results);
    ret.erase();
    fn.setType(FunctionType::get(ctx, fn.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
    for (DictionaryAttr &d : resultAttrs)
      if (!d)
        d = attrs.getDictionaryAttr({});
    fn.setAllResultAttrs(resultAttrs);

    if (updateName != entry) {
      (void)SymbolTable::replaceAllSymbolUses(
          fn, attrs.getStringAttr(updateName), getOperation());
      fn.setSymName(updateName);
    }
  }
};

} // namespace
