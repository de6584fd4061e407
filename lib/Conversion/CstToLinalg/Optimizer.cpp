//===- Optimizer.cpp - Optimiser updates to linalg ------------------------===//
#include "LinalgBuilder.h"

#include "dialects/cst/IR/CstDialect.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::cscc;

namespace {

using utils::IteratorType;

/// The optimiser updates: one linalg.generic per parameter over its shape,
/// inputs (param, grad, states...), one output per result, so the
/// parameter, its gradient and its state are read once and the new values
/// written once. The scalar hyperparameters are read from the hyper tensor
/// (tensor.extract) before the loop; the arithmetic follows PyTorch's
/// single-tensor SGD and Adam operation by operation (see dialects/cst/IR/CstOps.td).
SmallVector<Value>
lowerUpdate(LinalgBuilder &l, Operation *op, ValueRange inputs,
            function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
                body) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rank = type.getRank();
  unsigned outs = op->getNumResults();
  SmallVector<AffineMap> maps(inputs.size() + outs, l.identity(rank));
  SmallVector<Value> inits;
  for (unsigned i = 0; i < outs; ++i)
    inits.push_back(l.empty(type, Value()));
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      l.b, l.loc, SmallVector<Type>(outs, type), inputs, inits, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl,
                                body(nb, nl, args.take_front(inputs.size())));
      });
  return SmallVector<Value>(generic.getResults());
}

/// `rate` times the update's lr_scale (a PyTorch parameter group's own lr),
/// computed once before the loop; `rate` itself when there is none.
Value scaledRate(LinalgBuilder &l, Value rate, FloatAttr lrScale) {
  if (!lrScale || lrScale.getValueAsDouble() == 1.0)
    return rate;
  Value s = l.constFloat(rate.getType(), lrScale.getValueAsDouble());
  return arith::MulFOp::create(l.b, l.loc, rate, s);
}

/// Slot `i` of an update's hyperparameter vector, read once where the
/// vector is defined (every parameter's update shares it).
Value hyperAt(LinalgBuilder &l, HyperSlots &slots, Value hyper, int64_t i) {
  Value &slot = slots[{hyper, i}];
  if (slot)
    return slot;
  OpBuilder::InsertionGuard guard(l.b);
  if (auto arg = dyn_cast<BlockArgument>(hyper))
    l.b.setInsertionPointToStart(arg.getOwner());
  else
    l.b.setInsertionPointAfter(hyper.getDefiningOp());
  Value index = arith::ConstantIndexOp::create(l.b, l.loc, i);
  slot = tensor::ExtractOp::create(l.b, l.loc, hyper, ValueRange{index});
  return slot;
}

SmallVector<Value> lowerSgdUpdate(LinalgBuilder &l, HyperSlots &slots,
                                  cst::SgdUpdateOp op,
                                  cst::SgdUpdateOp::Adaptor in) {
  Value hyper = in.getHyper();
  Value lr = scaledRate(l, hyperAt(l, slots, hyper, 0), op.getLrScaleAttr());
  Value mom = hyperAt(l, slots, hyper, 1);
  Value wd = hyperAt(l, slots, hyper, 2);
  Value bufScale = hyperAt(l, slots, hyper, 3);
  bool buffer = static_cast<bool>(in.getMomentumBuffer());
  bool nesterov = op.getNesterov();
  SmallVector<Value> inputs{in.getParam(), in.getGrad()};
  if (buffer)
    inputs.push_back(in.getMomentumBuffer());
  return lowerUpdate(l, op, inputs,
              [&](OpBuilder &nb, Location nl, ValueRange a) {
                auto mul = [&](Value x, Value y) -> Value {
                  return arith::MulFOp::create(nb, nl, x, y);
                };
                auto add = [&](Value x, Value y) -> Value {
                  return arith::AddFOp::create(nb, nl, x, y);
                };
                // (Operands are built one statement at a time: C++ leaves
                // the order of a call's arguments open.)
                Value p = a[0];
                // d = g + weight_decay * p
                Value decay = mul(wd, p);
                Value d = add(a[1], decay);
                SmallVector<Value> out;
                Value u = d;
                Value newBuf;
                if (buffer) {
                  // b' = b * momentum + (1 - dampening) * d
                  Value kept = mul(a[2], mom);
                  Value added = mul(bufScale, d);
                  newBuf = add(kept, added);
                  if (nesterov) { // u = d + momentum * b'
                    Value ahead = mul(mom, newBuf);
                    u = add(d, ahead);
                  } else {
                    u = newBuf;
                  }
                }
                // p' = p - lr * u
                Value step = mul(lr, u);
                out.push_back(arith::SubFOp::create(nb, nl, p, step));
                if (buffer)
                  out.push_back(newBuf);
                return out;
              });
}

SmallVector<Value> lowerAdamUpdate(LinalgBuilder &l, HyperSlots &slots,
                                   cst::AdamUpdateOp op,
                                   cst::AdamUpdateOp::Adaptor in) {
  Value hyper = in.getHyper();
  Type elem = cast<RankedTensorType>(in.getParam().getType()).getElementType();
  Value beta1 = hyperAt(l, slots, hyper, 1);
  Value beta2 = hyperAt(l, slots, hyper, 2);
  Value eps = hyperAt(l, slots, hyper, 3);
  Value wd = hyperAt(l, slots, hyper, 4);
  Value stepSize =
      scaledRate(l, hyperAt(l, slots, hyper, 5), op.getLrScaleAttr());
  Value bc2Sqrt = hyperAt(l, slots, hyper, 6);
  Value one = l.constFloat(elem, 1.0);
  Value oneMinusBeta1 = arith::SubFOp::create(l.b, l.loc, one, beta1);
  Value oneMinusBeta2 = arith::SubFOp::create(l.b, l.loc, one, beta2);
  Value negStepSize = arith::NegFOp::create(l.b, l.loc, stepSize);
  return lowerUpdate(
      l, op, {in.getParam(), in.getGrad(), in.getExpAvg(), in.getExpAvgSq()},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        auto mul = [&](Value x, Value y) -> Value {
          return arith::MulFOp::create(nb, nl, x, y);
        };
        auto add = [&](Value x, Value y) -> Value {
          return arith::AddFOp::create(nb, nl, x, y);
        };
        auto div = [&](Value x, Value y) -> Value {
          return arith::DivFOp::create(nb, nl, x, y);
        };
        Value p = a[0];
        // d = g + weight_decay * p
        Value decay = mul(wd, p);
        Value d = add(a[1], decay);
        // m' = m * beta1 + (1 - beta1) * d
        Value mKept = mul(a[2], beta1);
        Value mAdded = mul(oneMinusBeta1, d);
        Value m = add(mKept, mAdded);
        // v' = v * beta2 + ((1 - beta2) * d) * d
        Value vKept = mul(a[3], beta2);
        Value scaled = mul(oneMinusBeta2, d);
        Value vAdded = mul(scaled, d);
        Value v = add(vKept, vAdded);
        // denom = sqrt(v') / sqrt(1 - beta2^t) + eps
        Value root = math::SqrtOp::create(nb, nl, v);
        Value corrected = div(root, bc2Sqrt);
        Value denom = add(corrected, eps);
        // p' = p + (-step_size * m') / denom
        Value num = mul(negStepSize, m);
        Value delta = div(num, denom);
        Value np = add(p, delta);
        return SmallVector<Value>{np, m, v};
      });
}

/// An update's pattern: the hyperparameters it reads are shared with the
/// other updates of the pass's run (`slots`).
template <typename Op, auto lower>
class UpdateLowering : public CstToLinalgPattern<Op> {
public:
  UpdateLowering(MLIRContext *ctx, const BatchSizes &batches,
                 HyperSlots &slots)
      : CstToLinalgPattern<Op>(ctx, batches), slots(slots) {}
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = this->builderAt(op, rewriter);
    rewriter.replaceOp(op, lower(l, slots, op, in));
    return success();
  }

private:
  HyperSlots &slots;
};

} // namespace

void mlir::cscc::populateCstOptimizerToLinalgPatterns(
    RewritePatternSet &patterns, const BatchSizes &batches,
    HyperSlots &hyperSlots) {
  patterns.add<UpdateLowering<cst::SgdUpdateOp, lowerSgdUpdate>,
               UpdateLowering<cst::AdamUpdateOp, lowerAdamUpdate>>(
      patterns.getContext(), batches, hyperSlots);
}
