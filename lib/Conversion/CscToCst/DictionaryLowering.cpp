//===- DictionaryLowering.cpp - D^T and D of each dictionary op -----------===//
//
// One external model per csc dictionary op: its analysis D^T and synthesis D
// in the cst dialect. csc-expand-dictionaries asks the op through the
// interface, so a new kind of block is one more model here.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/CscToCst/DictionaryLowering.h"
#include "dialects/csc/IR/CscDialect.h"
#include "dialects/cst/IR/CstDialect.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::csc;

#include "cscc/Conversion/CscToCst/DictionaryLowering.cpp.inc"

namespace {

DictionaryOp dictDef(Value dict) {
  auto def = dict.getDefiningOp<DictionaryOp>();
  assert(def && "a dictionary value comes from a dictionary op (verified)");
  return def;
}

cscc::DictionaryLowering lowering(Value dict) {
  auto l = dyn_cast<cscc::DictionaryLowering>(dictDef(dict).getOperation());
  assert(l && "every csc dictionary op has a DictionaryLowering model "
              "(registerDictionaryLoweringModels)");
  return l;
}

/// An NCHW activation type with a dynamic batch.
RankedTensorType activationType(Type elem, int64_t c, int64_t h, int64_t w) {
  return RankedTensorType::get({ShapedType::kDynamic, c, h, w}, elem);
}

/// The code type of dictionary `dict` applied to `signal`.
RankedTensorType codeType(Value dict, RankedTensorType signal) {
  auto [h, w] = *dictDef(dict).analysisSize(signal.getDimSize(2),
                                            signal.getDimSize(3));
  return activationType(signal.getElementType(),
                        cast<DictType>(dict.getType()).getCode(), h, w);
}

struct IdentityLowering
    : cscc::DictionaryLowering::ExternalModel<IdentityLowering, IdentityOp> {
  Value buildAnalysis(Operation *, OpBuilder &, Location, Value signal) const {
    return signal;
  }
  Value buildSynthesis(Operation *, OpBuilder &, Location, Value code,
                       RankedTensorType) const {
    return code;
  }
};

struct ConvAtomLowering
    : cscc::DictionaryLowering::ExternalModel<ConvAtomLowering, ConvAtomOp> {
  Value buildAnalysis(Operation *op, OpBuilder &b, Location loc,
                      Value signal) const {
    auto atom = cast<ConvAtomOp>(op);
    auto type =
        codeType(atom.getDict(), cast<RankedTensorType>(signal.getType()));
    return cst::ConvOp::create(b, loc, type, signal, atom.getFilter(),
                               atom.getStride(), atom.getDilation(),
                               atom.getPadding());
  }
  Value buildSynthesis(Operation *op, OpBuilder &b, Location loc, Value code,
                       RankedTensorType signalType) const {
    // The adjoint of a convolution is the transposed convolution with the
    // same stride, dilation and padding (backward-data).
    auto atom = cast<ConvAtomOp>(op);
    return cst::ConvTransposeOp::create(b, loc, signalType, code,
                                        atom.getFilter(), atom.getStride(),
                                        atom.getDilation(), atom.getPadding());
  }
};

struct ComposeLowering
    : cscc::DictionaryLowering::ExternalModel<ComposeLowering, ComposeOp> {
  Value buildAnalysis(Operation *op, OpBuilder &b, Location loc,
                      Value signal) const {
    auto compose = cast<ComposeOp>(op);
    Value mid = lowering(compose.getFirst()).buildAnalysis(b, loc, signal);
    return lowering(compose.getSecond()).buildAnalysis(b, loc, mid);
  }
  Value buildSynthesis(Operation *op, OpBuilder &b, Location loc, Value code,
                       RankedTensorType signalType) const {
    // (F2 F1)^T = F1^T F2^T: undo the second block first, back to the size
    // the first block produced.
    auto compose = cast<ComposeOp>(op);
    RankedTensorType midType = codeType(compose.getFirst(), signalType);
    Value mid =
        lowering(compose.getSecond()).buildSynthesis(b, loc, code, midType);
    return lowering(compose.getFirst()).buildSynthesis(b, loc, mid, signalType);
  }
};

struct VStackLowering
    : cscc::DictionaryLowering::ExternalModel<VStackLowering, VStackOp> {
  Value buildAnalysis(Operation *op, OpBuilder &b, Location loc,
                      Value signal) const {
    auto stack = cast<VStackOp>(op);
    SmallVector<Value> parts;
    for (Value block : stack.getBlocks())
      parts.push_back(lowering(block).buildAnalysis(b, loc, signal));
    if (parts.size() == 1)
      return parts[0];
    auto type =
        codeType(stack.getDict(), cast<RankedTensorType>(signal.getType()));
    return cst::ConcatOp::create(b, loc, type, parts);
  }
  Value buildSynthesis(Operation *op, OpBuilder &b, Location loc, Value code,
                       RankedTensorType signalType) const {
    // D g = sum over blocks of B_i g_i, g_i the block's channels of g.
    auto stack = cast<VStackOp>(op);
    auto codeTy = cast<RankedTensorType>(code.getType());
    Value sum;
    int64_t offset = 0;
    for (Value block : stack.getBlocks()) {
      int64_t width = cast<DictType>(block.getType()).getCode();
      Value part = code;
      if (stack.getBlocks().size() > 1)
        part = cst::SliceOp::create(
            b, loc,
            activationType(codeTy.getElementType(), width,
                           codeTy.getDimSize(2), codeTy.getDimSize(3)),
            code, offset);
      offset += width;
      Value y = lowering(block).buildSynthesis(b, loc, part, signalType);
      sum = sum ? cst::AxpbyOp::create(b, loc, signalType, sum, y,
                                       b.getF64FloatAttr(1.0),
                                       b.getF64FloatAttr(1.0))
                : y;
    }
    return sum;
  }
};

} // namespace

void mlir::cscc::registerDictionaryLoweringModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, csc::CscDialect *) {
    IdentityOp::attachInterface<IdentityLowering>(*ctx);
    ConvAtomOp::attachInterface<ConvAtomLowering>(*ctx);
    ComposeOp::attachInterface<ComposeLowering>(*ctx);
    VStackOp::attachInterface<VStackLowering>(*ctx);
  });
}
