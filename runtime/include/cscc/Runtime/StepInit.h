//===- StepInit.h - How a fresh model's pursuit steps start ----*- C++ -*-===//
//
// The kind of `--step-init` and of the train section's `step_init`: one
// word table for the runtime's settings, the driver's flag and the front
// end (Kinds.h). What each does: Lipschitz.h. Plain C++17, no MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_STEPINIT_H
#define CSCC_RUNTIME_STEPINIT_H

#include "cscc/Runtime/Words.h"

namespace cscc::rt {

/// How a fresh model's iterated pursuits without bn = prox start.
enum class StepInit {
  Lipschitz, ///< c = 1 / L for every dictionary with a learned step (default)
  Scaled,    ///< filters scaled and c near 1 (scaleDictionaries)
  Ones,      ///< c = 1 (the authors' initialisation)
};
inline constexpr Word<StepInit> kStepInitWords[] = {
    {"lipschitz", StepInit::Lipschitz},
    {"scaled", StepInit::Scaled},
    {"ones", StepInit::Ones}};

} // namespace cscc::rt

#endif // CSCC_RUNTIME_STEPINIT_H
