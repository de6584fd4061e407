//===- Registration.h - Everything a compiler context needs ----*- C++ -*-===//
//
// The one place that lists the dialects, their external models and the
// passes cscc uses: the tools call these instead of each keeping a list.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_REGISTRATION_H
#define CSCC_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace cscc {

/// Upstream dialects and extensions, csc and cst, and the external models
/// cscc attaches (bufferization of the cst ops, VJPs of builtin ops, the
/// dictionary lowering of the csc ops).
void registerDialects(mlir::DialectRegistry &registry);

/// Upstream passes and every pass of cscc (csc, cst, conversions), so that
/// pipelines can be written as text.
void registerPasses();

} // namespace cscc

#endif
