//===- Transforms.h - Bufferization of the tensor-level dialect -*- C++ -*-===//
#ifndef CSCC_DIALECTS_CST_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
#define CSCC_DIALECTS_CST_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
namespace cst {

/// One-Shot Bufferize support for the three convolution ops: each becomes
/// a fresh buffer filled by a call of the runtime's kernel
/// `cscc_conv2d_{fwd,bwd_data,bwd_filter}_{f32,f64}` (C interface, strided
/// memref descriptors), which the CPU runtime implements with oneDNN.
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry);

} // namespace cst
} // namespace mlir

#endif
