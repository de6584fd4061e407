//===- Lipschitz.h - Lipschitz constants of a model's dictionaries -*- C++ -*-===//
//
// A pursuit iterates G <- P_b(G + c D^T (X - D G)): its linear part is
// I - c D^T D, stable only when c lambda_max(D^T D) < 2, and ISTA's
// convergence guarantee wants c L <= 2 with the paper's Lipschitz constant
// L = 2 lambda_max(D^T D) (of the gradient of ||X - D G||^2). Kaiming
// filters with c = 1 give c L of 3 to 30 on real models: without batch
// norm the unfolded iterations blow up at once.
//
// lambda_max comes from Lanczos iteration (Spectra's SymEigsSolver) on the
// compiled operator v -> D^T D v (ProgramInfo::dictionaries: one compiled
// function per dictionary, the dictionary's own lowering), at the layer's
// real size, with every boundary effect of padding and stride included;
// small operators (at most kDenseLimit unknowns) are built as matrices and
// solved exactly (Eigen). Power iteration was the first method: with close
// top eigenvalues (an identity block shifts them all by 1) it stalled 0.3%
// below lambda_max while its estimate changed by less than 1e-6.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_LIPSCHITZ_H
#define CSCC_RUNTIME_LIPSCHITZ_H

#include "cscc/Runtime/Program.h"
#include "cscc/Runtime/StepInit.h"
#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cscc::rt {

/// "lipschitz", "scaled", "ones" (StepInit.h); parseStepInit throws std::runtime_error naming
/// `what` and the accepted words.
const char *stepInitName(StepInit kind);
StepInit parseStepInit(const std::string &word, const std::string &what);

struct LipschitzEstimate {
  std::string dictionary; ///< DictionaryInfo::name
  std::string step;       ///< the step parameter, "" when none
  double lambdaMax = 0;   ///< of D^T D
  double lipschitz = 0;   ///< L = 2 lambda_max
  /// ||D^T D v - lambda_max v|| / lambda_max of the unit eigenvector v
  /// found, through the compiled operator.
  double residual = 0;
  int applications = 0; ///< of the compiled D^T D
  bool converged = true;
  /// The Ritz residual tolerance met (EigenOptions::tolerance, or its
  /// fallbackTolerance); 0 for the dense solve.
  double tolerance = 0;
  /// The largest step c (1 when the step is none: G + D^T(X - D G)).
  double stepMax = 1;
  /// The factor scaleDictionaries applied to the filters (1: none).
  double filterScale = 1;
};

struct EigenOptions {
  /// Lanczos stops when the Ritz value's residual is below tolerance times
  /// lambda_max (Spectra's criterion).
  double tolerance = 1e-10;
  /// When Lanczos misses `tolerance` (crowded top eigenvalues), a second
  /// solve with 64 vectors stops at this one.
  double fallbackTolerance = 1e-7;
  int maxRestarts = 1000;
  uint64_t seed = 0x5eed; ///< the start vector's
};
/// Operators with at most this many unknowns are solved as dense matrices.
constexpr int64_t kDenseLimit = 256;

/// D^T D v for one image's code v (the function's argument shape with batch
/// 1) through the compiled function `fi` with `weights`, in the program's
/// dtype.
std::vector<double>
applyDictionaryGram(Program &program, const FunctionInfo &fi,
                    const std::map<std::string, Tensor> &weights,
                    const std::vector<double> &v,
                    const std::vector<int64_t> &shape);

/// lambda_max(D^T D) of every dictionary of `program`, through its compiled
/// D^T D with `weights` (by parameter name).
std::vector<LipschitzEstimate>
estimateLipschitz(Program &program,
                  const std::map<std::string, Tensor> &weights,
                  const EigenOptions &options = {});

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

/// StepInit::Scaled: c lambda_max(D^T D) = kStable (< 2: the unfolding's
/// linear part I - c D^T D stays a contraction) with c as near 1 as the
/// dictionary allows, by scaling its learned filters: without identity
/// blocks the filters go to lambda_max = kStable and c = 1 (the first step
/// keeps its scale instead of shrinking by 1/L); with identity blocks
/// (lambda_max >= 1 whatever the filters) the filters' part of lambda_max
/// goes to kFilterShare of the identities' and c = kStable / lambda_max.
constexpr double kStable = 0.95;
constexpr double kFilterShare = 0.1;
/// The Ritz tolerance of the estimates that only aim within 1%
/// (StepInit::Scaled: c lambda_max = kStable) or compare c L with 2 (the
/// warning, for StepInit::Ones and loaded weights). Solving those to
/// EigenOptions' default 1e-10 took most of a deep model's start-up
/// (MSD-CSC-FISTA d12: 17 s before step 1): crowded top eigenvalues (an
/// identity block with small filters) converge slowly.
constexpr double kScalingTolerance = 1e-6;
/// The solver options for a step initialisation: EigenOptions' defaults
/// for c = 1/L (StepInit::Lipschitz), kScalingTolerance otherwise.
EigenOptions eigenOptionsFor(StepInit kind);
void scaleDictionaries(Program &program,
                       std::vector<LipschitzEstimate> &estimates,
                       std::map<std::string, Tensor> &weights,
                       const EigenOptions &options = {});

/// The dictionaries whose c L is 2 or more (may diverge), one line each:
/// "pursuit 'x': step c = 1 and L = 2 lambda_max(D^T D) = 7.3, c L = 7.3".
std::vector<std::string>
unstableSteps(const std::vector<LipschitzEstimate> &estimates);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_LIPSCHITZ_H
