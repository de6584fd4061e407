//===- Model.h - The elaborated model: a flat list of checked layers ------===//
//
// Sema turns the AST into this: parameters evaluated, loops unrolled, blocks
// and named dictionaries expanded, every shape known and checked. MLIRGen
// and `cscc summary` read it; it knows nothing of MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_FRONTEND_MODEL_H
#define CSCC_FRONTEND_MODEL_H

#include "cscc/Frontend/Diagnostics.h"
#include "cscc/Frontend/Kinds.h"
#include "cscc/Runtime/Replicas.h" // kDefaultAllreduceBucketKb

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cscc {

/// Shape of one sample, channels x height x width (the batch is implicit).
struct Shape {
  int64_t c = 0, h = 0, w = 0;
  bool operator==(const Shape &o) const {
    return c == o.c && h == o.h && w == o.w;
  }
  bool operator!=(const Shape &o) const { return !(*this == o); }
  std::string str() const;
};

/// Output size of a convolution or pooling window along one axis:
/// floor((in + 2 p - d (k - 1) - 1) / s) + 1 (may be <= 0: caller reports).
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padding);

/// One convolution F (analysis side); its adjoint F^T is derived later.
struct ConvAtom {
  int64_t in = 0, out = 0, kernel = 1, dilation = 1, stride = 1, padding = 0;
  Init init = Init::Kaiming;
  Location loc;
  int64_t weightCount() const { return out * in * kernel * kernel; }
};

/// One block of a dictionary's analysis stack: identity, or a composition
/// F_n ... F_1 of convolutions (a single conv is a chain of length one).
struct DictBlock {
  bool identity = false;
  std::vector<ConvAtom> chain; ///< applied first to last
  int64_t codeChannels = 0;
  Location loc;
};

/// A dictionary by its analysis side D^T: a vertical stack of blocks.
struct Dictionary {
  int64_t signalChannels = 0;
  std::vector<DictBlock> blocks;
  Location loc;
  int64_t codeChannels() const;
  /// Code channels produced by conv blocks (not identity blocks).
  int64_t convCodeChannels() const;
  int64_t weightCount() const;
  std::string str() const;
};

enum class LayerKind {
  Conv,
  BatchNorm,
  Relu,
  MaxPool,
  AvgPool,
  GlobalAvgPool,
  Linear,
  Shortcut,
  Pursuit,
  Stack,
};
const char *layerKindName(LayerKind k);

/// A warm start G0: a named tensor, optionally passed through the
/// parameter-free option-A shortcut (subsample, zero-pad channels).
struct InitRef {
  int tensor = -1; ///< -1: the model input, else a layer index
  std::string name;
  bool shortcut = false;
  int64_t channels = 0, stride = 1;
  Location loc;
};

/// Options shared by layer-wise and stacked pursuit (docs/language.md).
struct PursuitOptions {
  Prox prox = Prox::Relu;
  Solver solver = Solver::Ista;
  int64_t unfold = 0;
  Gram gram = Gram::On;
  bool keepInit = true;
  Step step = Step::Scalar;
  Threshold threshold = Threshold::Channel;
  BnPlacement bn = BnPlacement::None;
  BnAffine bnAffine = BnAffine::Shared;
};

struct Layer {
  LayerKind kind;
  std::string name; ///< user name or generated (kind + index)
  Location loc;
  int input = -1;   ///< tensor consumed: -1 the model input, else a layer
  Shape in, out;
  // conv / pooling / linear / shortcut
  int64_t channels = 0, kernel = 1, stride = 1, dilation = 1, padding = 0;
  bool bias = false;
  Init init = Init::Kaiming;
  double eps = 1e-5, momentum = 0.1;
  // pursuit / stack
  Dictionary dict;                ///< Pursuit
  std::vector<Dictionary> dicts;  ///< Stack, in order D_1..D_d
  PursuitOptions opts;
  std::optional<InitRef> warmStart;
  int64_t parameterCount = 0;
};

struct Penalty {
  PenaltyKind kind = PenaltyKind::L1;
  int tensor = -1;
  std::string name;
  double weight = 0;
  Location loc;
};

/// A value of the train section, kept close to the source form; the runtime
/// interprets it (issue: training runtime).
struct TrainConfig {
  DataSet data = DataSet::FashionMnist;
  std::string dataPath;
  std::map<std::string, double> dataArgs;
  Optimizer optimizer = Optimizer::Sgd;
  std::map<std::string, double> optimizerArgs;
  /// Where each optimizer argument is written (for errors that a flag
  /// overriding another argument causes, such as --momentum 0 with
  /// nesterov = true).
  std::map<std::string, Location> optimizerArgLocs;
  Schedule schedule = Schedule::Constant;
  std::map<std::string, double> scheduleArgs;
  std::vector<int64_t> milestones;
  int64_t warmup = 0;
  int64_t epochs = 1;
  int64_t batch = 128;
  /// In order; the number is crop's padding (0 for flip).
  std::vector<std::pair<Augment, int64_t>> augment;
  bool normalize = true;
  /// After every epoch, measure each pursuit's code on test images.
  bool analyzeCodes = false;
  /// Data-parallel training: batch norm with the global batch's statistics
  /// (compiled in).
  bool bnSync = false;
  /// Data-parallel training: gradients all-reduced in buckets of at least
  /// this many KiB, each begun as the backward pass finishes it; 0: one
  /// all-reduce after the backward pass (compiled in).
  int64_t allreduceBucketKb = rt::kDefaultAllreduceBucketKb;
  /// How the iterated pursuits without bn = prox start (`step_init`).
  StepInit stepInit = StepInit::Lipschitz;
  double validation = 0;
  int64_t seed = 0;
};

/// One dictionary of the model: a pursuit's, or one level of a stack's.
/// The runtime estimates its Lipschitz constant L = 2 lambda_max(D^T D) to
/// initialise the step c (docs/language.md, "Step size").
struct DictionaryUse {
  size_t layer = 0;   ///< index into Model::layers
  size_t level = 0;   ///< 0 for a pursuit, the level of a stack
  std::string name;   ///< "<layer>" or "<layer>.<level>": its parameters' prefix
  std::string step;   ///< the step parameter ("<name>.step"), "" when none
  Shape signal, code; ///< per image
  /// bn = prox: every iteration's prox argument is batch-normalised, so its
  /// scale is reset at each step and c L does not decide stability.
  bool normalised = false;
  /// unfold >= 1: the pursuit iterates G <- P(G + c D^T (X - D G)), whose
  /// stability c L decides. With unfold = 0 it is one thresholded analysis
  /// step P(c D^T X) (a feed-forward layer): nothing to keep stable.
  bool iterated = false;
};

struct Model {
  std::string name;
  Location loc;
  Shape input;
  std::vector<Layer> layers;
  std::optional<Loss> loss; ///< none: the model has no loss
  Location lossLoc;
  std::vector<Penalty> penalties;
  TrainConfig train;
  /// Final parameter values (after -D overrides), for reports.
  std::vector<std::pair<std::string, std::string>> params;

  const Shape &outputShape() const {
    return layers.empty() ? input : layers.back().out;
  }
  const Shape &tensorShape(int t) const {
    return t < 0 ? input : layers[t].out;
  }
  int64_t totalParameters() const;
  /// Every dictionary, in layer order (a stack's levels in order).
  std::vector<DictionaryUse> dictionaryUses() const;
};

} // namespace cscc

#endif
