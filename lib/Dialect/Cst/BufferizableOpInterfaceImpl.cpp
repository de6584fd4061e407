//===- BufferizableOpInterfaceImpl.cpp - Convolutions become kernel calls -===//
//
// A convolution reads its two operands and writes a new buffer; after
// bufferization it is a call of the runtime kernel. The operands may be
// strided views (a channel slice of a concatenation), so the kernels take
// fully dynamic strided memrefs.
//
//===----------------------------------------------------------------------===//
#include "cscc/Dialect/Cst/CstDialect.h"
#include "cscc/Dialect/Cst/Transforms.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {

/// memref<?x?x?x?xT, strided<[?, ?, ?, ?], offset: ?>>: any NCHW view.
MemRefType anyView(Type elem) {
  int64_t d = ShapedType::kDynamic;
  return MemRefType::get({d, d, d, d}, elem,
                         StridedLayoutAttr::get(elem.getContext(), d,
                                                {d, d, d, d}));
}

/// The runtime kernel's declaration, added to the module once.
func::FuncOp kernelDecl(RewriterBase &rewriter, Operation *op, StringRef name,
                        Type elem) {
  auto module = op->getParentOfType<ModuleOp>();
  if (auto fn = module.lookupSymbol<func::FuncOp>(name))
    return fn;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  Type view = anyView(elem), i64 = rewriter.getI64Type();
  auto fn = func::FuncOp::create(
      rewriter, op->getLoc(), name,
      rewriter.getFunctionType({view, view, view, i64, i64, i64}, {}));
  fn.setPrivate();
  // The C interface passes each memref as a pointer to its descriptor.
  fn->setAttr("llvm.emit_c_interface", rewriter.getUnitAttr());
  return fn;
}

template <typename ConvOp>
struct ConvOpInterface
    : public BufferizableOpInterface::ExternalModel<ConvOpInterface<ConvOp>,
                                                    ConvOp> {
  bool bufferizesToAllocation(Operation *, Value) const { return true; }
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const AnalysisState &) const {
    return true;
  }
  bool bufferizesToMemoryWrite(Operation *, OpOperand &,
                               const AnalysisState &) const {
    return false;
  }
  AliasingValueList getAliasingValues(Operation *, OpOperand &,
                                      const AnalysisState &) const {
    return {};
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto conv = cast<ConvOp>(op);
    Location loc = op->getLoc();
    FailureOr<Value> lhs = getBuffer(rewriter, conv.getLhs(), options, state);
    FailureOr<Value> rhs = getBuffer(rewriter, conv.getRhs(), options, state);
    if (failed(lhs) || failed(rhs))
      return failure();

    // The result: a new buffer, its batch (if dynamic) the lhs's.
    auto type = cast<RankedTensorType>(conv.getOutput().getType());
    auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
    SmallVector<Value> dynamicSizes;
    if (type.isDynamicDim(0))
      dynamicSizes.push_back(memref::DimOp::create(rewriter, loc, *lhs, 0));
    FailureOr<Value> out =
        options.createAlloc(rewriter, loc, memrefType, dynamicSizes);
    if (failed(out))
      return failure();

    Type elem = type.getElementType();
    std::string name = (Twine("cscc_conv2d_") + ConvOpInterface::kernel() +
                        (elem.isF64() ? "_f64" : "_f32"))
                           .str();
    func::FuncOp decl = kernelDecl(rewriter, op, name, elem);
    auto asView = [&](Value v) -> Value {
      return memref::CastOp::create(rewriter, loc, anyView(elem), v);
    };
    auto i64 = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(rewriter, loc, v, 64);
    };
    func::CallOp::create(rewriter, loc, decl,
                         ValueRange{asView(*lhs), asView(*rhs), asView(*out),
                                    i64(conv.getStride()),
                                    i64(conv.getDilation()),
                                    i64(conv.getPadding())});
    replaceOpWithBufferizedValues(rewriter, op, *out);
    return success();
  }

  static StringRef kernel();
};

template <>
StringRef ConvOpInterface<cst::ConvOp>::kernel() {
  return "fwd";
}
template <>
StringRef ConvOpInterface<cst::ConvTransposeOp>::kernel() {
  return "bwd_data";
}
template <>
StringRef ConvOpInterface<cst::ConvFilterGradOp>::kernel() {
  return "bwd_filter";
}

} // namespace

void mlir::cst::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, cst::CstDialect *) {
    ctx->loadDialect<func::FuncDialect, memref::MemRefDialect,
                     arith::ArithDialect, bufferization::BufferizationDialect>();
    cst::ConvOp::attachInterface<ConvOpInterface<cst::ConvOp>>(*ctx);
    cst::ConvTransposeOp::attachInterface<
        ConvOpInterface<cst::ConvTransposeOp>>(*ctx);
    cst::ConvFilterGradOp::attachInterface<
        ConvOpInterface<cst::ConvFilterGradOp>>(*ctx);
  });
}
