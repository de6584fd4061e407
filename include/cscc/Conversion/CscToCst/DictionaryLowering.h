//===- DictionaryLowering.h - D^T and D of a dictionary op ------*- C++ -*-===//
#ifndef CSCC_CONVERSION_CSCTOCST_DICTIONARYLOWERING_H
#define CSCC_CONVERSION_CSCTOCST_DICTIONARYLOWERING_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"

namespace mlir {
class DialectRegistry;
namespace cscc {

/// Attaches the DictionaryLowering models to the csc dictionary ops.
void registerDictionaryLoweringModels(DialectRegistry &registry);

} // namespace cscc
} // namespace mlir

#include "cscc/Conversion/CscToCst/DictionaryLowering.h.inc"

#endif
