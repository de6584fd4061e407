//===- SemaImpl.h - The elaborator's state, shared by the Sema*.cpp files -===//
//
// Elaboration is an interpreter over the AST: statements run in order with a
// "current tensor"; each layer statement appends one checked Layer to the
// Model. Values are evaluated by context (a number where a number is
// expected, a dictionary where a dictionary is expected), which gives
// precise messages ("expected a dictionary, found the number 3").
//
// One class, its members defined by concern:
//   SemaExpr.cpp   numbers, words, call arguments, tensor names
//   SemaDict.cpp   dictionaries (blocks, compositions, named dictionaries)
//   SemaStmt.cpp   the statement interpreter (model, block and stack bodies)
//                  and block calls
//   SemaLayer.cpp  layers: shapes, options and parameter counts
//   SemaTrain.cpp  the train section
//   Sema.cpp       the driver: declarations, -D overrides, the model
//   Summary.cpp    `cscc summary`'s table
//
// Private to lib/Frontend.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_LIB_FRONTEND_SEMAIMPL_H
#define CSCC_LIB_FRONTEND_SEMAIMPL_H

#include "cscc/Frontend/Sema.h"

#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace cscc {
namespace sema {

/// Limits that keep a runaway loop or recursion from hanging the compiler.
constexpr int64_t kMaxLayers = 100000;
constexpr int64_t kMaxLoopIterations = 1000000;
/// Largest size, channel count, kernel, stride, padding or dilation.
constexpr int64_t kMaxSize = 1 << 20;
/// Largest number of weights in one layer (far beyond any real model).
constexpr long double kMaxLayerWeights = 1e12L;
/// Largest activation: elements of one image's tensor (2^31, 8 GiB in
/// float32), for every layer's output, code and padded window input. Far
/// beyond any real model; it keeps a typo in a padding or a channel count
/// from reaching the generated code as a terabyte buffer.
constexpr long double kMaxActivationElements = 2147483648.0L;
/// The expansion budget: all loop iterations, block calls and named
/// dictionary uses of one elaboration together (nested loops, blocks that
/// call blocks and dictionaries that list dictionaries multiply).
constexpr int64_t kMaxTotalExpansions = 10000000;
/// The evaluation budget: every statement run, counted with the expression
/// nodes it holds (and the defaults and named dictionaries' bodies that a
/// call or use evaluates again), over one elaboration. The expansion budget
/// bounds how often bodies run; this bounds the work of each run, so that
/// a long body or a long expression inside a long loop cannot hang.
constexpr int64_t kMaxEvaluationSteps = 50000000;
/// Identity blocks and convolutions in all the model's dictionaries (each
/// use of a dictionary holds its own copy): what the elaborated model
/// keeps in memory, about 100 bytes each. Twice what one dictionary of
/// 2^20 code channels can hold, so that its own limit comes first.
constexpr int64_t kMaxDictionaryParts = 2 * kMaxSize;
constexpr size_t kMaxBlockDepth = 64;

/// b - a as a loop length, without overflow (0 if b <= a).
inline uint64_t loopLength(int64_t a, int64_t b) {
  return b <= a ? 0 : uint64_t(b) - uint64_t(a);
}

/// What evaluating costs, for the evaluation budget: the nodes of an
/// expression (0 for none), and one per formal plus its default's nodes.
int64_t exprNodes(const Expr *e);
int64_t formalNodes(const std::vector<Formal> &formals);

struct Num {
  bool isInt = true;
  int64_t i = 0;
  double r = 0;
  double real() const { return isInt ? static_cast<double>(i) : r; }
  std::string str() const {
    if (isInt)
      return std::to_string(i);
    std::ostringstream os;
    os << r;
    return os.str();
  }
};

/// What a name can stand for during elaboration.
struct Binding {
  enum class Kind { Number, Word, String, Tensor } kind = Kind::Number;
  Num num;
  std::string text; ///< Word / String
  int tensor = -1;  ///< Tensor: -1 model input, else layer index
  Location loc;     ///< where it was defined
};

inline const std::vector<std::string> kLayerNames = {
    "conv",    "bn",     "relu",   "maxpool", "avgpool",
    "global_avgpool", "linear", "shortcut", "pursuit", "stack"};
inline const std::vector<std::string> kReserved = {
    "param", "dict", "block", "model", "train", "include", "input", "for",
    "in",    "if",   "else",  "let",   "loss",  "penalty", "true", "false"};

/// The body a statement runs in; it decides which statements are allowed.
/// `let`, `for` and `if` are allowed everywhere (their bodies are of the
/// same kind); `input` and `loss` only in the model; `penalty` and layers
/// in the model and in blocks; a stack's body lists dictionaries.
enum class BodyKind { Model, Block, Stack };

class Elaborator {
public:
  Elaborator(const Module &m, SourceManager &sm) : module(m), sm(sm) {}

  Model run(const std::vector<ParamOverride> &overrides,
            const std::string &modelName);

private:
  using Frame = std::map<std::string, Binding>;

  const Module &module;
  SourceManager &sm;
  Model model;
  std::vector<Frame> scopes;
  std::vector<const DictDecl *> dictStack; ///< named dictionaries being expanded
  /// "layer 'g.0': " while a layer is being elaborated (shape errors name it).
  std::string layerPrefix() const {
    return model.layers.empty() ? std::string()
                                : "layer '" + model.layers.back().name + "': ";
  }
  /// Throws when `what` (c x h x w per image) is larger than
  /// kMaxActivationElements.
  void checkActivation(Location loc, const std::string &what, long double c,
                       long double h, long double w,
                       const char *help = "check the padding, kernel, stride "
                                          "and channel counts that size it")
      const;
  /// Buffer `param NAME = VALUE;` -> buffer `-D NAME=VALUE` (same value text).
  std::map<int, int> overrideBuffers;
  void remapOverrideError(CompileError &err);
  /// What spends the expansion budget (kMaxTotalExpansions).
  enum class Expansion { LoopIteration, BlockCall, DictionaryUse };
  int64_t totalExpansions = 0;
  void countExpansion(Location loc, Expansion what);
  /// Spends `steps` of the evaluation budget (kMaxEvaluationSteps).
  int64_t evaluationSteps = 0;
  void countEvaluation(Location loc, int64_t steps);
  /// Identity blocks and convolutions kept so far (kMaxDictionaryParts).
  int64_t dictionaryParts = 0;

  /// Replaces the visible scopes until it goes out of scope, also when an
  /// error unwinds through it.
  class ScopeSwap {
  public:
    ScopeSwap(std::vector<Frame> &scopes, std::vector<Frame> replacement)
        : scopes(scopes), saved(std::move(scopes)) {
      scopes = std::move(replacement);
    }
    ScopeSwap(const ScopeSwap &) = delete;
    ~ScopeSwap() { scopes = std::move(saved); }

  private:
    std::vector<Frame> &scopes;
    std::vector<Frame> saved;
  };
  /// What a callee sees: the parameters and its own frame (block bodies,
  /// named dictionaries, and the defaults of their arguments).
  ScopeSwap calleeScope(Frame frame) {
    return ScopeSwap(scopes, {scopes.front(), std::move(frame)});
  }
  int current = -1;      ///< current tensor
  bool haveInput = false;
  std::vector<const BlockDecl *> blockStack;
  std::vector<std::string> namePrefix;
  /// Indices of the enclosing loops: a named layer inside a loop gets one
  /// name per iteration ("g.0", "g.1", ...), like PyTorch's ModuleList.
  std::vector<int64_t> loopIndices;
  std::map<std::string, int> blockInstances;
  std::map<std::string, const DictDecl *> dicts;
  std::map<std::string, const BlockDecl *> blocks;
  std::map<std::string, Location> layerNames;
  Location lossLoc;

  // ---- names and values (SemaExpr.cpp) -------------------------------------
  const Binding *lookup(const std::string &name) const;
  std::vector<std::string> visibleNames(bool numbers, bool tensors) const;
  void bind(const std::string &name, Binding b, Location loc);

  Num evalNum(const Expr &e);
  int64_t evalInt(const Expr &e, const std::string &what);
  double evalReal(const Expr &e) { return evalNum(e).real(); }
  bool evalBool(const Expr &e, const std::string &what);
  int64_t evalIntAtLeast(const Expr &e, const std::string &what, int64_t min,
                         const std::string &help = {});

  /// A word option such as `prox = relu`: one of `allowed`.
  std::string evalWord(const Expr &e, const std::string &option,
                       const std::vector<std::string> &allowed);
  /// A word option parsed into its kind; `allowed` (by default every word
  /// of E's table) is what this position accepts, in the order listed.
  template <typename E>
  E evalKind(const Expr &e, const std::string &option,
             const std::vector<E> &allowed = allKinds<E>()) {
    return *parseKind<E>(evalWord(e, option, kindWords(allowed)));
  }
  /// 'a', 'b' or 'c' (`last` joins the last two).
  static std::string joinWords(const std::vector<std::string> &ws,
                               const char *last = "or");

  /// Matches a call's arguments to a signature; returns name -> expression.
  std::map<std::string, const Expr *>
  bindArgs(const Expr &call, const std::string &callee,
           const std::vector<std::string> &names, size_t required);
  /// "a, b": the first k names.
  static std::string joinArgs(const std::vector<std::string> &n, size_t k);

  int lookupTensor(const Expr &e, const std::string &what);
  InitRef evalTensorRef(const Expr &e, const std::string &what);

  // ---- dictionaries (SemaDict.cpp) -----------------------------------------
  struct DictResult {
    Dictionary dict;
    int64_t h = 0, w = 0;
    int64_t channels = 0; ///< code channels so far (at most kMaxSize)
  };
  DictResult evalDict(const Expr &e, const Shape &signal);
  void evalDictInto(const Expr &e, const Shape &signal, DictResult &acc,
                    int depth);
  DictBlock evalChain(const Expr &e, const Shape &signal, int64_t &h,
                      int64_t &w);
  /// A convolution: a dictionary atom, or (with `bias` non-null) a layer.
  ConvAtom evalConvAtom(const Expr &call, int64_t inChannels, int64_t h,
                        int64_t w, int64_t &oh, int64_t &ow,
                        bool *bias = nullptr);

  // ---- statements (SemaStmt.cpp) -------------------------------------------
  /// One dictionary listed in a stack's body, with the names visible where
  /// it is listed (it is evaluated once the signal shape of its level is
  /// known).
  struct StackLevel {
    const Expr *dict;
    Frame env;
  };
  /// The body being run: its kind, and for a stack where its dictionaries go.
  struct Body {
    BodyKind kind;
    std::vector<StackLevel> *levels = nullptr;
  };
  void runBody(const StmtList &stmts, const Body &body);
  void runStmt(const Stmt &s, const Body &body);
  void runFor(const Stmt &s, const Body &body);
  void runInput(const Stmt &s, const Body &body);
  void runLoss(const Stmt &s, const Body &body);
  void runPenalty(const Stmt &s, const Body &body);
  void listStackLevel(const Stmt &s, const Body &body);
  void runBlockCall(const Stmt &s, const Expr &call, const BlockDecl &b);
  /// Refuses a second layer of the same name in the same scope.
  void checkLayerNameUnused(const Stmt &s);

  // ---- layers (SemaLayer.cpp) ----------------------------------------------
  void runLayer(const Stmt &s);
  Layer &newLayer(LayerKind k, const Stmt &s, const Expr &e);
  void layerConv(Layer &l, const Expr &e);
  void layerPool(Layer &l, const Expr &e);
  void layerPursuit(Layer &l, const Expr &e);
  void layerStack(Layer &l, const Stmt &s, const Expr &e);
  void pursuitOptions(PursuitOptions &o,
                      const std::map<std::string, const Expr *> &a, bool stack);
  void requireInput(const Stmt &s) {
    if (!haveInput)
      throw CompileError(s.loc, "layer before 'input'",
                         "a model begins with 'input [C, H, W];'");
  }
  std::string layerPath(const std::string &base) const {
    std::string p;
    for (const auto &n : namePrefix)
      p += n + ".";
    return p + base;
  }
  std::string userLayerPath(const std::string &base) const {
    std::string p = layerPath(base);
    for (int64_t i : loopIndices)
      p += "." + std::to_string(i);
    return p;
  }

  // ---- train section (SemaTrain.cpp) ---------------------------------------
  void runTrain(const TrainDecl &t);
};

} // namespace sema
} // namespace cscc

#endif
