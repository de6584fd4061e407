//===- LinalgBuilder.h - What the cst -> linalg patterns share --*- C++ -*-===//
//
// Private to lib/Conversion/CstToLinalg: the builder every pattern lowers
// with, and the pattern base that makes one at the op.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_LIB_CONVERSION_CSTTOLINALG_LINALGBUILDER_H
#define CSCC_LIB_CONVERSION_CSTTOLINALG_LINALGBUILDER_H

#include "PopulatePatterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::cscc {

/// Builds linalg on tensors at one location.
struct LinalgBuilder {
  OpBuilder &b;
  Location loc;
  /// The batch size N of the enclosing function (BatchSizes), or null:
  /// then read from each activation.
  Value batch;

  using IteratorType = utils::IteratorType;

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

/// The base of the cst -> linalg patterns: `builderAt` gives a
/// LinalgBuilder at the op that knows its function's batch size.
template <typename Op>
class CstToLinalgPattern : public OpConversionPattern<Op> {
public:
  CstToLinalgPattern(MLIRContext *ctx, const BatchSizes &batches)
      : OpConversionPattern<Op>(ctx), batches(batches) {}

protected:
  LinalgBuilder builderAt(Op op, ConversionPatternRewriter &rewriter) const {
    auto fn = op->template getParentOfType<func::FuncOp>();
    return LinalgBuilder{rewriter, op.getLoc(), batches.lookup(fn)};
  }

private:
  const BatchSizes &batches;
};

/// The pattern of an op whose lowering is one function `lower(l, op, in)`
/// of a builder at the op, the op (its types and attributes) and its
/// operands, returning the op's replacement (a value per result).
template <typename Op, auto lower>
class LowerWith : public CstToLinalgPattern<Op> {
public:
  using CstToLinalgPattern<Op>::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = this->builderAt(op, rewriter);
    rewriter.replaceOp(op, lower(l, op, in));
    return success();
  }
};

/// sign(x): 1 above 0, -1 below, else 0 (at +-0 and NaN, as PyTorch).
Value signOf(OpBuilder &nb, Location nl, Value x);

/// The logits [N, K, 1, 1] of a loss as rows [N, K] and the max of each
/// row (softmax's shift), with the maps and iterators over (n, k): what the
/// cross-entropy and its gradient share.
struct LogitRows {
  Value rows;                ///< [N, K]
  Value rowMax;              ///< [N]
  RankedTensorType rowsType; ///< tensor<?xKxT>
  RankedTensorType rowType;  ///< tensor<?xT>
  AffineMap nk, nOnly;       ///< (n, k) -> (n, k), (n, k) -> (n)
  SmallVector<utils::IteratorType> rowIters; ///< parallel n, reduction k
};
LogitRows logitRows(LinalgBuilder &l, Value logits);

/// [N, C] -> [N, C, 1, 1] of `type`, N the batch of `like`.
Value expandToNchw(LinalgBuilder &l, Value v, RankedTensorType type,
                   Value like);

} // namespace mlir::cscc

#endif
