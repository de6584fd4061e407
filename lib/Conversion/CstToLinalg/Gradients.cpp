//===- Gradients.cpp - Backward-pass cst ops to linalg --------------------===//
//
// The ops only the generated gradients use (but mul and sign, which are
// elementwise). They follow the forward ops' rules; the pooling adjoints,
// which would scatter, are gathers instead: a generic over the input
// gradient whose body visits the k x k windows containing its pixel
// (unrolled) and reads them with tensor.extract at clamped indices.
//
//===----------------------------------------------------------------------===//
#include "LinalgBuilder.h"

#include "dialects/cst/IR/CstDialect.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>
#include <map>

using namespace mlir;
using namespace mlir::cscc;

namespace {

using utils::IteratorType;

Value lowerEmbed(LinalgBuilder &l, cst::EmbedOp op, cst::EmbedOp::Adaptor in) {
  auto type = cast<RankedTensorType>(op.getType());
  int64_t c = cast<RankedTensorType>(in.getInput().getType()).getDimSize(1);
  int64_t offset = op.getOffset();
  auto I = [&](int64_t v) -> OpFoldResult { return l.b.getIndexAttr(v); };
  return tensor::PadOp::create(
      l.b, l.loc, type, in.getInput(),
      SmallVector<OpFoldResult>{I(0), I(offset), I(0), I(0)},
      SmallVector<OpFoldResult>{I(0), I(type.getDimSize(1) - offset - c), I(0),
                                I(0)},
      l.constFloat(type.getElementType(), 0.0));
}

/// scale * sum over N, H, W of x (* other): one reduction (a producer of x
/// fuses into it), then the scale on the [C] (or [1]) result.
Value lowerReduceChannels(LinalgBuilder &l, cst::ReduceChannelsOp op,
                          cst::ReduceChannelsOp::Adaptor in) {
  auto vecType = cast<RankedTensorType>(op.getType());
  Type elem = vecType.getElementType();
  Value x = in.getInput();
  bool all = vecType.getDimSize(0) == 1; // everything into one entry
  SmallVector<IteratorType> iters(4, IteratorType::reduction);
  if (!all)
    iters[1] = IteratorType::parallel;
  SmallVector<Value> inputs{x};
  SmallVector<AffineMap> maps{l.identity(4)};
  if (in.getOther()) {
    inputs.push_back(in.getOther());
    maps.push_back(l.identity(4));
  }
  bool product = static_cast<bool>(in.getOther());
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
/// Synchronised (data-parallel, the statistics were the global batch's):
/// dx takes the replica means of dbias and dweight, M staying this
/// replica's N H W (each replica back-propagates its own mean loss, and
/// the optimiser averages the gradients weighted by the shares:
/// docs/compiler.md, "Data parallelism", derives it).
SmallVector<Value> lowerBatchNormGrad(LinalgBuilder &l,
                                      cst::BatchNormGradOp op,
                                      cst::BatchNormGradOp::Adaptor in) {
  auto type = cast<RankedTensorType>(op.getInputGrad().getType());
  auto vecType = cast<RankedTensorType>(op.getBiasGrad().getType());
  Type elem = type.getElementType();
  Value x = in.getInput(), dy = in.getOutputGrad(), mean = in.getBatchMean(),
        inv = in.getBatchInvStd();
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
  Value dbiasAll = dbias, dweightAll = dweight;
  if (op.getSync()) {
    dbiasAll = cst::ReplicaMeanOp::create(l.b, l.loc, dbias);
    dweightAll = cst::ReplicaMeanOp::create(l.b, l.loc, dweight);
  }
  Value dx = l.elementwise(
      type, x, {x, dy, in.getWeight(), mean, inv, dbiasAll, dweightAll},
      {l.identity(4), l.identity(4), l.channel(in.getWeight()), toChannel,
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
  return {dx, dweight, dbias};
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
Value gatherOverInput(LinalgBuilder &l, RankedTensorType type, Value like,
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
/// Windows that tile the input (stride = kernel, no padding: maxpool(k)):
/// one generic over the taps laid out as [N, C, OH, k, OW, k], iterated
/// (n, c, oh, a, b, ow) with ow innermost, so every access is affine with
/// stride 1 or k and the loop vectorises; the gather below reads each
/// window through clamped tensor.extract and stays scalar (it was the
/// largest generated loop nest of an MSD train step). The first maximum of
/// a window in row-major order takes the gradient, as in the gather;
/// rows and columns past OH k, OW k (odd sizes) are in no window.
Value lowerTiledMaxPoolGrad(LinalgBuilder &l, RankedTensorType type,
                            int64_t k, int64_t OH, int64_t OW, Value x,
                            Value y, Value dy) {
  Type elem = type.getElementType();
  int64_t H = type.getDimSize(2), W = type.getDimSize(3);
  int64_t C = type.getDimSize(1);
  Value n = l.batchOf(x);
  auto I = [&](int64_t v) -> OpFoldResult { return l.b.getIndexAttr(v); };
  bool exact = H == OH * k && W == OW * k;
  Value xs = x;
  if (!exact)
    xs = tensor::ExtractSliceOp::create(
        l.b, l.loc, x, SmallVector<OpFoldResult>{I(0), I(0), I(0), I(0)},
        SmallVector<OpFoldResult>{n, I(C), I(OH * k), I(OW * k)},
        SmallVector<OpFoldResult>{I(1), I(1), I(1), I(1)});
  SmallVector<ReassociationIndices> split{{0}, {1}, {2, 3}, {4, 5}};
  auto tiled = RankedTensorType::get(
      {type.getDimSize(0), C, OH, k, OW, k}, elem);
  Value xt = tensor::ExpandShapeOp::create(
      l.b, l.loc, tiled, xs, split,
      SmallVector<OpFoldResult>{n, I(C), I(OH), I(k), I(OW), I(k)});
  // Iteration (n, c, oh, a, b, ow) = (d0, ..., d5).
  MLIRContext *ctx = l.b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto cst = [&](int64_t v) { return getAffineConstantExpr(v, ctx); };
  auto tap = [&](AffineExpr a, AffineExpr b) {
    return AffineMap::get(6, 0, {d(0), d(1), d(2), a, d(5), b}, ctx);
  };
  AffineMap window = AffineMap::get(6, 0, {d(0), d(1), d(2), d(5)}, ctx);
  SmallVector<Value> inputs{xt, y, dy};
  SmallVector<AffineMap> maps{tap(d(3), d(4)), window, window};
  for (int64_t t = 0; t + 1 < k * k; ++t) { // the taps before the last
    inputs.push_back(xt);
    maps.push_back(tap(cst(t / k), cst(t % k)));
  }
  maps.push_back(tap(d(3), d(4)));
  Value init = tensor::EmptyOp::create(
      l.b, l.loc, tiled.getShape(), elem,
      tiled.isDynamicDim(0) ? ValueRange{n} : ValueRange{});
  SmallVector<utils::IteratorType> iters(6, utils::IteratorType::parallel);
  auto grad = linalg::GenericOp::create(
      l.b, l.loc, tiled, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value xv = args[0], max = args[1], g = args[2];
        Value a = linalg::IndexOp::create(nb, nl, 3);
        Value b = linalg::IndexOp::create(nb, nl, 4);
        Value kk = arith::ConstantIndexOp::create(nb, nl, k);
        Value here = arith::AddIOp::create(
            nb, nl, arith::MulIOp::create(nb, nl, a, kk), b);
        Value wins = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                           xv, max);
        for (int64_t t = 0; t + 1 < k * k; ++t) {
          Value hit = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OEQ, args[3 + t], max);
          Value before = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::ult,
              arith::ConstantIndexOp::create(nb, nl, t), here);
          Value taken = arith::AndIOp::create(nb, nl, hit, before);
          wins = arith::SelectOp::create(
              nb, nl, taken,
              arith::ConstantOp::create(nb, nl, nb.getBoolAttr(false)), wins);
        }
        Value zero = arith::ConstantOp::create(nb, nl,
                                               nb.getFloatAttr(elem, 0.0));
        linalg::YieldOp::create(
            nb, nl, Value(arith::SelectOp::create(nb, nl, wins, g, zero)));
      });
  Value dx = tensor::CollapseShapeOp::create(l.b, l.loc, grad.getResult(0),
                                             split);
  if (exact)
    return dx;
  return tensor::InsertSliceOp::create(
      l.b, l.loc, dx, l.filled(type, x, 0.0),
      SmallVector<OpFoldResult>{I(0), I(0), I(0), I(0)},
      SmallVector<OpFoldResult>{n, I(C), I(OH * k), I(OW * k)},
      SmallVector<OpFoldResult>{I(1), I(1), I(1), I(1)});
}

Value lowerMaxPoolGrad(LinalgBuilder &l, cst::MaxPoolGradOp op,
                       cst::MaxPoolGradOp::Adaptor in) {
  auto type = cast<RankedTensorType>(op.getInputGrad().getType());
  auto yt = cast<RankedTensorType>(in.getOutput().getType());
  Type elem = type.getElementType();
  int64_t k = op.getKernel(), s = op.getStride(), p = op.getPadding();
  int64_t H = type.getDimSize(2), W = type.getDimSize(3);
  int64_t OH = yt.getDimSize(2), OW = yt.getDimSize(3);
  Value x = in.getInput(), y = in.getOutput(), dy = in.getOutputGrad();
  if (s == k && p == 0)
    return lowerTiledMaxPoolGrad(l, type, k, OH, OW, x, y, dy);
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
Value lowerAvgPoolGrad(LinalgBuilder &l, cst::AvgPoolGradOp op,
                       cst::AvgPoolGradOp::Adaptor in) {
  auto type = cast<RankedTensorType>(op.getInputGrad().getType());
  auto yt = cast<RankedTensorType>(in.getOutputGrad().getType());
  Type elem = type.getElementType();
  int64_t k = op.getKernel(), s = op.getStride(), p = op.getPadding();
  int64_t OH = yt.getDimSize(2), OW = yt.getDimSize(3);
  Value dy = in.getOutputGrad();
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
Value lowerGlobalAvgPoolGrad(LinalgBuilder &l, cst::GlobalAvgPoolGradOp op,
                             cst::GlobalAvgPoolGradOp::Adaptor in) {
  auto type = cast<RankedTensorType>(op.getType());
  Type elem = type.getElementType();
  double area = double(type.getDimSize(2) * type.getDimSize(3));
  MLIRContext *ctx = l.b.getContext();
  AffineMap toNC = AffineMap::get(
      4, 0,
      {l.b.getAffineDimExpr(0), l.b.getAffineDimExpr(1),
       l.b.getAffineConstantExpr(0), l.b.getAffineConstantExpr(0)},
      ctx);
  return l.elementwise(type, in.getOutputGrad(), {in.getOutputGrad()}, {toNC},
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         return arith::DivFOp::create(
                             nb, nl, a[0],
                             arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, area)));
                       });
}

/// dx[n, i] = sum_o dy[n, o] W[o, i], i = (c, h, w) flattened as in
/// the linear op's lowering (LinearAndLoss.cpp).
Value lowerLinearGradInput(LinalgBuilder &l, cst::LinearGradInputOp op,
                           cst::LinearGradInputOp::Adaptor in) {
  auto type = cast<RankedTensorType>(op.getType());
  Value dy4 = in.getOutputGrad(), wt = in.getWeight();
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
Value lowerLinearGradWeight(LinalgBuilder &l, cst::LinearGradWeightOp op,
                            cst::LinearGradWeightOp::Adaptor in) {
  auto type = cast<RankedTensorType>(op.getType());
  Value x4 = in.getInput(), dy4 = in.getOutputGrad();
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
Value lowerShortcutGrad(LinalgBuilder &l, cst::ShortcutGradOp op,
                        cst::ShortcutGradOp::Adaptor in) {
  Value dy = in.getOutputGrad();
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
Value lowerCrossEntropyGrad(LinalgBuilder &l, cst::SoftmaxCrossEntropyGradOp op,
                            cst::SoftmaxCrossEntropyGradOp::Adaptor in) {
  Value z4 = in.getLogits();
  auto type = cast<RankedTensorType>(op.getType());
  Type elem = type.getElementType();
  MLIRContext *ctx = l.b.getContext();
  LogitRows r = logitRows(l, z4);
  Value z = r.rows, rowMax = r.rowMax;
  RankedTensorType flat = r.rowsType, rowType = r.rowType;
  AffineMap nk = r.nk, nOnly = r.nOnly;
  ArrayRef<IteratorType> rowIters = r.rowIters;
  Value sumExp = l.reduce({z, rowMax}, {nk, nOnly}, {l.filled(rowType, z, 0.0)}, {nOnly},
                          rowIters, [](OpBuilder &nb, Location nl, ValueRange a) {
                            Value e = math::ExpOp::create(
                                nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1]));
                            return SmallVector<Value>{arith::AddFOp::create(nb, nl, a[2], e)};
                          })[0];
  Value n = l.batchAsFloat(z4, elem);
  Value dz = l.elementwise(
      flat, z, {z, rowMax, sumExp, in.getLabels(), in.getLossGrad()},
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
Value lowerL1Grad(LinalgBuilder &l, cst::L1NormGradOp op,
                  cst::L1NormGradOp::Adaptor in) {
  Value x = in.getInput();
  auto type = cast<RankedTensorType>(op.getType());
  Type elem = type.getElementType();
  Value n = l.batchAsFloat(x, elem);
  double w = op.getWeight().convertToDouble();
  return l.elementwise(
      type, x, {x, in.getLossGrad()}, {l.identity(4), AffineMap::get(4, 0, {}, l.b.getContext())},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value wv = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, w));
        Value c = arith::DivFOp::create(nb, nl, arith::MulFOp::create(nb, nl, a[1], wv), n);
        return arith::MulFOp::create(nb, nl, c, signOf(nb, nl, a[0]));
      });
}

} // namespace

void mlir::cscc::populateCstGradientsToLinalgPatterns(
    RewritePatternSet &patterns, const BatchSizes &batches) {
  patterns.add<
      LowerWith<cst::EmbedOp, lowerEmbed>,
      LowerWith<cst::ReduceChannelsOp, lowerReduceChannels>,
      LowerWith<cst::BatchNormGradOp, lowerBatchNormGrad>,
      LowerWith<cst::MaxPoolGradOp, lowerMaxPoolGrad>,
      LowerWith<cst::AvgPoolGradOp, lowerAvgPoolGrad>,
      LowerWith<cst::GlobalAvgPoolGradOp, lowerGlobalAvgPoolGrad>,
      LowerWith<cst::LinearGradInputOp, lowerLinearGradInput>,
      LowerWith<cst::LinearGradWeightOp, lowerLinearGradWeight>,
      LowerWith<cst::ShortcutGradOp, lowerShortcutGrad>,
      LowerWith<cst::SoftmaxCrossEntropyGradOp, lowerCrossEntropyGrad>,
      LowerWith<cst::L1NormGradOp, lowerL1Grad>>(patterns.getContext(),
                                                 batches);
}
