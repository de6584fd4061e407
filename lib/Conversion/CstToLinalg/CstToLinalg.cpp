//===- CstToLinalg.cpp - Tensor-level ops to generated loops --------------===//
//
// Everything between convolutions becomes linalg on tensors: elementwise
// ops are linalg.generic with identity / per-channel indexing maps (so
// linalg-fuse-elementwise-ops merges them into one loop nest), reductions
// are linalg.generic with reduction iterators, pooling uses linalg's
// pooling ops on a padded tensor, channel views are tensor slices.
// The backward-pass ops follow the same rules; the pooling adjoints, which
// would scatter, are gathers instead: a generic over the input gradient
// whose body visits the k x k windows containing its pixel (unrolled) and
// reads them with tensor.extract at clamped indices.
// The optimiser updates (cst.sgd_update, cst.adam_update) become one
// linalg.generic per parameter with one output per new tensor.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>
#include <map>

namespace mlir::cscc {
#define GEN_PASS_DEF_CSTLOWERTOLINALG
#define GEN_PASS_DEF_CSCCCOPYTOLINALG
#define GEN_PASS_DEF_CSCCRESULTSTODESTINATIONS
#define GEN_PASS_DEF_CSCCDROPDESTINATIONRESULTS
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

using utils::IteratorType;

/// Builds linalg on tensors at one location.
struct Lowering {
  OpBuilder &b;
  Location loc;
  /// The batch size N, read once from the function's input: every
  /// activation has it. Sizing results from the model input rather than
  /// from each op's operand keeps an intermediate value's only use its
  /// consumer, which linalg's elementwise fusion requires.
  Value batch;
  /// The optimiser updates' hyperparameters read so far, by (vector, slot).
  llvm::DenseMap<std::pair<Value, int64_t>, Value> *hyperSlots = nullptr;

  Value batchOf(Value activation) {
    return batch ? batch
                 : Value(tensor::DimOp::create(b, loc, activation, 0));
  }

  Value constFloat(Type elem, double v) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(elem, v));
  }
  Value constIndex(int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }

  /// The sizes of `type` that are dynamic, read from `like` (same rank and
  /// dynamic dimensions, e.g. the batch of an activation).
  SmallVector<Value> dynamicSizes(RankedTensorType type, Value like) {
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (type.isDynamicDim(i))
        sizes.push_back(i == 0 ? batchOf(like)
                               : Value(tensor::DimOp::create(b, loc, like, i)));
    return sizes;
  }
  Value empty(RankedTensorType type, Value like) {
    return tensor::EmptyOp::create(b, loc, type, dynamicSizes(type, like));
  }
  Value filled(RankedTensorType type, Value like, double v) {
    Value init = empty(type, like);
    return linalg::FillOp::create(b, loc,
                                  constFloat(type.getElementType(), v), init)
        .getResult(0);
  }
  /// The batch size N of an activation as a float of type `elem`.
  Value batchAsFloat(Value activation, Type elem) {
    Value n = batchOf(activation);
    Value i = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
    return arith::SIToFPOp::create(b, loc, elem, i);
  }

  AffineMap identity(int64_t rank) {
    return b.getMultiDimIdentityMap(rank);
  }
  /// (n, c, h, w) -> (c), or -> (0) for a one-entry vector.
  AffineMap channel(Value vector) {
    int64_t size = cast<RankedTensorType>(vector.getType()).getDimSize(0);
    return AffineMap::get(4, 0,
                          size == 1 ? b.getAffineConstantExpr(0)
                                    : b.getAffineDimExpr(1),
                          b.getContext());
  }

  /// An elementwise linalg.generic over `type`'s shape: `body` gets the
  /// input elements and returns the output element.
  Value elementwise(RankedTensorType type, Value like, ValueRange inputs,
                    ArrayRef<AffineMap> inputMaps,
                    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
    SmallVector<AffineMap> maps(inputMaps);
    maps.push_back(identity(type.getRank()));
    SmallVector<IteratorType> iters(type.getRank(), IteratorType::parallel);
    auto op = linalg::GenericOp::create(
        b, loc, type, inputs, ValueRange{empty(type, like)}, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value r = body(nb, nl, args.drop_back());
          linalg::YieldOp::create(nb, nl, r);
        });
    return op.getResult(0);
  }

  /// The elements of `input` summed into `init` along the iteration space
  /// `iters` with the given maps; `body(acc, inputs...)` returns the new
  /// accumulator(s).
  SmallVector<Value>
  reduce(ValueRange inputs, ArrayRef<AffineMap> inputMaps, ValueRange inits,
         ArrayRef<AffineMap> initMaps, ArrayRef<IteratorType> iters,
         function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
             body) {
    SmallVector<AffineMap> maps(inputMaps);
    maps.append(initMaps.begin(), initMaps.end());
    auto op = linalg::GenericOp::create(
        b, loc, ValueRange(inits).getTypes(), inputs, inits, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          linalg::YieldOp::create(nb, nl, body(nb, nl, args));
        });
    return SmallVector<Value>(op.getResults());
  }
};

Value lowerThreshold(Lowering &l, cst::ThresholdOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  Type elem = type.getElementType();
  SmallVector<Value> inputs{op.getInput()};
  SmallVector<AffineMap> maps{l.identity(4)};
  if (op.getThreshold()) {
    inputs.push_back(op.getThreshold());
    maps.push_back(l.channel(op.getThreshold()));
  }
  cst::ThresholdKind kind = op.getKind();
  bool hasB = static_cast<bool>(op.getThreshold());
  return l.elementwise(
      type, op.getInput(), inputs, maps,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value z = a[0];
        Value zero = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 0));
        switch (kind) {
        case cst::ThresholdKind::Relu: // max(z - b, 0)
          return arith::MaximumFOp::create(
              nb, nl, hasB ? arith::SubFOp::create(nb, nl, z, a[1]) : z, zero);
        case cst::ThresholdKind::Soft: {
          // sign(z) max(|z| - b, 0), with sign(0) = 0
          Value mag = math::AbsFOp::create(nb, nl, z);
          if (hasB)
            mag = arith::SubFOp::create(nb, nl, mag, a[1]);
          mag = arith::MaximumFOp::create(nb, nl, mag, zero);
          Value signed_ = math::CopySignOp::create(nb, nl, mag, z);
          Value isZero = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OEQ, z, zero);
          return arith::SelectOp::create(nb, nl, isZero, zero, signed_);
        }
        case cst::ThresholdKind::Hard: {
          // z 1[|z| > b]; unordered, so a NaN passes through (as in relu
          // and soft) and the trainer's NaN check still sees it.
          Value pass = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::UGT, math::AbsFOp::create(nb, nl, z),
              hasB ? a[1] : zero);
          return arith::SelectOp::create(nb, nl, pass, z, zero);
        }
        }
        llvm_unreachable("unknown threshold kind");
      });
}

/// Where a threshold's derivative in z is 1, read off its output y: relu
/// passes where y > 0, soft and hard where y != 0.
arith::CmpFPredicate thresholdPassPredicate(cst::ThresholdKind kind) {
  switch (kind) {
  case cst::ThresholdKind::Relu:
    return arith::CmpFPredicate::OGT;
  case cst::ThresholdKind::Soft:
  case cst::ThresholdKind::Hard:
    return arith::CmpFPredicate::UNE;
  }
  llvm_unreachable("unknown threshold kind");
}

/// (x - mean) / sqrt(var + eps) * w + b with per-channel vectors.
Value normalize(Lowering &l, RankedTensorType type, Value x, Value w, Value bias,
                Value mean, Value invStdOrVar, bool isVar, double eps) {
  Type elem = type.getElementType();
  return l.elementwise(
      type, x, {x, w, bias, mean, invStdOrVar},
      {l.identity(4), l.channel(w), l.channel(bias), l.channel(mean),
       l.channel(invStdOrVar)},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value centered = arith::SubFOp::create(nb, nl, a[0], a[3]);
        Value norm;
        if (isVar) {
          Value e = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, eps));
          Value sd = math::SqrtOp::create(
              nb, nl, arith::AddFOp::create(nb, nl, a[4], e));
          norm = arith::DivFOp::create(nb, nl, centered, sd);
        } else {
          norm = arith::MulFOp::create(nb, nl, centered, a[4]);
        }
        return arith::AddFOp::create(
            nb, nl, arith::MulFOp::create(nb, nl, norm, a[1]), a[2]);
      });
}

void lowerBatchNormTrain(Lowering &l, cst::BatchNormTrainOp op) {
  auto type = cast<RankedTensorType>(op.getOutput().getType());
  auto vecType = cast<RankedTensorType>(op.getRunningMean().getType());
  Type elem = type.getElementType();
  Value x = op.getInput();
  SmallVector<IteratorType> iters{IteratorType::reduction, IteratorType::parallel,
                                  IteratorType::reduction, IteratorType::reduction};
  AffineMap toChannel = AffineMap::get(4, 0, l.b.getAffineDimExpr(1),
                                       l.b.getContext());
  // count = N H W
  Value count = arith::MulFOp::create(
      l.b, l.loc, l.batchAsFloat(x, elem),
      l.constFloat(elem, double(type.getDimSize(2) * type.getDimSize(3))));
  Value sum = l.reduce({x}, {l.identity(4)}, {l.filled(vecType, x, 0.0)},
                       {toChannel}, iters,
                       [](OpBuilder &nb, Location nl, ValueRange a) {
                         return SmallVector<Value>{
                             arith::AddFOp::create(nb, nl, a[1], a[0])};
                       })[0];
  auto perChannel = [&](Value v, function_ref<Value(OpBuilder &, Location, Value)> f) {
    return l.elementwise(vecType, v, {v}, {l.identity(1)},
                         [&](OpBuilder &nb, Location nl, ValueRange a) {
                           return f(nb, nl, a[0]);
                         });
  };
  Value mean = perChannel(sum, [&](OpBuilder &nb, Location nl, Value s) -> Value {
    return arith::DivFOp::create(nb, nl, s, count);
  });
  Value sq = l.reduce({x, mean}, {l.identity(4), toChannel},
                      {l.filled(vecType, x, 0.0)}, {toChannel}, iters,
                      [](OpBuilder &nb, Location nl, ValueRange a) {
                        Value d = arith::SubFOp::create(nb, nl, a[0], a[1]);
                        return SmallVector<Value>{arith::AddFOp::create(
                            nb, nl, a[2], arith::MulFOp::create(nb, nl, d, d))};
                      })[0];
  double eps = op.getEps().convertToDouble();
  double m = op.getMomentum().convertToDouble();
  Value var = perChannel(sq, [&](OpBuilder &nb, Location nl, Value s) -> Value {
    return arith::DivFOp::create(nb, nl, s, count);
  });
  Value invStd = perChannel(var, [&](OpBuilder &nb, Location nl, Value v) -> Value {
    Value e = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, eps));
    Value one = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 1.0));
    return arith::DivFOp::create(
        nb, nl, one,
        math::SqrtOp::create(nb, nl, arith::AddFOp::create(nb, nl, v, e)));
  });
  Value y = normalize(l, type, x, op.getWeight(), op.getBias(), mean, invStd,
                      /*isVar=*/false, eps);
  // Running statistics: r <- (1 - m) r + m s, the variance unbiased.
  auto update = [&](Value running, Value stat, bool unbias) {
    return l.elementwise(
        vecType, running, {running, stat}, {l.identity(1), l.identity(1)},
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value s = a[1];
          if (unbias) {
            Value one = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 1.0));
            s = arith::DivFOp::create(
                nb, nl, arith::MulFOp::create(nb, nl, s, count),
                arith::MaximumFOp::create(
                    nb, nl, arith::SubFOp::create(nb, nl, count, one), one));
          }
          Value keep = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 1.0 - m));
          Value take = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, m));
          return arith::AddFOp::create(
              nb, nl, arith::MulFOp::create(nb, nl, a[0], keep),
              arith::MulFOp::create(nb, nl, s, take));
        });
  };
  Value newMean = update(op.getRunningMean(), mean, false);
  Value newVar = update(op.getRunningVar(), var, true);
  op.getOutput().replaceAllUsesWith(y);
  op.getNewRunningMean().replaceAllUsesWith(newMean);
  op.getNewRunningVar().replaceAllUsesWith(newVar);
  op.getBatchMean().replaceAllUsesWith(mean);
  op.getBatchInvStd().replaceAllUsesWith(invStd);
}

/// Zero (or -inf) padding of H and W.
Value padSpatial(Lowering &l, Value x, int64_t p, double value) {
  if (p == 0)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  auto padded = RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), type.getDimSize(2) + 2 * p,
       type.getDimSize(3) + 2 * p},
      type.getElementType());
  SmallVector<OpFoldResult> low{l.b.getIndexAttr(0), l.b.getIndexAttr(0),
                                l.b.getIndexAttr(p), l.b.getIndexAttr(p)};
  return tensor::PadOp::create(l.b, l.loc, padded, x, low, low,
                               l.constFloat(type.getElementType(), value));
}

Value lowerPool(Lowering &l, Operation *op, int64_t k, int64_t s, int64_t p,
                bool isMax) {
  Value x = op->getOperand(0);
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Type elem = type.getElementType();
  double lowest = -std::numeric_limits<double>::infinity();
  Value padded = padSpatial(l, x, p, isMax ? lowest : 0.0);
  Value init = l.filled(type, x, isMax ? lowest : 0.0);
  Value window = tensor::EmptyOp::create(l.b, l.loc, ArrayRef<int64_t>{k, k}, elem);
  auto strides = l.b.getI64TensorAttr({s, s});
  auto dilations = l.b.getI64TensorAttr({1, 1});
  if (isMax)
    return linalg::PoolingNchwMaxOp::create(l.b, l.loc, TypeRange{type},
                                            ValueRange{padded, window},
                                            ValueRange{init}, strides, dilations)
        .getResult(0);
  Value sum = linalg::PoolingNchwSumOp::create(l.b, l.loc, TypeRange{type},
                                               ValueRange{padded, window},
                                               ValueRange{init}, strides,
                                               dilations)
                  .getResult(0);
  double inv = 1.0 / double(k * k); // padding counted, as PyTorch's default
  return l.elementwise(type, x, {sum}, {l.identity(4)},
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         return arith::MulFOp::create(
                             nb, nl, a[0],
                             arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, inv)));
                       });
}

/// [N, C] -> [N, C, 1, 1].
Value expandToNchw(Lowering &l, Value v, RankedTensorType type, Value like) {
  SmallVector<ReassociationIndices> groups{{0}, {1, 2, 3}};
  SmallVector<OpFoldResult> shape{
      OpFoldResult(l.batchOf(like)),
      l.b.getIndexAttr(type.getDimSize(1)), l.b.getIndexAttr(1),
      l.b.getIndexAttr(1)};
  return tensor::ExpandShapeOp::create(l.b, l.loc, type, v, groups, shape);
}

Value lowerGlobalAvgPool(Lowering &l, cst::GlobalAvgPoolOp op) {
  Value x = op.getInput();
  auto type = cast<RankedTensorType>(op.getType());
  auto xt = cast<RankedTensorType>(x.getType());
  Type elem = type.getElementType();
  auto flat = RankedTensorType::get({ShapedType::kDynamic, type.getDimSize(1)}, elem);
  AffineMap toNC = AffineMap::get(
      4, 0, {l.b.getAffineDimExpr(0), l.b.getAffineDimExpr(1)}, l.b.getContext());
  Value sum = l.reduce({x}, {l.identity(4)}, {l.filled(flat, x, 0.0)}, {toNC},
                       {IteratorType::parallel, IteratorType::parallel,
                        IteratorType::reduction, IteratorType::reduction},
                       [](OpBuilder &nb, Location nl, ValueRange a) {
                         return SmallVector<Value>{
                             arith::AddFOp::create(nb, nl, a[1], a[0])};
                       })[0];
  double inv = 1.0 / double(xt.getDimSize(2) * xt.getDimSize(3));
  Value mean = l.elementwise(flat, sum, {sum}, {l.identity(2)},
                             [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                               return arith::MulFOp::create(
                                   nb, nl, a[0],
                                   arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, inv)));
                             });
  return expandToNchw(l, mean, type, x);
}

Value lowerLinear(Lowering &l, cst::LinearOp op) {
  Value x = op.getInput();
  auto type = cast<RankedTensorType>(op.getType());
  auto xt = cast<RankedTensorType>(x.getType());
  Type elem = type.getElementType();
  int64_t features = xt.getDimSize(1) * xt.getDimSize(2) * xt.getDimSize(3);
  auto flatX = RankedTensorType::get({ShapedType::kDynamic, features}, elem);
  Value xf = tensor::CollapseShapeOp::create(
      l.b, l.loc, flatX, x, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  auto flatY = RankedTensorType::get({ShapedType::kDynamic, type.getDimSize(1)}, elem);
  // y[n, o] = sum_k x[n, k] w[o, k] (+ bias[o])
  Value init;
  if (op.getBias()) {
    init = l.elementwise(
        flatY, xf, {op.getBias()},
        {AffineMap::get(2, 0, l.b.getAffineDimExpr(1), l.b.getContext())},
        [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  } else {
    init = l.filled(flatY, xf, 0.0);
  }
  MLIRContext *ctx = l.b.getContext();
  AffineExpr n = l.b.getAffineDimExpr(0), o = l.b.getAffineDimExpr(1),
             k = l.b.getAffineDimExpr(2);
  Value y = l.reduce({xf, op.getWeight()},
                     {AffineMap::get(3, 0, {n, k}, ctx), AffineMap::get(3, 0, {o, k}, ctx)},
                     {init}, {AffineMap::get(3, 0, {n, o}, ctx)},
                     {IteratorType::parallel, IteratorType::parallel,
                      IteratorType::reduction},
                     [](OpBuilder &nb, Location nl, ValueRange a) {
                       return SmallVector<Value>{arith::AddFOp::create(
                           nb, nl, a[2], arith::MulFOp::create(nb, nl, a[0], a[1]))};
                     })[0];
  return expandToNchw(l, y, type, x);
}

Value lowerShortcut(Lowering &l, cst::ShortcutOp op) {
  Value x = op.getInput();
  auto type = cast<RankedTensorType>(op.getType());
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t s = op.getStride();
  auto sub = RankedTensorType::get(
      {ShapedType::kDynamic, xt.getDimSize(1), type.getDimSize(2), type.getDimSize(3)},
      type.getElementType());
  Value n = l.batchOf(x);
  auto I = [&](int64_t v) -> OpFoldResult { return l.b.getIndexAttr(v); };
  Value picked = tensor::ExtractSliceOp::create(
      l.b, l.loc, sub, x, SmallVector<OpFoldResult>{I(0), I(0), I(0), I(0)},
      SmallVector<OpFoldResult>{n, I(xt.getDimSize(1)), I(type.getDimSize(2)),
                                I(type.getDimSize(3))},
      SmallVector<OpFoldResult>{I(1), I(1), I(s), I(s)});
  if (type.getDimSize(1) == xt.getDimSize(1))
    return picked;
  Value out = l.filled(type, x, 0.0);
  return tensor::InsertSliceOp::create(
      l.b, l.loc, picked, out, SmallVector<OpFoldResult>{I(0), I(0), I(0), I(0)},
      SmallVector<OpFoldResult>{n, I(xt.getDimSize(1)), I(type.getDimSize(2)),
                                I(type.getDimSize(3))},
      SmallVector<OpFoldResult>{I(1), I(1), I(1), I(1)});
}

/// Channel slice [offset, offset + size) of an activation, all of N, H, W.
SmallVector<OpFoldResult> channelWindow(Lowering &l, Value batchOf, int64_t offset,
                                        int64_t size, RankedTensorType t,
                                        SmallVector<OpFoldResult> &sizes) {
  Value n = l.batchOf(batchOf);
  sizes = {n, l.b.getIndexAttr(size), l.b.getIndexAttr(t.getDimSize(2)),
           l.b.getIndexAttr(t.getDimSize(3))};
  return {l.b.getIndexAttr(0), l.b.getIndexAttr(offset), l.b.getIndexAttr(0),
          l.b.getIndexAttr(0)};
}

Value lowerConcat(Lowering &l, cst::ConcatOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  Value out = l.empty(type, op.getInputs()[0]);
  int64_t offset = 0;
  SmallVector<OpFoldResult> ones(4, l.b.getIndexAttr(1));
  for (Value in : op.getInputs()) {
    int64_t c = cast<RankedTensorType>(in.getType()).getDimSize(1);
    SmallVector<OpFoldResult> sizes;
    auto offsets = channelWindow(l, in, offset, c, type, sizes);
    out = tensor::InsertSliceOp::create(l.b, l.loc, in, out, offsets, sizes, ones);
    offset += c;
  }
  return out;
}

Value lowerSlice(Lowering &l, cst::SliceOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  SmallVector<OpFoldResult> sizes, ones(4, l.b.getIndexAttr(1));
  auto offsets = channelWindow(l, op.getInput(), op.getOffset(),
                               type.getDimSize(1), type, sizes);
  return tensor::ExtractSliceOp::create(l.b, l.loc, type, op.getInput(), offsets,
                                        sizes, ones);
}

Value lowerCrossEntropy(Lowering &l, cst::SoftmaxCrossEntropyOp op) {
  Value z4 = op.getLogits();
  auto zt = cast<RankedTensorType>(z4.getType());
  Type elem = zt.getElementType();
  int64_t classes = zt.getDimSize(1);
  auto flat = RankedTensorType::get({ShapedType::kDynamic, classes}, elem);
  Value z = tensor::CollapseShapeOp::create(
      l.b, l.loc, flat, z4, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  auto rowType = RankedTensorType::get({ShapedType::kDynamic}, elem);
  MLIRContext *ctx = l.b.getContext();
  AffineMap nk = l.identity(2), nOnly = AffineMap::get(2, 0, l.b.getAffineDimExpr(0), ctx);
  SmallVector<IteratorType> rowIters{IteratorType::parallel, IteratorType::reduction};
  double lowest = -std::numeric_limits<double>::infinity();
  Value rowMax = l.reduce({z}, {nk}, {l.filled(rowType, z, lowest)}, {nOnly}, rowIters,
                          [](OpBuilder &nb, Location nl, ValueRange a) {
                            return SmallVector<Value>{
                                arith::MaximumFOp::create(nb, nl, a[1], a[0])};
                          })[0];
  // sum_k exp(z - max) and z[n, label[n]] in one pass over the logits.
  auto parts = l.reduce(
      {z, rowMax, op.getLabels()}, {nk, nOnly, nOnly},
      {l.filled(rowType, z, 0.0), l.filled(rowType, z, 0.0)}, {nOnly, nOnly},
      rowIters, [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value e = math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1]));
        Value k = arith::IndexCastOp::create(
            nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, 1));
        Value hit = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, k, a[2]);
        Value zero = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 0.0));
        Value picked = arith::SelectOp::create(nb, nl, hit, a[0], zero);
        return SmallVector<Value>{arith::AddFOp::create(nb, nl, a[3], e),
                                  arith::AddFOp::create(nb, nl, a[4], picked)};
      });
  // mean over n of log(sum) + max - z[label]
  auto scalarType = cast<RankedTensorType>(op.getType());
  Value total = l.reduce(
      {parts[0], rowMax, parts[1]}, {l.identity(1), l.identity(1), l.identity(1)},
      {l.filled(scalarType, Value(), 0.0)},
      {AffineMap::get(1, 0, {}, ctx)}, {IteratorType::reduction},
      [](OpBuilder &nb, Location nl, ValueRange a) {
        Value v = arith::SubFOp::create(
            nb, nl, arith::AddFOp::create(nb, nl, math::LogOp::create(nb, nl, a[0]), a[1]),
            a[2]);
        return SmallVector<Value>{arith::AddFOp::create(nb, nl, a[3], v)};
      })[0];
  Value n = l.batchAsFloat(z4, elem);
  return l.elementwise(scalarType, Value(), {total}, {l.identity(0)},
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         return arith::DivFOp::create(nb, nl, a[0], n);
                       });
}

Value lowerL1(Lowering &l, cst::L1NormOp op) {
  Value x = op.getInput();
  auto scalarType = cast<RankedTensorType>(op.getType());
  Type elem = scalarType.getElementType();
  Value sum = l.reduce({x}, {l.identity(4)}, {l.filled(scalarType, Value(), 0.0)},
                       {AffineMap::get(4, 0, {}, l.b.getContext())},
                       SmallVector<IteratorType>(4, IteratorType::reduction),
                       [](OpBuilder &nb, Location nl, ValueRange a) {
                         return SmallVector<Value>{arith::AddFOp::create(
                             nb, nl, a[1], math::AbsFOp::create(nb, nl, a[0]))};
                       })[0];
  Value n = l.batchAsFloat(x, elem);
  double w = op.getWeight().convertToDouble();
  return l.elementwise(scalarType, Value(), {sum}, {l.identity(0)},
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         Value wv = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, w));
                         return arith::DivFOp::create(
                             nb, nl, arith::MulFOp::create(nb, nl, a[0], wv), n);
                       });
}

/// cst.zero_fraction: the zeros counted exactly in an i64 (a full
/// reduction over every dimension), then count / size in the element type.
/// A dynamic size (the batch) is read at run time.
Value lowerZeroFraction(Lowering &l, cst::ZeroFractionOp op) {
  Value x = op.getInput();
  auto xt = cast<RankedTensorType>(x.getType());
  auto scalarType = cast<RankedTensorType>(op.getType());
  Type elem = scalarType.getElementType();
  int64_t rank = xt.getRank();
  MLIRContext *ctx = l.b.getContext();
  Type i64 = l.b.getI64Type();
  auto countType = RankedTensorType::get({}, i64);
  Value zeroCount = arith::ConstantOp::create(l.b, l.loc, l.b.getI64IntegerAttr(0));
  Value init = linalg::FillOp::create(
                   l.b, l.loc, zeroCount,
                   tensor::EmptyOp::create(l.b, l.loc, countType, ValueRange{}).getResult())
                   .getResult(0);
  Value count = l.reduce({x}, {l.identity(rank)}, {init},
                         {AffineMap::get(rank, 0, {}, ctx)},
                         SmallVector<IteratorType>(rank, IteratorType::reduction),
                         [&](OpBuilder &nb, Location nl, ValueRange a) {
                           Value zero = arith::ConstantOp::create(
                               nb, nl, nb.getFloatAttr(a[0].getType(), 0.0));
                           Value isZero = arith::CmpFOp::create(
                               nb, nl, arith::CmpFPredicate::OEQ, a[0], zero);
                           Value one = arith::ExtUIOp::create(nb, nl, i64, isZero);
                           return SmallVector<Value>{
                               arith::AddIOp::create(nb, nl, a[1], one)};
                         })[0];
  // The number of elements: the static sizes' product times the dynamic
  // ones (an activation's batch is the function's).
  int64_t fixed = 1;
  for (int64_t d : xt.getShape())
    if (!ShapedType::isDynamic(d))
      fixed *= d;
  Value size = l.constIndex(fixed);
  for (int64_t i = 0; i < rank; ++i)
    if (xt.isDynamicDim(i)) {
      Value d = i == 0 && rank == 4
                    ? l.batchOf(x)
                    : Value(tensor::DimOp::create(l.b, l.loc, x, i));
      size = arith::MulIOp::create(l.b, l.loc, size, d);
    }
  Value sizeF = arith::SIToFPOp::create(
      l.b, l.loc, elem, arith::IndexCastOp::create(l.b, l.loc, i64, size));
  return l.elementwise(scalarType, Value(), {count}, {l.identity(0)},
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         Value c = arith::SIToFPOp::create(nb, nl, elem, a[0]);
                         return arith::DivFOp::create(nb, nl, c, sizeF);
                       });
}

//===----------------------------------------------------------------------===//
// Backward-pass ops
//===----------------------------------------------------------------------===//

/// sign(x): 1 above 0, -1 below, else 0 (at +-0 and NaN, as PyTorch).
Value signOf(OpBuilder &nb, Location nl, Value x) {
  Type elem = x.getType();
  Value zero = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 0.0));
  Value one = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 1.0));
  Value minus = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, -1.0));
  Value pos = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, x, zero);
  Value neg = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OLT, x, zero);
  return arith::SelectOp::create(
      nb, nl, pos, one, arith::SelectOp::create(nb, nl, neg, minus, zero));
}

Value lowerEmbed(Lowering &l, cst::EmbedOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  int64_t c = cast<RankedTensorType>(op.getInput().getType()).getDimSize(1);
  int64_t offset = op.getOffset();
  auto I = [&](int64_t v) -> OpFoldResult { return l.b.getIndexAttr(v); };
  return tensor::PadOp::create(
      l.b, l.loc, type, op.getInput(),
      SmallVector<OpFoldResult>{I(0), I(offset), I(0), I(0)},
      SmallVector<OpFoldResult>{I(0), I(type.getDimSize(1) - offset - c), I(0),
                                I(0)},
      l.constFloat(type.getElementType(), 0.0));
}

/// scale * sum over N, H, W of x (* other): one reduction (a producer of x
/// fuses into it), then the scale on the [C] (or [1]) result.
Value lowerReduceChannels(Lowering &l, cst::ReduceChannelsOp op) {
  auto vecType = cast<RankedTensorType>(op.getType());
  Type elem = vecType.getElementType();
  Value x = op.getInput();
  bool all = vecType.getDimSize(0) == 1; // everything into one entry
  SmallVector<IteratorType> iters(4, IteratorType::reduction);
  if (!all)
    iters[1] = IteratorType::parallel;
  SmallVector<Value> inputs{x};
  SmallVector<AffineMap> maps{l.identity(4)};
  if (op.getOther()) {
    inputs.push_back(op.getOther());
    maps.push_back(l.identity(4));
  }
  bool product = static_cast<bool>(op.getOther());
  Value sum = l.reduce(inputs, maps, {l.filled(vecType, x, 0.0)},
                       {l.channel(op.getOutput())}, iters,
                       [&](OpBuilder &nb, Location nl, ValueRange a) {
                         Value v = product ? Value(arith::MulFOp::create(
                                                 nb, nl, a[0], a[1]))
                                           : a[0];
                         return SmallVector<Value>{
                             arith::AddFOp::create(nb, nl, a.back(), v)};
                       })[0];
  double scale = op.getScale().convertToDouble();
  if (scale == 1.0)
    return sum;
  return l.elementwise(vecType, sum, {sum}, {l.identity(1)},
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         return arith::MulFOp::create(
                             nb, nl, a[0],
                             arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, scale)));
                       });
}

/// dbias = sum dy and dweight = sum dy x_hat in one reduction, then
/// dx = weight inv_std / M (M dy - dbias - x_hat dweight), M = N H W.
void lowerBatchNormGrad(Lowering &l, cst::BatchNormGradOp op) {
  auto type = cast<RankedTensorType>(op.getInputGrad().getType());
  auto vecType = cast<RankedTensorType>(op.getBiasGrad().getType());
  Type elem = type.getElementType();
  Value x = op.getInput(), dy = op.getOutputGrad(), mean = op.getBatchMean(),
        inv = op.getBatchInvStd();
  AffineMap toChannel = AffineMap::get(4, 0, l.b.getAffineDimExpr(1),
                                       l.b.getContext());
  Value count = arith::MulFOp::create(
      l.b, l.loc, l.batchAsFloat(x, elem),
      l.constFloat(elem, double(type.getDimSize(2) * type.getDimSize(3))));
  auto sums = l.reduce(
      {x, dy, mean, inv}, {l.identity(4), l.identity(4), toChannel, toChannel},
      {l.filled(vecType, x, 0.0), l.filled(vecType, x, 0.0)},
      {toChannel, toChannel},
      {IteratorType::reduction, IteratorType::parallel, IteratorType::reduction,
       IteratorType::reduction},
      [](OpBuilder &nb, Location nl, ValueRange a) {
        Value xhat = arith::MulFOp::create(
            nb, nl, arith::SubFOp::create(nb, nl, a[0], a[2]), a[3]);
        return SmallVector<Value>{
            arith::AddFOp::create(nb, nl, a[4], a[1]),
            arith::AddFOp::create(nb, nl, a[5],
                                  arith::MulFOp::create(nb, nl, a[1], xhat))};
      });
  Value dbias = sums[0], dweight = sums[1];
  Value dx = l.elementwise(
      type, x, {x, dy, op.getWeight(), mean, inv, dbias, dweight},
      {l.identity(4), l.identity(4), l.channel(op.getWeight()), toChannel,
       toChannel, toChannel, toChannel},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value xhat = arith::MulFOp::create(
            nb, nl, arith::SubFOp::create(nb, nl, a[0], a[3]), a[4]);
        Value t = arith::SubFOp::create(
            nb, nl, arith::MulFOp::create(nb, nl, count, a[1]), a[5]);
        t = arith::SubFOp::create(nb, nl, t,
                                  arith::MulFOp::create(nb, nl, xhat, a[6]));
        Value coef = arith::DivFOp::create(
            nb, nl, arith::MulFOp::create(nb, nl, a[2], a[4]), count);
        return arith::MulFOp::create(nb, nl, coef, t);
      });
  op.getInputGrad().replaceAllUsesWith(dx);
  op.getWeightGrad().replaceAllUsesWith(dweight);
  op.getBiasGrad().replaceAllUsesWith(dbias);
}

/// Index arithmetic inside a linalg body (pooling adjoints: which output
/// windows contain this input pixel). Ops are made in a fixed order (no
/// two in one argument list).
struct IndexMath {
  OpBuilder &b;
  Location loc;
  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value i, int64_t v) {
    return v == 0 ? i : Value(arith::AddIOp::create(b, loc, i, c(v)));
  }
  Value cmp(arith::CmpIPredicate p, Value i, int64_t v) {
    return arith::CmpIOp::create(b, loc, p, i, c(v));
  }
  Value both(Value p, Value q) { return arith::AndIOp::create(b, loc, p, q); }
  /// 0 <= i < size
  Value inRange(Value i, int64_t size) {
    Value lo = cmp(arith::CmpIPredicate::sge, i, 0);
    return both(lo, cmp(arith::CmpIPredicate::slt, i, size));
  }
  /// i where `ok`, else 0: a safe index for tensor.extract.
  Value clamp(Value ok, Value i) {
    return arith::SelectOp::create(b, loc, ok, i, c(0));
  }
  /// The output window whose tap `kernelTap` is input pixel `i` (one axis):
  /// o = (i + p - tap) / s when that divides and 0 <= o < outSize.
  /// Returns (valid, o clamped to 0 when not valid).
  std::pair<Value, Value> window(Value i, int64_t kernelTap, int64_t s,
                                 int64_t p, int64_t outSize) {
    Value num = add(i, p - kernelTap);
    Value lo = cmp(arith::CmpIPredicate::sge, num, 0);
    Value ok = both(lo, cmp(arith::CmpIPredicate::sle, num, (outSize - 1) * s));
    Value o = num;
    if (s != 1) {
      Value rem = arith::RemSIOp::create(b, loc, num, c(s));
      ok = both(ok, cmp(arith::CmpIPredicate::eq, rem, 0));
      o = arith::DivSIOp::create(b, loc, num, c(s));
    }
    return {ok, clamp(ok, o)};
  }
};

/// A generic over the input gradient's indices whose body gets (n, c, h, w)
/// and the elements of `inputs` (identity maps). Used by the pooling
/// adjoints, which gather from the output gradient with tensor.extract
/// (linalg cannot scatter).
Value gatherOverInput(Lowering &l, RankedTensorType type, Value like,
                      ValueRange inputs,
                      function_ref<Value(OpBuilder &, Location, ValueRange,
                                         ValueRange)> body) {
  SmallVector<AffineMap> maps(inputs.size(), l.identity(4));
  return l.elementwise(type, like, inputs, maps,
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         SmallVector<Value> idx;
                         for (int64_t d = 0; d < 4; ++d)
                           idx.push_back(linalg::IndexOp::create(nb, nl, d));
                         return body(nb, nl, idx, a);
                       });
}

/// dx[h, w] = sum over the windows (oh, ow) whose first maximum is x[h, w]
/// of dy[oh, ow]. The k x k taps are unrolled; for tap (kh, kw) the window
/// is oh = (h + p - kh) / s, and x[h, w] is its first maximum when it equals
/// y[oh, ow] and no in-range tap of that window before (kh, kw) in row-major
/// order does. Taps are visited so that windows come in row-major order
/// (PyTorch's order of accumulation). NaNs are not PyTorch's (which
/// routes a window's gradient to its last NaN): a NaN window max matches no
/// pixel here, so its gradient is dropped.
Value lowerMaxPoolGrad(Lowering &l, cst::MaxPoolGradOp op) {
  auto type = cast<RankedTensorType>(op.getInputGrad().getType());
  auto yt = cast<RankedTensorType>(op.getOutput().getType());
  Type elem = type.getElementType();
  int64_t k = op.getKernel(), s = op.getStride(), p = op.getPadding();
  int64_t H = type.getDimSize(2), W = type.getDimSize(3);
  int64_t OH = yt.getDimSize(2), OW = yt.getDimSize(3);
  Value x = op.getInput(), y = op.getOutput(), dy = op.getOutputGrad();
  return gatherOverInput(
      l, type, x, {x},
      [&](OpBuilder &nb, Location nl, ValueRange idx, ValueRange a) -> Value {
        IndexMath m{nb, nl};
        Value n = idx[0], c = idx[1], h = idx[2], w = idx[3], xv = a[0];
        SmallVector<std::pair<Value, Value>> rows, cols;
        for (int64_t t = 0; t < k; ++t) {
          rows.push_back(m.window(h, t, s, p, OH));
          cols.push_back(m.window(w, t, s, p, OW));
        }
        // (h + d inside the input, that index clamped) per axis and offset,
        // and x at (h + dh, w + dw) with whether it is inside: made once.
        using Axis = std::map<int64_t, std::pair<Value, Value>>;
        Axis rowAt, colAt;
        auto shifted = [&](Axis &cache, Value i, int64_t d, int64_t size) {
          auto it = cache.find(d);
          if (it != cache.end())
            return it->second;
          Value id = m.add(i, d);
          Value ok = m.inRange(id, size);
          return cache[d] = {ok, m.clamp(ok, id)};
        };
        std::map<std::pair<int64_t, int64_t>, std::pair<Value, Value>> near;
        auto xAt = [&](int64_t dh, int64_t dw) {
          auto it = near.find({dh, dw});
          if (it != near.end())
            return it->second;
          auto [okh, ih] = shifted(rowAt, h, dh, H);
          auto [okw, iw] = shifted(colAt, w, dw, W);
          Value v = tensor::ExtractOp::create(nb, nl, x, ValueRange{n, c, ih, iw});
          return near[{dh, dw}] = {m.both(okh, okw), v};
        };
        Value no = arith::ConstantOp::create(nb, nl, nb.getBoolAttr(false));
        Value sum = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 0.0));
        for (int64_t kh = k - 1; kh >= 0; --kh) {
          for (int64_t kw = k - 1; kw >= 0; --kw) {
            auto [okh, oh] = rows[kh];
            auto [okw, ow] = cols[kw];
            Value max = tensor::ExtractOp::create(nb, nl, y, ValueRange{n, c, oh, ow});
            Value inWindow = m.both(okh, okw);
            Value wins = m.both(inWindow, arith::CmpFOp::create(
                                              nb, nl, arith::CmpFPredicate::OEQ, xv, max));
            // An earlier in-range tap of the same window equal to the max?
            Value earlier = no;
            for (int64_t t = 0; t < kh * k + kw; ++t) {
              auto [inside, v] = xAt(t / k - kh, t % k - kw);
              Value hit = m.both(inside, arith::CmpFOp::create(
                                             nb, nl, arith::CmpFPredicate::OEQ, v, max));
              earlier = earlier == no ? hit
                                      : Value(arith::OrIOp::create(nb, nl, earlier, hit));
            }
            if (earlier != no)
              wins = arith::SelectOp::create(nb, nl, earlier, no, wins);
            Value g = tensor::ExtractOp::create(nb, nl, dy, ValueRange{n, c, oh, ow});
            sum = arith::SelectOp::create(nb, nl, wins,
                                          arith::AddFOp::create(nb, nl, sum, g), sum);
          }
        }
        return sum;
      });
}

/// dx[h, w] = sum over the windows (oh, ow) containing (h, w) of
/// dy[oh, ow] / k^2 (padding counted, as the forward pass): the taps
/// unrolled, windows in row-major order as PyTorch accumulates.
Value lowerAvgPoolGrad(Lowering &l, cst::AvgPoolGradOp op) {
  auto type = cast<RankedTensorType>(op.getInputGrad().getType());
  auto yt = cast<RankedTensorType>(op.getOutputGrad().getType());
  Type elem = type.getElementType();
  int64_t k = op.getKernel(), s = op.getStride(), p = op.getPadding();
  int64_t OH = yt.getDimSize(2), OW = yt.getDimSize(3);
  Value dy = op.getOutputGrad();
  return gatherOverInput(
      l, type, dy, {},
      [&](OpBuilder &nb, Location nl, ValueRange idx, ValueRange) -> Value {
        IndexMath m{nb, nl};
        SmallVector<std::pair<Value, Value>> rows, cols;
        for (int64_t t = 0; t < k; ++t) {
          rows.push_back(m.window(idx[2], t, s, p, OH));
          cols.push_back(m.window(idx[3], t, s, p, OW));
        }
        Value area = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, double(k * k)));
        Value sum = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 0.0));
        for (int64_t kh = k - 1; kh >= 0; --kh) {
          for (int64_t kw = k - 1; kw >= 0; --kw) {
            auto [okh, oh] = rows[kh];
            auto [okw, ow] = cols[kw];
            Value g = tensor::ExtractOp::create(nb, nl, dy,
                                                ValueRange{idx[0], idx[1], oh, ow});
            Value part = arith::DivFOp::create(nb, nl, g, area);
            Value inWindow = m.both(okh, okw);
            sum = arith::SelectOp::create(nb, nl, inWindow,
                                          arith::AddFOp::create(nb, nl, sum, part), sum);
          }
        }
        return sum;
      });
}

/// dy / (H W) broadcast over H and W.
Value lowerGlobalAvgPoolGrad(Lowering &l, cst::GlobalAvgPoolGradOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  Type elem = type.getElementType();
  double area = double(type.getDimSize(2) * type.getDimSize(3));
  MLIRContext *ctx = l.b.getContext();
  AffineMap toNC = AffineMap::get(
      4, 0,
      {l.b.getAffineDimExpr(0), l.b.getAffineDimExpr(1),
       l.b.getAffineConstantExpr(0), l.b.getAffineConstantExpr(0)},
      ctx);
  return l.elementwise(type, op.getOutputGrad(), {op.getOutputGrad()}, {toNC},
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         return arith::DivFOp::create(
                             nb, nl, a[0],
                             arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, area)));
                       });
}

/// dx[n, i] = sum_o dy[n, o] W[o, i], i = (c, h, w) flattened as lowerLinear.
Value lowerLinearGradInput(Lowering &l, cst::LinearGradInputOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  Value dy4 = op.getOutputGrad(), wt = op.getWeight();
  auto dyt = cast<RankedTensorType>(dy4.getType());
  Type elem = type.getElementType();
  int64_t outs = dyt.getDimSize(1);
  int64_t features = type.getDimSize(1) * type.getDimSize(2) * type.getDimSize(3);
  auto flatDy = RankedTensorType::get({ShapedType::kDynamic, outs}, elem);
  Value dy = tensor::CollapseShapeOp::create(
      l.b, l.loc, flatDy, dy4, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  auto flatDx = RankedTensorType::get({ShapedType::kDynamic, features}, elem);
  MLIRContext *ctx = l.b.getContext();
  AffineExpr n = l.b.getAffineDimExpr(0), i = l.b.getAffineDimExpr(1),
             o = l.b.getAffineDimExpr(2);
  Value dx = l.reduce({dy, wt},
                      {AffineMap::get(3, 0, {n, o}, ctx), AffineMap::get(3, 0, {o, i}, ctx)},
                      {l.filled(flatDx, dy, 0.0)}, {AffineMap::get(3, 0, {n, i}, ctx)},
                      {IteratorType::parallel, IteratorType::parallel,
                       IteratorType::reduction},
                      [](OpBuilder &nb, Location nl, ValueRange a) {
                        return SmallVector<Value>{arith::AddFOp::create(
                            nb, nl, a[2], arith::MulFOp::create(nb, nl, a[0], a[1]))};
                      })[0];
  SmallVector<OpFoldResult> shape{
      OpFoldResult(l.batchOf(dy4)), l.b.getIndexAttr(type.getDimSize(1)),
      l.b.getIndexAttr(type.getDimSize(2)), l.b.getIndexAttr(type.getDimSize(3))};
  return tensor::ExpandShapeOp::create(
      l.b, l.loc, type, dx, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}},
      shape);
}

/// dW[o, i] = sum_n dy[n, o] flatten(x)[n, i].
Value lowerLinearGradWeight(Lowering &l, cst::LinearGradWeightOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  Value x4 = op.getInput(), dy4 = op.getOutputGrad();
  Type elem = type.getElementType();
  SmallVector<ReassociationIndices> groups{{0}, {1, 2, 3}};
  Value x = tensor::CollapseShapeOp::create(
      l.b, l.loc, RankedTensorType::get({ShapedType::kDynamic, type.getDimSize(1)}, elem),
      x4, groups);
  Value dy = tensor::CollapseShapeOp::create(
      l.b, l.loc, RankedTensorType::get({ShapedType::kDynamic, type.getDimSize(0)}, elem),
      dy4, groups);
  MLIRContext *ctx = l.b.getContext();
  AffineExpr o = l.b.getAffineDimExpr(0), i = l.b.getAffineDimExpr(1),
             n = l.b.getAffineDimExpr(2);
  return l.reduce({dy, x},
                  {AffineMap::get(3, 0, {n, o}, ctx), AffineMap::get(3, 0, {n, i}, ctx)},
                  {l.filled(type, Value(), 0.0)}, {AffineMap::get(3, 0, {o, i}, ctx)},
                  {IteratorType::parallel, IteratorType::parallel,
                   IteratorType::reduction},
                  [](OpBuilder &nb, Location nl, ValueRange a) {
                    return SmallVector<Value>{arith::AddFOp::create(
                        nb, nl, a[2], arith::MulFOp::create(nb, nl, a[0], a[1]))};
                  })[0];
}

/// The adjoint of lowerShortcut: dy's first C_in channels (a slice) placed
/// at every stride-th pixel of zeros (a strided insert_slice).
Value lowerShortcutGrad(Lowering &l, cst::ShortcutGradOp op) {
  Value dy = op.getOutputGrad();
  auto type = cast<RankedTensorType>(op.getType());
  auto dyt = cast<RankedTensorType>(dy.getType());
  int64_t s = op.getStride();
  int64_t c = type.getDimSize(1), oh = dyt.getDimSize(2), ow = dyt.getDimSize(3);
  Value n = l.batchOf(dy);
  auto I = [&](int64_t v) -> OpFoldResult { return l.b.getIndexAttr(v); };
  SmallVector<OpFoldResult> zeros{I(0), I(0), I(0), I(0)}, ones{I(1), I(1), I(1), I(1)},
      sizes{n, I(c), I(oh), I(ow)};
  Value picked = dy;
  if (dyt.getDimSize(1) != c)
    picked = tensor::ExtractSliceOp::create(
        l.b, l.loc,
        RankedTensorType::get({ShapedType::kDynamic, c, oh, ow}, type.getElementType()),
        dy, zeros, sizes, ones);
  if (s == 1)
    return picked;
  return tensor::InsertSliceOp::create(l.b, l.loc, picked, l.filled(type, dy, 0.0),
                                       zeros, sizes,
                                       SmallVector<OpFoldResult>{I(1), I(1), I(s), I(s)});
}

/// dloss (softmax(z) - onehot(label)) / N, softmax with the row max.
Value lowerCrossEntropyGrad(Lowering &l, cst::SoftmaxCrossEntropyGradOp op) {
  Value z4 = op.getLogits();
  auto type = cast<RankedTensorType>(op.getType());
  Type elem = type.getElementType();
  int64_t classes = type.getDimSize(1);
  auto flat = RankedTensorType::get({ShapedType::kDynamic, classes}, elem);
  Value z = tensor::CollapseShapeOp::create(
      l.b, l.loc, flat, z4, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  auto rowType = RankedTensorType::get({ShapedType::kDynamic}, elem);
  MLIRContext *ctx = l.b.getContext();
  AffineMap nk = l.identity(2), nOnly = AffineMap::get(2, 0, l.b.getAffineDimExpr(0), ctx);
  SmallVector<IteratorType> rowIters{IteratorType::parallel, IteratorType::reduction};
  double lowest = -std::numeric_limits<double>::infinity();
  Value rowMax = l.reduce({z}, {nk}, {l.filled(rowType, z, lowest)}, {nOnly}, rowIters,
                          [](OpBuilder &nb, Location nl, ValueRange a) {
                            return SmallVector<Value>{
                                arith::MaximumFOp::create(nb, nl, a[1], a[0])};
                          })[0];
  Value sumExp = l.reduce({z, rowMax}, {nk, nOnly}, {l.filled(rowType, z, 0.0)}, {nOnly},
                          rowIters, [](OpBuilder &nb, Location nl, ValueRange a) {
                            Value e = math::ExpOp::create(
                                nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1]));
                            return SmallVector<Value>{arith::AddFOp::create(nb, nl, a[2], e)};
                          })[0];
  Value n = l.batchAsFloat(z4, elem);
  Value dz = l.elementwise(
      flat, z, {z, rowMax, sumExp, op.getLabels(), op.getLossGrad()},
      {nk, nOnly, nOnly, nOnly, AffineMap::get(2, 0, {}, ctx)},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value prob = arith::DivFOp::create(
            nb, nl, math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1])),
            a[2]);
        Value k = arith::IndexCastOp::create(nb, nl, nb.getI64Type(),
                                             linalg::IndexOp::create(nb, nl, 1));
        Value hit = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, k, a[3]);
        Value one = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 1.0));
        Value d = arith::SelectOp::create(nb, nl, hit,
                                          arith::SubFOp::create(nb, nl, prob, one), prob);
        return arith::MulFOp::create(nb, nl, d, arith::DivFOp::create(nb, nl, a[4], n));
      });
  return expandToNchw(l, dz, type, z4);
}

/// dloss weight sign(x) / N.
Value lowerL1Grad(Lowering &l, cst::L1NormGradOp op) {
  Value x = op.getInput();
  auto type = cast<RankedTensorType>(op.getType());
  Type elem = type.getElementType();
  Value n = l.batchAsFloat(x, elem);
  double w = op.getWeight().convertToDouble();
  return l.elementwise(
      type, x, {x, op.getLossGrad()}, {l.identity(4), AffineMap::get(4, 0, {}, l.b.getContext())},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value wv = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, w));
        Value c = arith::DivFOp::create(nb, nl, arith::MulFOp::create(nb, nl, a[1], wv), n);
        return arith::MulFOp::create(nb, nl, c, signOf(nb, nl, a[0]));
      });
}

/// The optimiser updates: one linalg.generic per parameter over its shape,
/// inputs (param, grad, states...), one output per result, so the
/// parameter, its gradient and its state are read once and the new values
/// written once. The scalar hyperparameters are read from the hyper tensor
/// (tensor.extract) before the loop; the arithmetic follows PyTorch's
/// single-tensor SGD and Adam operation by operation (see CstOps.td).
void lowerUpdate(Lowering &l, Operation *op, ValueRange inputs,
                 function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                 ValueRange)>
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
  op->replaceAllUsesWith(generic.getResults());
}

/// Slot `i` of an update's hyperparameter vector, read once where the
/// vector is defined (every parameter's update shares it).
Value hyperAt(Lowering &l, Value hyper, int64_t i) {
  Value &slot = (*l.hyperSlots)[{hyper, i}];
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

void lowerSgdUpdate(Lowering &l, cst::SgdUpdateOp op) {
  Value hyper = op.getHyper();
  Value lr = hyperAt(l, hyper, 0);
  Value mom = hyperAt(l, hyper, 1);
  Value wd = hyperAt(l, hyper, 2);
  Value bufScale = hyperAt(l, hyper, 3);
  bool buffer = static_cast<bool>(op.getMomentumBuffer());
  bool nesterov = op.getNesterov();
  SmallVector<Value> inputs{op.getParam(), op.getGrad()};
  if (buffer)
    inputs.push_back(op.getMomentumBuffer());
  lowerUpdate(l, op, inputs,
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

void lowerAdamUpdate(Lowering &l, cst::AdamUpdateOp op) {
  Value hyper = op.getHyper();
  Type elem = cast<RankedTensorType>(op.getParam().getType()).getElementType();
  Value beta1 = hyperAt(l, hyper, 1);
  Value beta2 = hyperAt(l, hyper, 2);
  Value eps = hyperAt(l, hyper, 3);
  Value wd = hyperAt(l, hyper, 4);
  Value stepSize = hyperAt(l, hyper, 5);
  Value bc2Sqrt = hyperAt(l, hyper, 6);
  Value one = l.constFloat(elem, 1.0);
  Value oneMinusBeta1 = arith::SubFOp::create(l.b, l.loc, one, beta1);
  Value oneMinusBeta2 = arith::SubFOp::create(l.b, l.loc, one, beta2);
  Value negStepSize = arith::NegFOp::create(l.b, l.loc, stepSize);
  lowerUpdate(
      l, op, {op.getParam(), op.getGrad(), op.getExpAvg(), op.getExpAvgSq()},
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

struct CstLowerToLinalgPass
    : mlir::cscc::impl::CstLowerToLinalgBase<CstLowerToLinalgPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (op->getDialect() && isa<cst::CstDialect>(op->getDialect()) &&
          !isa<cst::ConvOp, cst::ConvTransposeOp, cst::ConvFilterGradOp>(op))
        ops.push_back(op);
    });
    llvm::DenseMap<Operation *, Value> batches;
    llvm::DenseMap<std::pair<Value, int64_t>, Value> hyperSlots;
    for (Operation *op : ops) {
      OpBuilder b(op);
      Lowering l{b, op->getLoc(), batchOfFunction(op, batches), &hyperSlots};
      if (auto bn = dyn_cast<cst::BatchNormTrainOp>(op)) {
        lowerBatchNormTrain(l, bn);
        op->erase();
        continue;
      }
      if (auto bn = dyn_cast<cst::BatchNormGradOp>(op)) {
        lowerBatchNormGrad(l, bn);
        op->erase();
        continue;
      }
      if (auto u = dyn_cast<cst::SgdUpdateOp>(op)) {
        lowerSgdUpdate(l, u);
        op->erase();
        continue;
      }
      if (auto u = dyn_cast<cst::AdamUpdateOp>(op)) {
        lowerAdamUpdate(l, u);
        op->erase();
        continue;
      }
      Value r = lower(l, op);
      if (!r) {
        op->emitOpError("has no lowering to linalg");
        return signalPassFailure();
      }
      op->getResult(0).replaceAllUsesWith(r);
      op->erase();
    }
  }

  /// tensor.dim of the function's first argument (the input batch), made
  /// once at the entry; null when the function has no such input.
  static Value batchOfFunction(Operation *op,
                               llvm::DenseMap<Operation *, Value> &cache) {
    auto fn = op->getParentOfType<func::FuncOp>();
    if (!fn || fn.isExternal() || fn.getNumArguments() == 0)
      return Value();
    auto it = cache.find(fn);
    if (it != cache.end())
      return it->second;
    Value batch;
    auto in = dyn_cast<RankedTensorType>(fn.getArgument(0).getType());
    if (in && in.getRank() == 4 && in.isDynamicDim(0)) {
      OpBuilder b(&fn.getBody().front(), fn.getBody().front().begin());
      batch = tensor::DimOp::create(b, fn.getLoc(), fn.getArgument(0), 0);
    }
    cache[fn] = batch;
    return batch;
  }

  Value lower(Lowering &l, Operation *op) {
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (auto o = dyn_cast<cst::AxpbyOp>(op)) {
      double alpha = o.getAlpha().convertToDouble(), beta = o.getBeta().convertToDouble();
      Type elem = type.getElementType();
      int64_t rank = type.getRank();
      Value like = rank ? o.getX() : Value();
      return l.elementwise(type, like, {o.getX(), o.getY()},
                           {l.identity(rank), l.identity(rank)},
                           [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                             auto term = [&](Value v, double c) -> Value {
                               if (c == 1.0)
                                 return v;
                               return arith::MulFOp::create(
                                   nb, nl, v,
                                   arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, c)));
                             };
                             if (beta == 0.0)
                               return term(a[0], alpha);
                             return arith::AddFOp::create(nb, nl, term(a[0], alpha),
                                                          term(a[1], beta));
                           });
    }
    if (auto o = dyn_cast<cst::ScaleOp>(op))
      return l.elementwise(type, o.getInput(), {o.getInput(), o.getFactor()},
                           {l.identity(4), l.channel(o.getFactor())},
                           [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                             return arith::MulFOp::create(nb, nl, a[0], a[1]);
                           });
    if (auto o = dyn_cast<cst::BiasAddOp>(op))
      return l.elementwise(type, o.getInput(), {o.getInput(), o.getBias()},
                           {l.identity(4), l.channel(o.getBias())},
                           [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                             return arith::AddFOp::create(nb, nl, a[0], a[1]);
                           });
    if (auto o = dyn_cast<cst::ThresholdOp>(op))
      return lowerThreshold(l, o);
    if (auto o = dyn_cast<cst::ThresholdMaskOp>(op)) {
      Type elem = type.getElementType();
      arith::CmpFPredicate passPredicate = thresholdPassPredicate(o.getKind());
      return l.elementwise(type, o.getOutputOfThreshold(), {o.getOutputOfThreshold()},
                           {l.identity(4)},
                           [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                             Value zero = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 0.0));
                             Value one = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 1.0));
                             Value pass = arith::CmpFOp::create(
                                 nb, nl, passPredicate,
                                 a[0], zero);
                             return arith::SelectOp::create(nb, nl, pass, one, zero);
                           });
    }
    if (auto o = dyn_cast<cst::BatchNormEvalOp>(op))
      return normalize(l, type, o.getInput(), o.getWeight(), o.getBias(),
                       o.getRunningMean(), o.getRunningVar(), /*isVar=*/true,
                       o.getEps().convertToDouble());
    if (auto o = dyn_cast<cst::MaxPoolOp>(op))
      return lowerPool(l, op, o.getKernel(), o.getStride(), o.getPadding(), true);
    if (auto o = dyn_cast<cst::AvgPoolOp>(op))
      return lowerPool(l, op, o.getKernel(), o.getStride(), o.getPadding(), false);
    if (auto o = dyn_cast<cst::GlobalAvgPoolOp>(op))
      return lowerGlobalAvgPool(l, o);
    if (auto o = dyn_cast<cst::LinearOp>(op))
      return lowerLinear(l, o);
    if (auto o = dyn_cast<cst::ShortcutOp>(op))
      return lowerShortcut(l, o);
    if (auto o = dyn_cast<cst::ConcatOp>(op))
      return lowerConcat(l, o);
    if (auto o = dyn_cast<cst::SliceOp>(op))
      return lowerSlice(l, o);
    if (auto o = dyn_cast<cst::SoftmaxCrossEntropyOp>(op))
      return lowerCrossEntropy(l, o);
    if (auto o = dyn_cast<cst::L1NormOp>(op))
      return lowerL1(l, o);
    if (auto o = dyn_cast<cst::ZeroFractionOp>(op))
      return lowerZeroFraction(l, o);
    // Backward-pass ops.
    if (auto o = dyn_cast<cst::MulOp>(op)) {
      int64_t rank = type.getRank();
      return l.elementwise(type, rank ? o.getX() : Value(), {o.getX(), o.getY()},
                           {l.identity(rank), l.identity(rank)},
                           [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                             return arith::MulFOp::create(nb, nl, a[0], a[1]);
                           });
    }
    if (auto o = dyn_cast<cst::SignOp>(op)) {
      int64_t rank = type.getRank();
      return l.elementwise(type, rank ? o.getInput() : Value(), {o.getInput()},
                           {l.identity(rank)},
                           [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                             return signOf(nb, nl, a[0]);
                           });
    }
    if (auto o = dyn_cast<cst::EmbedOp>(op))
      return lowerEmbed(l, o);
    if (auto o = dyn_cast<cst::ReduceChannelsOp>(op))
      return lowerReduceChannels(l, o);
    if (auto o = dyn_cast<cst::MaxPoolGradOp>(op))
      return lowerMaxPoolGrad(l, o);
    if (auto o = dyn_cast<cst::AvgPoolGradOp>(op))
      return lowerAvgPoolGrad(l, o);
    if (auto o = dyn_cast<cst::GlobalAvgPoolGradOp>(op))
      return lowerGlobalAvgPoolGrad(l, o);
    if (auto o = dyn_cast<cst::LinearGradInputOp>(op))
      return lowerLinearGradInput(l, o);
    if (auto o = dyn_cast<cst::LinearGradWeightOp>(op))
      return lowerLinearGradWeight(l, o);
    if (auto o = dyn_cast<cst::ShortcutGradOp>(op))
      return lowerShortcutGrad(l, o);
    if (auto o = dyn_cast<cst::SoftmaxCrossEntropyGradOp>(op))
      return lowerCrossEntropyGrad(l, o);
    if (auto o = dyn_cast<cst::L1NormGradOp>(op))
      return lowerL1Grad(l, o);
    return Value();
  }
};

struct CopyToLinalgPass
    : mlir::cscc::impl::CsccCopyToLinalgBase<CopyToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp op) { copies.push_back(op); });
    for (memref::CopyOp op : copies) {
      OpBuilder b(op);
      linalg::CopyOp::create(b, op.getLoc(), op.getSource(), op.getTarget());
      op.erase();
    }
  }
};

struct ResultsToDestinationsPass
    : mlir::cscc::impl::CsccResultsToDestinationsBase<
          ResultsToDestinationsPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isExternal() || fn.isPrivate())
        continue;
      auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
      OpBuilder b(ret);
      SmallVector<Value> results;
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        if (!isa<RankedTensorType>(v.getType())) { // already a buffer
          results.push_back(v);
          continue;
        }
        unsigned index = fn.getNumArguments();
        NamedAttrList attrs;
        attrs.append("bufferization.writable", b.getBoolAttr(true));
        attrs.append("cscc.result", b.getI64IntegerAttr(i));
        (void)fn.insertArgument(index, v.getType(),
                                attrs.getDictionary(&getContext()),
                                ret.getLoc());
        results.push_back(bufferization::MaterializeInDestinationOp::create(
                              b, ret.getLoc(), v, fn.getArgument(index))
                              .getResult());
      }
      func::ReturnOp::create(b, ret.getLoc(), results);
      ret.erase();
      // The entry's ABI: each memref is passed as a pointer to its
      // descriptor, so one packed call fits any number of parameters.
      fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    }
  }
};

struct DropDestinationResultsPass
    : mlir::cscc::impl::CsccDropDestinationResultsBase<
          DropDestinationResultsPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
      SmallVector<Value> kept;
      for (Value v : ret.getOperands()) {
        auto arg = dyn_cast<BlockArgument>(v);
        if (!arg || !fn.getArgAttr(arg.getArgNumber(), "cscc.result"))
          kept.push_back(v);
      }
      OpBuilder b(ret);
      func::ReturnOp::create(b, ret.getLoc(), kept);
      ret.erase();
      fn.setType(FunctionType::get(&getContext(), fn.getArgumentTypes(),
                                   ValueRange(kept).getTypes()));
    }
  }
};

} // namespace
