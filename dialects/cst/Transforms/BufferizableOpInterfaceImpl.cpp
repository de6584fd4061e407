//===- BufferizableOpInterfaceImpl.cpp - Runtime ops become kernel calls --===//
//
// A convolution reads its two operands and writes its destination (`init`,
// which it does not read: destination-passing style, so One-Shot Bufferize
// can place the result in a slice of a concatenation or in a result
// argument) or, without one, a new buffer; after bufferization it is a
// call of the runtime kernel. The operands and the destination may be
// strided views (a channel slice of a concatenation), so the kernels take
// fully dynamic strided memrefs. A replica mean becomes a copy and a call
// on the copy, a started mean and its wait calls on the operand's buffer
// (below). Which function that is, the dialect does not know: the naming registered with the models (the compiler's target
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

/// The attribute that marks a convolution kernel's declaration with its
/// kind (the ConvolutionKind's value), for cst-pair-convolutions.
constexpr llvm::StringLiteral kConvolutionKindAttr = "cst.convolution_kind";
} // namespace

/// The access attributes are bufferization's own argument attribute, so that
/// later passes (cscc-device-buffers) know which buffers a call changes.
func::FuncOp mlir::cst::declareKernel(RewriterBase &rewriter, Operation *op,
                                      StringRef name, TypeRange inputs,
                                      ArrayRef<StringRef> access) {
  auto module = op->getParentOfType<ModuleOp>();
  if (auto fn = module.lookupSymbol<func::FuncOp>(name))
    return fn;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  auto fn = func::FuncOp::create(rewriter, op->getLoc(), name,
                                 rewriter.getFunctionType(inputs, {}));
  fn.setPrivate();
  // The C interface passes each memref as a pointer to its descriptor.
  fn->setAttr("llvm.emit_c_interface", rewriter.getUnitAttr());
  for (auto [i, a] : llvm::enumerate(access))
    if (!a.empty())
      fn.setArgAttr(i, "bufferization.access", rewriter.getStringAttr(a));
  return fn;
}

std::optional<cst::ConvolutionKind> mlir::cst::convolutionKindOf(func::FuncOp fn) {
  auto attr = fn->getAttrOfType<IntegerAttr>(kConvolutionKindAttr);
  if (!attr)
    return std::nullopt;
  switch (attr.getInt()) {
  case static_cast<int64_t>(ConvolutionKind::Forward):
    return ConvolutionKind::Forward;
  case static_cast<int64_t>(ConvolutionKind::BackwardData):
    return ConvolutionKind::BackwardData;
  case static_cast<int64_t>(ConvolutionKind::BackwardFilter):
    return ConvolutionKind::BackwardFilter;
  default:
    return std::nullopt;
  }
}

namespace {

/// The naming the dialect was registered with (nullptr: none).
const cst::KernelNamingInterface *namingOf(Operation *op) {
  return op->getDialect()->getRegisteredInterface<cst::KernelNamingInterface>();
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
    const cst::KernelNamingInterface *naming = namingOf(op);
    FailureOr<std::string> name =
        naming ? naming->convolutionKernel(ConvOpInterface::kind(), elem)
               : FailureOr<std::string>(failure());
    if (failed(name))
      return op->emitError("no convolution kernel for element type ")
             << elem;
    Type view = anyView(elem), i64Type = rewriter.getI64Type();
    func::FuncOp decl = cst::declareKernel(
        rewriter, op, *name, {view, view, view, i64Type, i64Type, i64Type},
        {"read", "read", "write", "", "", ""});
    decl->setAttr(kConvolutionKindAttr,
                  rewriter.getI64IntegerAttr(
                      static_cast<int64_t>(ConvOpInterface::kind())));
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

/// Calls the runtime's collective `kind` on `buffer` (contiguous, of the
/// op's tensor type), which it reads and overwrites.
LogicalResult callReplicaKernel(RewriterBase &rewriter, Operation *op,
                                cst::ReplicaCollective kind,
                                RankedTensorType type, Value buffer) {
  Location loc = op->getLoc();
  Type elem = type.getElementType();
  const cst::KernelNamingInterface *naming = namingOf(op);
  FailureOr<std::string> name = naming ? naming->replicaKernel(kind, elem)
                                       : FailureOr<std::string>(failure());
  if (failed(name))
    return op->emitError("no data-parallel kernel for element type ")
           << elem << " (this target does not train data-parallel)";
  auto bufferType = cast<MemRefType>(buffer.getType());
  if (!bufferType.getLayout().isIdentity())
    return op->emitError("its operand bufferized to a view (")
           << bufferType
           << "); the collective needs a contiguous buffer of its own";
  // The kernel's operand: the buffer as one dimension.
  Value flat = buffer;
  if (type.getRank() == 0) {
    flat = memref::ExpandShapeOp::create(rewriter, loc,
                                         MemRefType::get({1}, elem), flat,
                                         ArrayRef<ReassociationIndices>{});
  } else if (type.getRank() > 1) {
    ReassociationIndices all;
    for (int64_t d = 0; d < type.getRank(); ++d)
      all.push_back(d);
    flat = memref::CollapseShapeOp::create(rewriter, loc, flat,
                                           ArrayRef<ReassociationIndices>{all});
  }
  auto vector = MemRefType::get({ShapedType::kDynamic}, elem);
  flat = memref::CastOp::create(rewriter, loc, vector, flat);
  func::FuncOp decl =
      cst::declareKernel(rewriter, op, *name, {vector}, {"read-write"});
  func::CallOp::create(rewriter, loc, decl, ValueRange{flat});
  return success();
}

/// cst.replica_mean, cst.replica_sum: a new contiguous buffer holding a
/// copy of the operand, reduced in place over the replicas by the runtime
/// kernel. The copy keeps the op out of the analysis' in-place decisions
/// (the operand may be read again, or be a view); its size is a
/// parameter's or a channel vector's, small next to the activations.
template <typename ReplicaOp, cst::ReplicaCollective Kind>
struct ReplicaOpInterface
    : public BufferizableOpInterface::ExternalModel<
          ReplicaOpInterface<ReplicaOp, Kind>, ReplicaOp> {
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
    auto reduce = cast<ReplicaOp>(op);
    auto type = cast<RankedTensorType>(reduce.getOutput().getType());
    FailureOr<Value> in = getBuffer(rewriter, reduce.getInput(), options, state);
    if (failed(in))
      return failure();
    FailureOr<Value> out = options.createAlloc(
        rewriter, op->getLoc(),
        MemRefType::get(type.getShape(), type.getElementType()), {});
    if (failed(out))
      return failure();
    if (failed(options.createMemCpy(rewriter, op->getLoc(), *in, *out)))
      return failure();
    if (failed(callReplicaKernel(rewriter, op, Kind, type, *out)))
      return failure();
    replaceOpWithBufferizedValues(rewriter, op, *out);
    return success();
  }
};

/// cst.replica_mean_start, cst.replica_mean_wait: in place on the
/// operand's buffer (the start's result is that buffer, the wait's
/// operand too), so the start and its wait name the same memory. The
/// start's operand is a bucket of gradients that nothing else reads, and
/// its result has one use, the wait: the analysis keeps both in place
/// (an out-of-place start would only reduce a copy, which its wait then
/// takes; the runtime refuses a wait on a buffer no start began).
template <typename ReplicaOp, cst::ReplicaCollective Kind>
struct InPlaceReplicaOpInterface
    : public BufferizableOpInterface::ExternalModel<
          InPlaceReplicaOpInterface<ReplicaOp, Kind>, ReplicaOp> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const AnalysisState &) const {
    return true;
  }
  bool bufferizesToMemoryWrite(Operation *, OpOperand &,
                               const AnalysisState &) const {
    return true;
  }
  AliasingValueList getAliasingValues(Operation *op, OpOperand &,
                                      const AnalysisState &) const {
    return {{op->getResult(0), BufferRelation::Equivalent}};
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto collective = cast<ReplicaOp>(op);
    auto type = cast<RankedTensorType>(collective.getOutput().getType());
    FailureOr<Value> buffer =
        getBuffer(rewriter, collective.getInput(), options, state);
    if (failed(buffer))
      return failure();
    if (failed(callReplicaKernel(rewriter, op, Kind, type, *buffer)))
      return failure();
    replaceOpWithBufferizedValues(rewriter, op, *buffer);
    return success();
  }
};

/// Attaches the models and, as a dialect interface of cst, the naming they
/// call: an extension object rather than a function, since it carries the
/// naming.
struct RuntimeCallModelsExtension
    : DialectExtension<RuntimeCallModelsExtension, cst::CstDialect> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(RuntimeCallModelsExtension)
  explicit RuntimeCallModelsExtension(cst::KernelNaming naming)
      : naming(std::move(naming)) {}
  void apply(MLIRContext *ctx, cst::CstDialect *dialect) const final {
    ctx->loadDialect<func::FuncDialect, memref::MemRefDialect,
                     arith::ArithDialect, bufferization::BufferizationDialect>();
    dialect->addInterface<cst::KernelNamingInterface>(naming);
    cst::ConvOp::attachInterface<ConvOpInterface<cst::ConvOp>>(*ctx);
    cst::ConvTransposeOp::attachInterface<
        ConvOpInterface<cst::ConvTransposeOp>>(*ctx);
    cst::ConvFilterGradOp::attachInterface<
        ConvOpInterface<cst::ConvFilterGradOp>>(*ctx);
    cst::ReplicaMeanOp::attachInterface<
        ReplicaOpInterface<cst::ReplicaMeanOp, cst::ReplicaCollective::Mean>>(
        *ctx);
    cst::ReplicaSumOp::attachInterface<
        ReplicaOpInterface<cst::ReplicaSumOp, cst::ReplicaCollective::Sum>>(
        *ctx);
    cst::ReplicaMeanStartOp::attachInterface<InPlaceReplicaOpInterface<
        cst::ReplicaMeanStartOp, cst::ReplicaCollective::MeanStart>>(*ctx);
    cst::ReplicaMeanWaitOp::attachInterface<InPlaceReplicaOpInterface<
        cst::ReplicaMeanWaitOp, cst::ReplicaCollective::MeanWait>>(*ctx);
  }
  cst::KernelNaming naming;
};

} // namespace

void mlir::cst::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry, KernelNaming naming) {
  registry.addExtension(
      TypeID::get<RuntimeCallModelsExtension>(),
      std::make_unique<RuntimeCallModelsExtension>(std::move(naming)));
}
