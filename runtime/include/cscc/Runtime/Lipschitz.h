//===- Lipschitz.h - Lipschitz constants of a model's dictionaries -*- C++ -*-===//
//
// A pursuit iterates G <- P_b(G + c D^T (X - D G)): its linear part is
// I - c D^T D, stable only when c lambda_max(D^T D) < 2, and ISTA's
// convergence guarantee wants c L <= 2 with the paper's Lipschitz constant
// L = 2 lambda_max(D^T D) (of the gradient of ||X - D G||^2). Kaiming
// filters with c = 1 give c L of 3 to 30 on real models: without batch
// norm the unfolded iterations blow up at once.
//
// lambda_max comes from power iteration on the compiled operator
// v -> D^T D v (ProgramInfo::dictionaries: one compiled function per
// dictionary, the dictionary's own lowering), at the layer's real size,
// with every boundary effect of padding and stride included.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_LIPSCHITZ_H
#define CSCC_RUNTIME_LIPSCHITZ_H

#include "cscc/Runtime/Program.h"
#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cscc::rt {

/// How a fresh model's steps c are set.
enum class StepInit {
  Lipschitz, ///< c = 1 / L for every dictionary with a learned step (default)
  Ones,      ///< c = 1 (the authors' initialisation)
};
/// "lipschitz", "ones"; parseStepInit throws std::runtime_error naming
/// `what` and the accepted words.
const char *stepInitName(StepInit kind);
StepInit parseStepInit(const std::string &word, const std::string &what);

struct LipschitzEstimate {
  std::string dictionary; ///< DictionaryInfo::name
  std::string step;       ///< the step parameter, "" when none
  double lambdaMax = 0;   ///< of D^T D (a Rayleigh quotient: from below)
  double lipschitz = 0;   ///< L = 2 lambda_max
  double change = 0;      ///< relative change of lambda_max at the last step
  int iterations = 0;
  /// The largest step c (1 when the step is none: G + D^T(X - D G)).
  double stepMax = 1;
};

struct PowerIterationOptions {
  double tolerance = 1e-6; ///< stop when lambda changes by less (relative)
  int maxIterations = 1000;
  uint64_t seed = 0x5eed; ///< the start vector's
};

/// lambda_max(D^T D) of every dictionary of `program`, through its compiled
/// D^T D with `weights` (by parameter name).
std::vector<LipschitzEstimate>
estimateLipschitz(Program &program,
                  const std::map<std::string, Tensor> &weights,
                  const PowerIterationOptions &options = {});

/// Sets every learned step (the program's dictionaries are those of
/// pursuits that iterate, unfold >= 1, with bn = none or analysis,
/// ProgramInfo) to c = 1 / L (c L = 1) from `estimates` (a per-channel step
/// in every channel); stepMax follows. With bn = prox the
/// steps stay as drawn (c = 1): the normalisation resets the iterate's
/// scale at every step, and c = 1/L measurably slowed those models (the
/// README model's loss rose in a short run). Only the steps:
/// scaling the filters instead (D/L with c = L keeps Kaiming's forward
/// pass) was measured and dropped: the filters' gradient grows by L, and
/// c L went from 1 to 32 within one epoch.
void setStepsFromLipschitz(std::vector<LipschitzEstimate> &estimates,
                           std::map<std::string, Tensor> &weights);

/// The dictionaries whose c L is 2 or more (may diverge), one line each:
/// "pursuit 'x': step c = 1 and L = 2 lambda_max(D^T D) = 7.3, c L = 7.3".
std::vector<std::string>
unstableSteps(const std::vector<LipschitzEstimate> &estimates);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_LIPSCHITZ_H
