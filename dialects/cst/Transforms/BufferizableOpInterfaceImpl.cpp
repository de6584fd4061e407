//===- BufferizableOpInterfaceImpl.cpp - Convolutions become kernel calls -===//
//
// A convolution reads its two operands and writes its destination (`init`,
// which it does not read: destination-passing style, so One-Shot Bufferize
// can place the result in a slice of a concatenation or in a result
// argument) or, without one, a new buffer; after bufferization it is a
// call of the runtime kernel. The operands and the destination may be
// strided views (a channel slice of a concatenation), so the kernels take
// fully dynamic strided memrefs. Which function that is, the dialect does
// not know: the naming registered with the models (the compiler's target
// supplies it) decides, so no library's symbols are written here.
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/IR/CstDialect.h"
#include "dialects/cst/Transforms/BufferizableOpInterfaceImpl.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SubsetOpInterface.h"

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
  // What the kernel does with each buffer (bufferization's own argument
  // attribute): it reads its two operands and writes the third, so that
  // later passes (cscc-device-buffers) know which buffers a call changes.
  const char *access[] = {"read", "read", "write"};
  for (unsigned i = 0; i < 3; ++i)
    fn.setArgAttr(i, "bufferization.access",
                  rewriter.getStringAttr(access[i]));
  return fn;
}

template <typename ConvOp>
struct ConvOpInterface
    : public BufferizableOpInterface::ExternalModel<ConvOpInterface<ConvOp>,
                                                    ConvOp> {
  static bool isInit(Operation *op, OpOperand &operand) {
    Value init = cast<ConvOp>(op).getInit();
    return init && operand.get() == init &&
           operand.getOperandNumber() == op->getNumOperands() - 1;
  }
  bool bufferizesToAllocation(Operation *op, Value) const {
    return !cast<ConvOp>(op).getInit();
  }
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &) const {
    return !isInit(op, operand);
  }
  bool bufferizesToMemoryWrite(Operation *op, OpOperand &operand,
                               const AnalysisState &) const {
    return isInit(op, operand);
  }
  AliasingValueList getAliasingValues(Operation *op, OpOperand &operand,
                                      const AnalysisState &) const {
    if (!isInit(op, operand))
      return {};
    return {{op->getResult(0), BufferRelation::Equivalent}};
  }

  /// The kernel reads its inputs while it writes its destination: two
  /// windows of one concatenation that do not overlap (an MSD layer's
  /// convolution reads the code beside which its result is concatenated)
  /// are no conflict. Anything else is left to the analysis.
  bool isNotConflicting(Operation *op, OpOperand *uRead, OpOperand *uWrite,
                        const AnalysisState &state) const {
    if (uRead->getOwner() != op || uWrite->getOwner() != op ||
        isInit(op, *uRead) || !isInit(op, *uWrite))
      return false;
    auto read = uRead->get().getDefiningOp<SubsetOpInterface>();
    auto write = uWrite->get().getDefiningOp<SubsetOpInterface>();
    return read && write &&
           read.operatesOnDisjointSubset(write, [&](Value a, Value b) {
             return state.areEquivalentBufferizedValues(a, b);
           });
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

    // The result: the destination's buffer, or a new one, its batch (if
    // dynamic) the lhs's.
    auto type = cast<RankedTensorType>(conv.getOutput().getType());
    FailureOr<Value> out;
    if (Value init = conv.getInit()) {
      out = getBuffer(rewriter, init, options, state);
    } else {
      auto memrefType =
          MemRefType::get(type.getShape(), type.getElementType());
      SmallVector<Value> dynamicSizes;
      if (type.isDynamicDim(0))
        dynamicSizes.push_back(memref::DimOp::create(rewriter, loc, *lhs, 0));
      out = options.createAlloc(rewriter, loc, memrefType, dynamicSizes);
    }
    if (failed(out))
      return failure();

    Type elem = type.getElementType();
    auto *naming = op->getDialect()
                       ->getRegisteredInterface<
                           cst::ConvolutionKernelNamingInterface>();
    FailureOr<std::string> name =
        naming ? naming->kernelFor(ConvOpInterface::kind(), elem)
               : FailureOr<std::string>(failure());
    if (failed(name))
      return op->emitError("no convolution kernel for element type ")
             << elem;
    func::FuncOp decl = kernelDecl(rewriter, op, *name, elem);
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

  static cst::ConvolutionKind kind();
};

template <>
cst::ConvolutionKind ConvOpInterface<cst::ConvOp>::kind() {
  return cst::ConvolutionKind::Forward;
}
template <>
cst::ConvolutionKind ConvOpInterface<cst::ConvTransposeOp>::kind() {
  return cst::ConvolutionKind::BackwardData;
}
template <>
cst::ConvolutionKind ConvOpInterface<cst::ConvFilterGradOp>::kind() {
  return cst::ConvolutionKind::BackwardFilter;
}

/// Attaches the models and, as a dialect interface of cst, the naming they
/// call: an extension object rather than a function, since it carries the
/// naming.
struct ConvolutionModelsExtension
    : DialectExtension<ConvolutionModelsExtension, cst::CstDialect> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ConvolutionModelsExtension)
  explicit ConvolutionModelsExtension(cst::ConvolutionKernelNaming naming)
      : naming(std::move(naming)) {}
  void apply(MLIRContext *ctx, cst::CstDialect *dialect) const final {
    ctx->loadDialect<func::FuncDialect, memref::MemRefDialect,
                     arith::ArithDialect, bufferization::BufferizationDialect>();
    dialect->addInterface<cst::ConvolutionKernelNamingInterface>(naming);
    cst::ConvOp::attachInterface<ConvOpInterface<cst::ConvOp>>(*ctx);
    cst::ConvTransposeOp::attachInterface<
        ConvOpInterface<cst::ConvTransposeOp>>(*ctx);
    cst::ConvFilterGradOp::attachInterface<
        ConvOpInterface<cst::ConvFilterGradOp>>(*ctx);
  }
  cst::ConvolutionKernelNaming naming;
};

} // namespace

void mlir::cst::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry, ConvolutionKernelNaming naming) {
  registry.addExtension(
      TypeID::get<ConvolutionModelsExtension>(),
      std::make_unique<ConvolutionModelsExtension>(std::move(naming)));
}
