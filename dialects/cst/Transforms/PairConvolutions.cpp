//===- PairConvolutions.cpp - Convolution calls that share an operand -----===//
//
// cst-pair-convolutions, after bufferization: two convolution kernel calls
// in a row that read the same buffer become one call of the library's
// paired kernel, which brings that buffer into its own layout once. The
// two convolutions of a vector-Jacobian product read one cotangent
// (backward-filter and backward-data both read dy; the forward and the
// backward-filter of a transposed convolution's product both read the same
// x), and on the CPU each call otherwise reorders it from NCHW into
// oneDNN's blocked layout (30 of the 274 reorders of a step of the README
// model at d = 6, unfold = 2; docs/compiler.md).
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/IR/CstDialect.h"
#include "dialects/cst/Transforms/BufferizableOpInterfaceImpl.h"
#include "dialects/cst/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::cst {
#define GEN_PASS_DEF_CSTPAIRCONVOLUTIONS
#include "dialects/cst/Transforms/Passes.h.inc"
} // namespace mlir::cst

using namespace mlir;

namespace {

/// A convolution kernel call: (in0, in1, out, stride, dilation, padding).
struct ConvCall {
  func::CallOp call;
  cst::ConvolutionKind kind;
};

/// The buffer a kernel operand views (through the casts bufferization adds
/// to reach the kernels' fully dynamic type).
Value rootOf(Value v) {
  while (auto cast = v.getDefiningOp<memref::CastOp>())
    v = cast.getSource();
  return v;
}

/// Whether `a` and `b` are the same integer: one value, or equal constants.
bool sameInteger(Value a, Value b) {
  if (a == b)
    return true;
  std::optional<int64_t> x = getConstantIntValue(a),
                         y = getConstantIntValue(b);
  return x && y && *x == *y;
}

/// Ops that may stand between the two calls of a pair: they neither read
/// nor write memory (casts, views, dims, constants) or only allocate. The
/// first call then runs after them, at the second's place, with the same
/// effect.
bool mayStandBetween(Operation *op) {
  if (op->getNumRegions() != 0)
    return false;
  if (isMemoryEffectFree(op))
    return true;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  SmallVector<MemoryEffects::EffectInstance> list;
  effects.getEffects(list);
  return llvm::all_of(list, [](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Allocate>(e.getEffect());
  });
}

struct PairConvolutionsPass
    : mlir::cst::impl::CstPairConvolutionsBase<PairConvolutionsPass> {
  void runOnOperation() override {
    auto *dialect = getContext().getOrLoadDialect<cst::CstDialect>();
    const auto *naming =
        dialect->getRegisteredInterface<cst::KernelNamingInterface>();
    if (!naming)
      return;
    SmallVector<std::pair<ConvCall, ConvCall>> pairs;
    getOperation().walk([&](Block *block) {
      std::optional<ConvCall> pending;
      for (Operation &op : *block) {
        std::optional<ConvCall> call = convolutionCall(&op);
        if (call) {
          if (pending && pairable(*pending, *call)) {
            pairs.push_back({*pending, *call});
            pending.reset();
          } else {
            pending = call;
          }
        } else if (!mayStandBetween(&op)) {
          pending.reset();
        }
      }
    });
    for (auto &[first, second] : pairs)
      if (failed(fuse(*naming, first, second)))
        return signalPassFailure();
  }

  /// `op` as a call of a convolution kernel, if it is one.
  std::optional<ConvCall> convolutionCall(Operation *op) {
    auto call = dyn_cast<func::CallOp>(op);
    if (!call || call.getNumOperands() != 6)
      return std::nullopt;
    auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        call, call.getCalleeAttr());
    if (!callee)
      return std::nullopt;
    std::optional<cst::ConvolutionKind> kind = cst::convolutionKindOf(callee);
    if (!kind)
      return std::nullopt;
    return ConvCall{call, *kind};
  }

  /// Same element type and parameters, and an input of `second` that is an
  /// input of `first` which `first` does not write.
  static bool pairable(ConvCall first, ConvCall second) {
    auto elem = [](ConvCall c) {
      return cast<MemRefType>(c.call.getOperand(0).getType()).getElementType();
    };
    if (elem(first) != elem(second))
      return false;
    for (unsigned i = 3; i < 6; ++i)
      if (!sameInteger(first.call.getOperand(i), second.call.getOperand(i)))
        return false;
    Value written = rootOf(first.call.getOperand(2));
    for (unsigned j = 0; j < 2; ++j)
      for (unsigned i = 0; i < 2; ++i) {
        Value shared = rootOf(first.call.getOperand(i));
        if (shared == rootOf(second.call.getOperand(j)) && shared != written)
          return true;
      }
    return false;
  }

  /// One call of the paired kernel, at `second`'s place, in place of both.
  LogicalResult fuse(const cst::KernelNamingInterface &naming, ConvCall first,
                     ConvCall second) {
    Type view = first.call.getOperand(0).getType();
    auto elem = cast<MemRefType>(view).getElementType();
    FailureOr<cst::ConvolutionPairKernel> kernel =
        naming.convolutionPairKernel(elem);
    if (failed(kernel))
      return success(); // the library has none: leave the two calls
    IRRewriter rewriter(&getContext());
    rewriter.setInsertionPoint(second.call);
    Location loc = second.call.getLoc();
    Type i64 = rewriter.getI64Type();
    func::FuncOp decl = cst::declareKernel(
        rewriter, second.call, kernel->symbol,
        {i64, view, view, view, i64, view, view, view, i64, i64, i64},
        {"", "read", "read", "write", "", "read", "read", "write", "", "", ""});
    auto code = [&](cst::ConvolutionKind kind) -> Value {
      return arith::ConstantIntOp::create(rewriter, loc,
                                          kernel->kindCode(kind), 64);
    };
    SmallVector<Value> args = {code(first.kind)};
    llvm::append_range(args, first.call.getOperands().take_front(3));
    args.push_back(code(second.kind));
    llvm::append_range(args, second.call.getOperands());
    func::CallOp::create(rewriter, loc, decl, args);
    rewriter.eraseOp(second.call);
    rewriter.eraseOp(first.call);
    return success();
  }
};

} // namespace
