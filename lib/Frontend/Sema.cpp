//===- Sema.cpp - Elaboration and checking of a parsed module -------------===//
//
// Elaboration is an interpreter over the AST: statements run in order with a
// "current tensor"; each layer statement appends one checked Layer to the
// Model. Values are evaluated by context (a number where a number is
// expected, a dictionary where a dictionary is expected), which gives
// precise messages ("expected a dictionary, found the number 3").
//
//===----------------------------------------------------------------------===//
#include "cscc/Frontend/Sema.h"
#include "cscc/Frontend/Lexer.h"
#include "cscc/Frontend/Parser.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>

namespace cscc {
namespace {

/// Limits that keep a runaway loop or recursion from hanging the compiler.
constexpr int64_t kMaxLayers = 100000;
constexpr int64_t kMaxLoopIterations = 1000000;
/// Largest size, channel count, kernel, stride, padding or dilation.
constexpr int64_t kMaxSize = 1 << 20;
/// Largest number of weights in one layer (far beyond any real model).
constexpr long double kMaxLayerWeights = 1e12L;
/// All loop iterations of one elaboration together (nested loops multiply).
constexpr int64_t kMaxTotalIterations = 10000000;

/// b - a as a loop length, without overflow (0 if b <= a).
uint64_t loopLength(int64_t a, int64_t b) {
  return b <= a ? 0 : uint64_t(b) - uint64_t(a);
}
constexpr size_t kMaxBlockDepth = 64;

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

const std::vector<std::string> kLayerNames = {
    "conv",    "bn",     "relu",   "maxpool", "avgpool",
    "global_avgpool", "linear", "shortcut", "pursuit", "stack"};
const std::vector<std::string> kReserved = {
    "param", "dict", "block", "model", "train", "include", "input", "for",
    "in",    "if",   "else",  "let",   "loss",  "penalty", "true", "false"};

class Elaborator {
public:
  Elaborator(const Module &m, SourceManager &sm) : module(m), sm(sm) {}

  Model run(const std::vector<ParamOverride> &overrides,
            const std::string &modelName);

private:
  const Module &module;
  SourceManager &sm;
  Model model;
  std::vector<std::map<std::string, Binding>> scopes;
  std::vector<const DictDecl *> dictStack; ///< named dictionaries being expanded
  /// "layer 'g.0': " while a layer is being elaborated (shape errors name it).
  std::string layerPrefix() const {
    return model.layers.empty() ? std::string()
                                : "layer '" + model.layers.back().name + "': ";
  }
  /// Buffer `param NAME = VALUE;` -> buffer `-D NAME=VALUE` (same value text).
  std::map<int, int> overrideBuffers;
  void remapOverrideError(CompileError &err) {
    auto remap = [&](Location &l) {
      auto it = overrideBuffers.find(l.file);
      if (it == overrideBuffers.end())
        return;
      l.file = it->second;
      l.col = std::max(1, l.col - 5);
    };
    remap(err.loc);
    for (auto &n : err.notes)
      remap(n.first);
  }
  int64_t totalIterations = 0;
  void countIteration(Location loc) {
    if (++totalIterations > kMaxTotalIterations)
      throw CompileError(loc, "the model expands to more than " +
                                  std::to_string(kMaxTotalIterations) +
                                  " loop iterations",
                         "nested loops multiply; make them shorter");
  }

  using Frame = std::map<std::string, Binding>;
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

  // ---- scopes ------------------------------------------------------------
  const Binding *lookup(const std::string &name) const {
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
      auto f = it->find(name);
      if (f != it->end())
        return &f->second;
    }
    return nullptr;
  }
  std::vector<std::string> visibleNames(bool numbers, bool tensors) const {
    std::vector<std::string> out;
    for (const auto &s : scopes)
      for (const auto &[n, b] : s)
        if ((numbers && b.kind == Binding::Kind::Number) ||
            (tensors && b.kind == Binding::Kind::Tensor))
          out.push_back(n);
    return out;
  }
  void bind(const std::string &name, Binding b, Location loc) {
    if (std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end() &&
        name != "input")
      throw CompileError(loc, "'" + name + "' is a keyword and cannot be used "
                              "as a name");
    b.loc = loc;
    scopes.back()[name] = std::move(b);
  }

  // ---- numbers -----------------------------------------------------------
  Num evalNum(const Expr &e);
  int64_t evalInt(const Expr &e, const std::string &what) {
    Num n = evalNum(e);
    if (!n.isInt) {
      if (n.r == std::floor(n.r) && std::fabs(n.r) < 9e15)
        return static_cast<int64_t>(n.r);
      throw CompileError(e.loc, what + " must be an integer, got " + n.str());
    }
    return n.i;
  }
  double evalReal(const Expr &e) { return evalNum(e).real(); }
  bool evalBool(const Expr &e, const std::string &what) {
    if (e.kind == Expr::Kind::Name && !lookup(e.text) && e.text != "true" &&
        e.text != "false")
      throw CompileError(e.loc, "expected true or false for " + what +
                                    ", found '" + e.text + "'");
    return evalNum(e).real() != 0;
  }
  int64_t evalIntAtLeast(const Expr &e, const std::string &what, int64_t min,
                         const std::string &help = {}) {
    int64_t v = evalInt(e, what);
    if (v < min)
      throw CompileError(e.loc, what + " must be at least " +
                                    std::to_string(min) + ", got " +
                                    std::to_string(v),
                         help);
    // Sizes are bounded so that shapes and parameter counts cannot overflow.
    if (v > kMaxSize)
      throw CompileError(e.loc, what + " is too large: " + std::to_string(v) +
                                    " (at most " + std::to_string(kMaxSize) +
                                    ")");
    return v;
  }

  /// A word option such as `prox = relu`.
  std::string evalWord(const Expr &e, const std::string &option,
                       const std::vector<std::string> &allowed) {
    std::string w;
    if (e.kind == Expr::Kind::Name) {
      const Binding *b = lookup(e.text);
      if (b && b->kind == Binding::Kind::Word)
        w = b->text;
      else if (b && b->kind == Binding::Kind::Number && option.empty())
        w = e.text;
      else
        w = e.text;
    } else if (e.kind == Expr::Kind::String) {
      w = e.text;
    } else {
      throw CompileError(e.loc, "expected one of " + joinWords(allowed) +
                                    " for '" + option + "', found '" +
                                    exprToString(e) + "'");
    }
    if (std::find(allowed.begin(), allowed.end(), w) == allowed.end())
      throw CompileError(e.loc, "unknown value '" + w + "' for '" + option +
                                    "'" + didYouMean(w, allowed),
                         "'" + option + "' takes " + joinWords(allowed));
    return w;
  }
  /// A word option parsed into its kind; `allowed` (by default every word
  /// of E's table) is what this position accepts, in the order listed.
  template <typename E>
  E evalKind(const Expr &e, const std::string &option,
             const std::vector<E> &allowed = allKinds<E>()) {
    return *parseKind<E>(evalWord(e, option, kindWords(allowed)));
  }
  static std::string joinWords(const std::vector<std::string> &ws,
                               const char *last = "or") {
    std::string s;
    for (size_t i = 0; i < ws.size(); ++i) {
      if (i)
        s += i + 1 == ws.size() ? std::string(" ") + last + " " : ", ";
      s += "'" + ws[i] + "'";
    }
    return s;
  }

  // ---- calls -------------------------------------------------------------
  /// Matches a call's arguments to a signature; returns name -> expression.
  std::map<std::string, const Expr *>
  bindArgs(const Expr &call, const std::string &callee,
           const std::vector<std::string> &names, size_t required) {
    std::map<std::string, const Expr *> out;
    size_t positional = 0;
    for (const auto &a : call.args) {
      if (a.name.empty()) {
        if (positional >= names.size())
          throw CompileError(a.value->loc,
                             "too many arguments to '" + callee + "': it takes " +
                                 std::to_string(names.size()) + " at most",
                             "its arguments are " + joinWords(names));
        out[names[positional++]] = a.value.get();
        continue;
      }
      if (std::find(names.begin(), names.end(), a.name) == names.end())
        throw CompileError(a.nameLoc, "'" + callee + "' has no argument '" +
                                          a.name + "'" +
                                          didYouMean(a.name, names),
                           "its arguments are " + joinWords(names));
      if (out.count(a.name))
        throw CompileError(a.nameLoc, "argument '" + a.name +
                                          "' of '" + callee +
                                          "' is given twice");
      out[a.name] = a.value.get();
    }
    for (size_t i = 0; i < required; ++i)
      if (!out.count(names[i]))
        throw CompileError(call.loc, "'" + callee + "' needs its argument '" +
                                         names[i] + "'",
                           "write " + callee + "(" + joinArgs(names, required) +
                               ")");
    return out;
  }
  static std::string joinArgs(const std::vector<std::string> &n, size_t k) {
    std::string s;
    for (size_t i = 0; i < k; ++i)
      s += (i ? ", " : "") + n[i];
    return s;
  }

  // ---- dictionaries --------------------------------------------------------
  struct DictResult {
    Dictionary dict;
    int64_t h = 0, w = 0;
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

  // ---- statements ----------------------------------------------------------
  void runStmts(const StmtList &body);
  void runStmt(const Stmt &s);
  void runLayer(const Stmt &s);
  void runBlockCall(const Stmt &s, const Expr &call, const BlockDecl &b);
  Layer &newLayer(LayerKind k, const Stmt &s, const Expr &e);
  InitRef evalTensorRef(const Expr &e, const std::string &what);
  int lookupTensor(const Expr &e, const std::string &what);
  void layerConv(Layer &l, const Expr &e);
  void layerPool(Layer &l, const Expr &e);
  void layerPursuit(Layer &l, const Expr &e);
  void layerStack(Layer &l, const Stmt &s, const Expr &e);
  void pursuitOptions(PursuitOptions &o, const std::map<std::string, const Expr *> &a,
                      bool stack);
  void collectStackDicts(const StmtList &body, std::vector<const Expr *> &out,
                         std::vector<std::map<std::string, Binding>> &envs);
  void runTrain(const TrainDecl &t);
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
};

//===----------------------------------------------------------------------===//
// Numbers
//===----------------------------------------------------------------------===//

Num Elaborator::evalNum(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Int:
    return Num{true, e.intValue, 0};
  case Expr::Kind::Real:
    return Num{false, 0, e.realValue};
  case Expr::Kind::Name: {
    if (const Binding *b = lookup(e.text)) {
      if (b->kind == Binding::Kind::Number)
        return b->num;
      std::string what = b->kind == Binding::Kind::Tensor ? "a tensor"
                         : b->kind == Binding::Kind::Word ? "the word '" + b->text + "'"
                                                          : "a string";
      throw CompileError(e.loc, "expected a number, but '" + e.text +
                                    "' is " + what);
    }
    if (e.text == "true")
      return Num{true, 1, 0};
    if (e.text == "false")
      return Num{true, 0, 0};
    CompileError err(e.loc, "unknown name '" + e.text + "'" +
                                didYouMean(e.text, visibleNames(true, false)));
    throw err;
  }
  case Expr::Kind::Unary: {
    Num v = evalNum(*e.elems[0]);
    if (e.text == "!")
      return Num{true, v.real() == 0 ? 1 : 0, 0};
    if (v.isInt) {
      if (v.i == INT64_MIN)
        throw CompileError(e.loc, "integer overflow");
      return Num{true, -v.i, 0};
    }
    return Num{false, 0, -v.r};
  }
  case Expr::Kind::Binary: {
    const std::string &op = e.text;
    if (op == ">>")
      throw CompileError(e.loc, "'>>' composes dictionary blocks; it is not "
                                "an arithmetic operator");
    Num a = evalNum(*e.elems[0]);
    if (op == "&&" && a.real() == 0)
      return Num{true, 0, 0};
    if (op == "||" && a.real() != 0)
      return Num{true, 1, 0};
    Num b = evalNum(*e.elems[1]);
    if (op == "&&" || op == "||")
      return Num{true, b.real() != 0 ? 1 : 0, 0};
    if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" ||
        op == ">=") {
      bool r;
      if (a.isInt && b.isInt) {
        r = op == "==" ? a.i == b.i : op == "!=" ? a.i != b.i
            : op == "<" ? a.i < b.i : op == "<=" ? a.i <= b.i
            : op == ">" ? a.i > b.i : a.i >= b.i;
      } else {
        double x = a.real(), y = b.real();
        r = op == "==" ? x == y : op == "!=" ? x != y : op == "<" ? x < y
            : op == "<=" ? x <= y : op == ">" ? x > y : x >= y;
      }
      return Num{true, r ? 1 : 0, 0};
    }
    if (a.isInt && b.isInt) {
      int64_t r = 0;
      bool overflow = false;
      if (op == "+")
        overflow = __builtin_add_overflow(a.i, b.i, &r);
      else if (op == "-")
        overflow = __builtin_sub_overflow(a.i, b.i, &r);
      else if (op == "*")
        overflow = __builtin_mul_overflow(a.i, b.i, &r);
      else {
        if (b.i == 0)
          throw CompileError(e.loc, std::string(op == "/" ? "division" : "remainder") +
                                        " by zero");
        if (a.i == INT64_MIN && b.i == -1)
          overflow = true;
        else
          r = op == "/" ? a.i / b.i : a.i % b.i;
      }
      if (overflow)
        throw CompileError(e.loc, "integer overflow in '" + exprToString(e) + "'");
      return Num{true, r, 0};
    }
    double x = a.real(), y = b.real();
    if ((op == "/" || op == "%") && y == 0)
      throw CompileError(e.loc, "division by zero");
    double r = op == "+" ? x + y : op == "-" ? x - y : op == "*" ? x * y
               : op == "/" ? x / y : std::fmod(x, y);
    return Num{false, 0, r};
  }
  case Expr::Kind::Call: {
    if (e.text == "min" || e.text == "max") {
      if (e.args.size() != 2 || !e.args[0].name.empty() || !e.args[1].name.empty())
        throw CompileError(e.loc, "'" + e.text + "' takes two numbers");
      Num a = evalNum(*e.args[0].value), b = evalNum(*e.args[1].value);
      bool takeA = e.text == "min" ? a.real() <= b.real() : a.real() >= b.real();
      return takeA ? a : b;
    }
    throw CompileError(e.loc, "expected a number, found a call to '" + e.text +
                                  "'",
                       "only min(a, b) and max(a, b) give numbers");
  }
  case Expr::Kind::String:
    throw CompileError(e.loc, "expected a number, found a string");
  case Expr::Kind::List:
    throw CompileError(e.loc, "expected a number, found a list");
  }
  throw CompileError(e.loc, "expected a number");
}

//===----------------------------------------------------------------------===//
// Dictionaries
//===----------------------------------------------------------------------===//

ConvAtom Elaborator::evalConvAtom(const Expr &call, int64_t inChannels,
                                  int64_t h, int64_t w, int64_t &oh,
                                  int64_t &ow, bool *bias) {
  std::vector<std::string> names = {"out",    "kernel",  "dilation",
                                    "stride", "padding", "init"};
  if (bias)
    names.push_back("bias");
  auto a = bindArgs(call, "conv", names, 2);
  if (bias && a.count("bias"))
    *bias = evalBool(*a["bias"], "bias");
  ConvAtom c;
  c.loc = call.loc;
  c.in = inChannels;
  c.out = evalIntAtLeast(*a["out"], "the number of output channels", 1);
  c.kernel = evalIntAtLeast(*a["kernel"], "the kernel size", 1);
  if (a.count("dilation"))
    c.dilation = evalIntAtLeast(*a["dilation"], "dilation", 1,
                                "dilation = 1 is an ordinary convolution");
  if (a.count("stride"))
    c.stride = evalIntAtLeast(*a["stride"], "stride", 1);
  if (a.count("padding")) {
    const Expr &p = *a["padding"];
    if (p.kind == Expr::Kind::Name && p.text == "same" && !lookup("same")) {
      if (c.kernel % 2 == 0)
        throw CompileError(p.loc, "padding = same needs an odd kernel, got " +
                                      std::to_string(c.kernel),
                           "give the padding as a number");
      c.padding = c.dilation * (c.kernel - 1) / 2;
    } else {
      c.padding = evalIntAtLeast(p, "padding", 0);
    }
  }
  if (a.count("init"))
    c.init = evalKind<Init>(*a["init"], "init");
  if ((long double)c.out * c.in * c.kernel * c.kernel > kMaxLayerWeights)
    throw CompileError(call.loc, "convolution " + std::to_string(c.in) +
                                     " -> " + std::to_string(c.out) +
                                     " channels with kernel " +
                                     std::to_string(c.kernel) +
                                     " has too many weights");
  oh = windowOutputSize(h, c.kernel, c.stride, c.dilation, c.padding);
  ow = windowOutputSize(w, c.kernel, c.stride, c.dilation, c.padding);
  if (oh <= 0 || ow <= 0)
    throw CompileError(call.loc,
                       layerPrefix() + "convolution output would be empty: input " +
                           std::to_string(h) + "x" + std::to_string(w) +
                           ", kernel " + std::to_string(c.kernel) +
                           ", dilation " + std::to_string(c.dilation) +
                           ", padding " + std::to_string(c.padding),
                       "the window spans " +
                           std::to_string(c.dilation * (c.kernel - 1) + 1) +
                           " pixels; add padding or use a smaller kernel or "
                           "dilation");
  return c;
}

DictBlock Elaborator::evalChain(const Expr &e, const Shape &signal, int64_t &h,
                                int64_t &w) {
  if (e.kind == Expr::Kind::Binary && e.text == ">>") {
    int64_t h1, w1;
    DictBlock left = evalChain(*e.elems[0], signal, h1, w1);
    if (left.identity)
      throw CompileError(e.elems[0]->loc, "'identity' cannot be composed",
                         "composition (>>) chains convolutions; list identity "
                         "as its own block");
    Shape mid{left.codeChannels, h1, w1};
    DictBlock right = evalChain(*e.elems[1], mid, h, w);
    if (right.identity)
      throw CompileError(e.elems[1]->loc, "'identity' cannot be composed",
                         "composition (>>) chains convolutions; list identity "
                         "as its own block");
    for (auto &c : right.chain)
      left.chain.push_back(c);
    left.codeChannels = right.codeChannels;
    left.loc = e.loc;
    return left;
  }
  DictBlock b;
  b.loc = e.loc;
  if (e.kind == Expr::Kind::Name && e.text == "identity") {
    b.identity = true;
    b.codeChannels = signal.c;
    h = signal.h;
    w = signal.w;
    return b;
  }
  if (e.kind == Expr::Kind::Call && e.text == "conv") {
    ConvAtom c = evalConvAtom(e, signal.c, signal.h, signal.w, h, w);
    b.codeChannels = c.out;
    b.chain.push_back(c);
    return b;
  }
  std::vector<std::string> kinds = {"identity", "conv"};
  std::string name = e.kind == Expr::Kind::Name || e.kind == Expr::Kind::Call
                         ? e.text
                         : std::string();
  throw CompileError(e.loc, "expected a dictionary block ('identity', "
                            "'conv(...)' or a composition 'A >> B'), found '" +
                                exprToString(e) + "'" +
                                (name.empty() ? "" : didYouMean(name, kinds)));
}

void Elaborator::evalDictInto(const Expr &e, const Shape &signal,
                              DictResult &acc, int depth) {
  if (depth > 64)
    throw CompileError(e.loc, "dictionaries nested too deeply (a named "
                              "dictionary refers to itself?)");
  auto addBlock = [&](DictBlock b, int64_t h, int64_t w) {
    if (acc.dict.blocks.empty()) {
      acc.h = h;
      acc.w = w;
    } else if (h != acc.h || w != acc.w) {
      const DictBlock &first = acc.dict.blocks.front();
      std::string help;
      if (!b.identity && b.chain.size() == 1) {
        const ConvAtom &c = b.chain[0];
        if (c.stride == 1 && c.kernel % 2 == 1)
          help = "use padding = " + std::to_string(c.dilation * (c.kernel - 1) / 2) +
                 " (or padding = same) so that this convolution keeps the "
                 "size";
      }
      if (help.empty())
        help = "all blocks of a dictionary must give the same height and width";
      CompileError err(b.loc, layerPrefix() +
                                  "dictionary blocks give different spatial "
                                  "sizes: this block gives " +
                                  std::to_string(h) + "x" + std::to_string(w) +
                                  " but the first block gives " +
                                  std::to_string(acc.h) + "x" +
                                  std::to_string(acc.w),
                       help);
      err.notes.push_back({first.loc, "first block here"});
      throw err;
    }
    acc.dict.blocks.push_back(std::move(b));
  };
  if (e.kind == Expr::Kind::List) {
    if (e.elems.empty())
      throw CompileError(e.loc, "a dictionary needs at least one block",
                         "for example [conv(16, 3, padding = 1)]");
    for (const auto &el : e.elems) {
      // A named dictionary inside a list splices its blocks in.
      bool named = (el->kind == Expr::Kind::Call || el->kind == Expr::Kind::Name) &&
                   dicts.count(el->text);
      if (named) {
        evalDictInto(*el, signal, acc, depth + 1);
        continue;
      }
      int64_t h, w;
      DictBlock b = evalChain(*el, signal, h, w);
      addBlock(std::move(b), h, w);
    }
    return;
  }
  if ((e.kind == Expr::Kind::Call || e.kind == Expr::Kind::Name) &&
      dicts.count(e.text)) {
    const DictDecl &d = *dicts.at(e.text);
    if (std::find(dictStack.begin(), dictStack.end(), &d) != dictStack.end()) {
      CompileError err(e.loc, "dictionary '" + d.name + "' refers to itself",
                       "dictionaries cannot be recursive; write the blocks "
                       "out or use a 'for' loop in a block");
      err.notes.push_back({d.loc, "'" + d.name + "' is defined here"});
      throw err;
    }
    dictStack.push_back(&d);
    struct PopDict {
      std::vector<const DictDecl *> &s;
      ~PopDict() { s.pop_back(); }
    } popDict{dictStack};
    std::vector<std::string> names;
    size_t required = 0;
    for (const auto &f : d.formals) {
      names.push_back(f.name);
      if (!f.defaultValue)
        ++required;
    }
    std::map<std::string, Binding> frame;
    std::map<std::string, const Expr *> args;
    if (e.kind == Expr::Kind::Call)
      args = bindArgs(e, e.text, names, required);
    else if (required > 0)
      throw CompileError(e.loc, "dictionary '" + e.text + "' needs " +
                                    std::to_string(required) + " argument(s)",
                         "write " + e.text + "(" + joinArgs(names, required) + ")");
    // Given arguments are evaluated where the dictionary is used.
    for (const auto &f : d.formals) {
      if (!args.count(f.name))
        continue;
      Binding b;
      b.num = evalNum(*args[f.name]);
      b.loc = f.loc;
      frame[f.name] = b;
    }
    // Defaults see the parameters and the other arguments, not the caller.
    for (const auto &f : d.formals) {
      if (args.count(f.name))
        continue;
      Binding b;
      ScopeSwap callee = calleeScope(frame);
      b.num = evalNum(*f.defaultValue);
      b.loc = f.loc;
      frame[f.name] = b;
    }
    // Named dictionaries see parameters and their own arguments only.
    ScopeSwap callee = calleeScope(std::move(frame));
    try {
      evalDictInto(*d.value, signal, acc, depth + 1);
    } catch (CompileError &err) {
      // One note per use site; a cycle is reported once, not per level.
      if (err.notes.size() < 8)
        err.notes.push_back({e.loc, "in dictionary '" + d.name + "' used here"});
      throw;
    }
    return;
  }
  if (e.kind == Expr::Kind::Binary && e.text == ">>") {
    int64_t h, w;
    DictBlock b = evalChain(e, signal, h, w);
    addBlock(std::move(b), h, w);
    return;
  }
  if (e.kind == Expr::Kind::Name && e.text == "identity") {
    int64_t h, w;
    DictBlock b = evalChain(e, signal, h, w); // sets h, w: not in one call
    addBlock(std::move(b), h, w);
    return;
  }
  std::vector<std::string> names;
  for (const auto &[n, _] : dicts)
    names.push_back(n);
  std::string hint = (e.kind == Expr::Kind::Name || e.kind == Expr::Kind::Call)
                         ? didYouMean(e.text, names)
                         : "";
  throw CompileError(e.loc, "expected a dictionary, found '" +
                                exprToString(e) + "'" + hint,
                     "a dictionary is a list of blocks such as [identity, "
                     "conv(32, 3, padding = 1)] or the name of a 'dict'");
}

Elaborator::DictResult Elaborator::evalDict(const Expr &e, const Shape &signal) {
  DictResult r;
  evalDictInto(e, signal, r, 0);
  r.dict.signalChannels = signal.c;
  r.dict.loc = e.loc;
  return r;
}

//===----------------------------------------------------------------------===//
// Statements and layers
//===----------------------------------------------------------------------===//

void Elaborator::runStmts(const StmtList &body) {
  for (const auto &s : body)
    runStmt(*s);
}

void Elaborator::runStmt(const Stmt &s) {
  switch (s.kind) {
  case Stmt::Kind::Let: {
    Binding b;
    b.num = evalNum(*s.expr);
    bind(s.name, b, s.nameLoc);
    return;
  }
  case Stmt::Kind::For: {
    int64_t a = evalInt(*s.expr, "the loop start");
    int64_t b = evalInt(*s.expr2, "the loop end");
    if (loopLength(a, b) > uint64_t(kMaxLoopIterations))
      throw CompileError(s.expr2->loc, "loop of " +
                                           std::to_string(loopLength(a, b)) +
                                           " iterations is too long",
                         "loops may run at most " +
                             std::to_string(kMaxLoopIterations) + " times");
    for (int64_t i = a; i < b; ++i) {
      countIteration(s.loc);
      scopes.emplace_back();
      loopIndices.push_back(i);
      Binding v;
      v.num = Num{true, i, 0};
      bind(s.name, v, s.nameLoc);
      runStmts(s.body);
      loopIndices.pop_back();
      scopes.pop_back();
    }
    return;
  }
  case Stmt::Kind::If: {
    // No new scope: names defined in the branch taken stay visible after
    // it, so `if warm { x = ...; } else { x = ...; }` can feed `init = x`.
    bool c = evalNum(*s.expr).real() != 0;
    runStmts(c ? s.body : s.elseBody);
    return;
  }
  case Stmt::Kind::Input: {
    if (!blockStack.empty())
      throw CompileError(s.loc, "'input' declares the model input and is not "
                                "allowed inside a block",
                         "inside a block, the name 'input' already is the "
                         "tensor entering the block");
    if (haveInput)
      throw CompileError(s.loc, "the model input is declared twice");
    if (!model.layers.empty())
      throw CompileError(s.loc, "'input' must come before the first layer");
    if (s.expr->kind != Expr::Kind::List || s.expr->elems.size() != 3)
      throw CompileError(s.expr->loc, "the input shape is written [C, H, W]",
                         "for 28x28 grey images: input [1, 28, 28];");
    model.input.c = evalIntAtLeast(*s.expr->elems[0], "input channels", 1);
    model.input.h = evalIntAtLeast(*s.expr->elems[1], "input height", 1);
    model.input.w = evalIntAtLeast(*s.expr->elems[2], "input width", 1);
    haveInput = true;
    Binding b;
    b.kind = Binding::Kind::Tensor;
    b.tensor = -1;
    bind("input", b, s.loc);
    return;
  }
  case Stmt::Kind::Loss: {
    if (!blockStack.empty())
      throw CompileError(s.loc, "'loss' belongs to the model, not to a block");
    if (model.loss) {
      CompileError err(s.loc, "the loss is declared twice");
      err.notes.push_back({lossLoc, "first declared here"});
      throw err;
    }
    std::optional<Loss> loss = parseKind<Loss>(s.name);
    if (!loss)
      throw CompileError(s.nameLoc, "unknown loss '" + s.name + "'" +
                                        didYouMean(s.name, kindWords<Loss>()),
                         "the supported loss is " +
                             joinWords(kindWords<Loss>()));
    {
      const Shape &out = model.outputShape();
      if (out.h != 1 || out.w != 1)
        throw CompileError(s.loc,
                           "cross_entropy needs logits of shape [K, 1, 1], "
                           "but the model ends with shape " + out.str(),
                           "end the model with global_avgpool or linear(K)");
    }
    model.loss = *loss;
    lossLoc = s.loc;
    model.lossLoc = s.loc;
    return;
  }
  case Stmt::Kind::Penalty: {
    const Expr &e = *s.expr;
    std::optional<PenaltyKind> kind;
    if (e.kind == Expr::Kind::Call)
      kind = parseKind<PenaltyKind>(e.text);
    if (!kind)
      throw CompileError(e.loc, "expected a penalty such as l1(code, 1e-4), "
                                "found '" + exprToString(e) + "'" +
                                    (e.kind == Expr::Kind::Call
                                         ? didYouMean(e.text,
                                                      kindWords<PenaltyKind>())
                                         : ""));
    Penalty p;
    p.kind = *kind;
    std::map<std::string, const Expr *> a;
    switch (p.kind) {
    case PenaltyKind::L1:
      a = bindArgs(e, kindWord(p.kind), {"code", "weight"}, 2);
      break;
    }
    p.loc = e.loc;
    p.tensor = lookupTensor(*a["code"], "the penalised code");
    p.name = p.tensor < 0 ? std::string("input") : model.layers[p.tensor].name;
    p.weight = evalReal(*a["weight"]);
    if (!(p.weight >= 0) || !std::isfinite(p.weight))
      throw CompileError(a["weight"]->loc, "penalty weight must be a finite "
                                           "number >= 0");
    model.penalties.push_back(p);
    return;
  }
  case Stmt::Kind::Layer:
    runLayer(s);
    return;
  }
}

int Elaborator::lookupTensor(const Expr &e, const std::string &what) {
  if (e.kind != Expr::Kind::Name)
    throw CompileError(e.loc, "expected the name of a tensor for " + what +
                                  ", found '" + exprToString(e) + "'");
  const Binding *b = lookup(e.text);
  if (!b || b->kind != Binding::Kind::Tensor)
    throw CompileError(e.loc, (b ? "'" + e.text + "' is not a tensor"
                                 : "unknown tensor '" + e.text + "'") +
                                  didYouMean(e.text, visibleNames(false, true)),
                       "name a layer's output with 'NAME = layer(...);' "
                       "before using it");
  return b->tensor;
}

InitRef Elaborator::evalTensorRef(const Expr &e, const std::string &what) {
  InitRef r;
  r.loc = e.loc;
  if (e.kind == Expr::Kind::Call && e.text == "shortcut") {
    auto a = bindArgs(e, "shortcut", {"x", "channels", "stride"}, 3);
    r.tensor = lookupTensor(*a["x"], what);
    r.name = a["x"]->text;
    r.shortcut = true;
    r.channels = evalIntAtLeast(*a["channels"], "shortcut channels", 1);
    r.stride = evalIntAtLeast(*a["stride"], "shortcut stride", 1);
    const Shape &src = model.tensorShape(r.tensor);
    if (r.channels < src.c)
      throw CompileError(a["channels"]->loc,
                         "shortcut cannot reduce channels: '" + r.name +
                             "' has " + std::to_string(src.c) +
                             ", asked for " + std::to_string(r.channels),
                         "the option-A shortcut only zero-pads channels");
    return r;
  }
  r.tensor = lookupTensor(e, what);
  r.name = e.text;
  return r;
}

Layer &Elaborator::newLayer(LayerKind k, const Stmt &s, const Expr &e) {
  if (static_cast<int64_t>(model.layers.size()) >= kMaxLayers)
    throw CompileError(e.loc, "the model has more than " +
                                  std::to_string(kMaxLayers) + " layers");
  Layer l;
  l.kind = k;
  l.loc = e.loc;
  l.input = current;
  l.in = model.tensorShape(current);
  std::string base = s.name.empty()
                         ? std::string(layerKindName(k)) +
                               std::to_string(model.layers.size())
                         : s.name;
  l.name = s.name.empty() ? layerPath(base) : userLayerPath(base);
  model.layers.push_back(l);
  return model.layers.back();
}

void Elaborator::layerConv(Layer &l, const Expr &e) {
  int64_t oh, ow;
  bool bias = true;
  ConvAtom c = evalConvAtom(e, l.in.c, l.in.h, l.in.w, oh, ow, &bias);
  l.channels = c.out;
  l.kernel = c.kernel;
  l.dilation = c.dilation;
  l.stride = c.stride;
  l.padding = c.padding;
  l.bias = bias;
  l.init = c.init;
  l.out = Shape{c.out, oh, ow};
  l.parameterCount = c.weightCount() + (bias ? c.out : 0);
}

void Elaborator::layerPool(Layer &l, const Expr &e) {
  const char *name = layerKindName(l.kind);
  if (e.kind != Expr::Kind::Call)
    throw CompileError(e.loc, std::string("'") + name + "' needs a kernel size",
                       std::string("write ") + name + "(2)");
  auto a = bindArgs(e, name, {"kernel", "stride", "padding"}, 1);
  l.kernel = evalIntAtLeast(*a["kernel"], "the pooling kernel", 1);
  l.stride = a.count("stride") ? evalIntAtLeast(*a["stride"], "stride", 1)
                               : l.kernel;
  l.padding = a.count("padding") ? evalIntAtLeast(*a["padding"], "padding", 0)
                                 : 0;
  if (2 * l.padding > l.kernel)
    throw CompileError(a["padding"]->loc, "pooling padding must be at most "
                                          "half the kernel");
  int64_t oh = windowOutputSize(l.in.h, l.kernel, l.stride, 1, l.padding);
  int64_t ow = windowOutputSize(l.in.w, l.kernel, l.stride, 1, l.padding);
  if (oh <= 0 || ow <= 0)
    throw CompileError(e.loc, std::string(name) + " with kernel " +
                                  std::to_string(l.kernel) +
                                  " does not fit the input " + l.in.str(),
                       "use a smaller kernel or pool earlier");
  l.out = Shape{l.in.c, oh, ow};
}

void Elaborator::pursuitOptions(PursuitOptions &o,
                                const std::map<std::string, const Expr *> &a,
                                bool stack) {
  auto get = [&](const char *k) -> const Expr * {
    auto it = a.find(k);
    return it == a.end() ? nullptr : it->second;
  };
  if (auto *e = get("prox"))
    o.prox = evalKind<Prox>(*e, "prox");
  if (auto *e = get("solver"))
    o.solver = evalKind<Solver>(*e, "solver");
  if (auto *e = get("unfold")) {
    o.unfold = evalInt(*e, "unfold");
    if (o.unfold < 0)
      throw CompileError(e->loc, "unfold must be 0 or more, got " +
                                     std::to_string(o.unfold),
                         "unfold = 0 is the feed-forward layer; each "
                         "unfolding adds one ISTA/FISTA iteration");
    if (o.unfold > 1000)
      throw CompileError(e->loc, "unfold = " + std::to_string(o.unfold) +
                                     " is more than the limit of 1000");
  }
  // A stack has one step and one threshold per level and batch-norms the
  // prox argument only.
  if (auto *e = get("step"))
    o.step = stack ? evalKind(*e, "step", std::vector{Step::Scalar, Step::None})
                   : evalKind<Step>(*e, "step");
  if (auto *e = get("threshold"))
    o.threshold =
        stack ? evalKind(*e, "threshold",
                         std::vector{Threshold::Channel, Threshold::None})
              : evalKind<Threshold>(*e, "threshold");
  if (auto *e = get("bn"))
    o.bn = stack ? evalKind(*e, "bn",
                            std::vector{BnPlacement::None, BnPlacement::Prox})
                 : evalKind<BnPlacement>(*e, "bn");
  if (auto *e = get("bn_affine")) {
    o.bnAffine = evalKind<BnAffine>(*e, "bn_affine");
    switch (o.bnAffine) {
    case BnAffine::Shared:
      break;
    case BnAffine::PerIter:
      switch (o.bn) {
      case BnPlacement::Prox:
        break;
      case BnPlacement::None:
        throw CompileError(e->loc, "bn_affine = per_iter needs bn = prox",
                           "add bn = prox, or remove bn_affine");
      case BnPlacement::Analysis:
        throw CompileError(e->loc, "bn_affine = per_iter needs bn = prox",
                           "with bn = analysis the batch norm is applied "
                           "once; remove bn_affine");
      }
      break;
    }
  }
  if (auto *e = get("gram"))
    o.gram = evalKind<Gram>(*e, "gram");
  if (auto *e = get("keep_init"))
    o.keepInit = evalBool(*e, "keep_init");
}

/// The step, threshold and batch-norm parameters of one pursuit level with
/// dictionary `d` (a pursuit, or one level of a stack).
static int64_t levelParameters(const PursuitOptions &o, const Dictionary &d) {
  int64_t k = d.codeChannels();
  int64_t n = 0;
  switch (o.step) {
  case Step::Scalar:
    n += 1;
    break;
  case Step::Channel:
    n += k;
    break;
  case Step::None:
    break;
  }
  switch (o.threshold) {
  case Threshold::Channel:
    n += k;
    break;
  case Threshold::ConvChannels:
    n += d.convCodeChannels();
    break;
  case Threshold::None:
    break;
  }
  int64_t affineSets = 0;
  switch (o.bnAffine) {
  case BnAffine::Shared:
    affineSets = 1;
    break;
  case BnAffine::PerIter:
    affineSets = o.unfold + 1;
    break;
  }
  switch (o.bn) {
  case BnPlacement::None:
    break;
  case BnPlacement::Prox:
  case BnPlacement::Analysis:
    n += 2 * k * affineSets;
    break;
  }
  return n;
}

void Elaborator::layerPursuit(Layer &l, const Expr &e) {
  if (e.kind != Expr::Kind::Call)
    throw CompileError(e.loc, "'pursuit' needs a dictionary",
                       "write pursuit([conv(16, 3, padding = 1)], unfold = 1)");
  auto a = bindArgs(e, "pursuit",
                    {"dict", "prox", "solver", "unfold", "init", "gram",
                     "keep_init", "step", "threshold", "bn", "bn_affine"},
                    1);
  DictResult d = evalDict(*a["dict"], l.in);
  l.dict = std::move(d.dict);
  pursuitOptions(l.opts, a, false);
  int64_t k = l.dict.codeChannels();
  l.out = Shape{k, d.h, d.w};
  if (a.count("init")) {
    InitRef r = evalTensorRef(*a["init"], "the warm start");
    Shape src = model.tensorShape(r.tensor);
    Shape g0 = src;
    if (r.shortcut) {
      g0.c = r.channels;
      g0.h = (src.h + r.stride - 1) / r.stride;
      g0.w = (src.w + r.stride - 1) / r.stride;
    }
    if (g0 != l.out) {
      std::string help;
      if (!r.shortcut && g0.c <= l.out.c && g0.h % l.out.h == 0 &&
          g0.h / l.out.h == g0.w / l.out.w && g0.w % l.out.w == 0)
        help = "use init = shortcut(" + r.name + ", " + std::to_string(l.out.c) +
               ", " + std::to_string(g0.h / l.out.h) +
               ") to subsample and zero-pad it";
      else
        help = "a warm start must have the shape of the code it starts";
      CompileError err(r.loc, "residual init '" + r.name + "' has shape " +
                                  g0.str() + " but the code of layer '" +
                                  l.name + "' has shape " + l.out.str(),
                       help);
      throw err;
    }
    l.warmStart = r;
  } else {
    for (const char *opt : {"gram", "keep_init"})
      if (a.count(opt))
        throw CompileError(a.at(opt)->loc,
                           std::string("'") + opt +
                               "' only matters for a warm-started pursuit",
                           std::string("add init = NAME, or remove '") + opt + "'");
  }
  int64_t n = l.dict.weightCount() + levelParameters(l.opts, l.dict);
  if (l.warmStart)
    switch (l.opts.gram) {
    case Gram::On:
    case Gram::Off:
      break;
    case Gram::Learned:
      n += 1;
      break;
    }
  l.parameterCount = n;
}

void Elaborator::collectStackDicts(
    const StmtList &body, std::vector<const Expr *> &out,
    std::vector<std::map<std::string, Binding>> &envs) {
  // The body of a stack lists dictionaries; loops, if and let work as in a
  // model body. Each dictionary is evaluated later, once the signal shape of
  // its level is known, in the scope captured here.
  for (const auto &sp : body) {
    const Stmt &s = *sp;
    switch (s.kind) {
    case Stmt::Kind::Let: {
      Binding b;
      b.num = evalNum(*s.expr);
      bind(s.name, b, s.nameLoc);
      break;
    }
    case Stmt::Kind::For: {
      int64_t a = evalInt(*s.expr, "the loop start");
      int64_t b = evalInt(*s.expr2, "the loop end");
      if (loopLength(a, b) > uint64_t(kMaxLoopIterations))
        throw CompileError(s.expr2->loc, "loop is too long");
      for (int64_t i = a; i < b; ++i) {
        countIteration(s.loc);
        scopes.emplace_back();
        Binding v;
        v.num = Num{true, i, 0};
        bind(s.name, v, s.nameLoc);
        collectStackDicts(s.body, out, envs);
        scopes.pop_back();
      }
      break;
    }
    case Stmt::Kind::If: {
      bool c = evalNum(*s.expr).real() != 0;
      scopes.emplace_back();
      collectStackDicts(c ? s.body : s.elseBody, out, envs);
      scopes.pop_back();
      break;
    }
    case Stmt::Kind::Layer:
      if (!s.name.empty() || s.hasBody)
        throw CompileError(s.loc, "a stack body lists dictionaries only",
                           "write one dictionary per line, e.g. [identity, "
                           "conv(12, 3, padding = 1)];");
      out.push_back(s.expr.get());
      {
        // Flatten the visible scopes into one frame for later evaluation.
        std::map<std::string, Binding> frame;
        for (const auto &sc : scopes)
          for (const auto &[n, b] : sc)
            frame[n] = b;
        envs.push_back(std::move(frame));
      }
      break;
    default:
      throw CompileError(s.loc, "only dictionaries, 'for', 'if' and 'let' "
                                "may appear inside a stack");
    }
  }
}

void Elaborator::layerStack(Layer &l, const Stmt &s, const Expr &e) {
  if (!s.hasBody)
    throw CompileError(e.loc, "'stack' needs a body listing its dictionaries",
                       "write stack(unfold = 1) { [identity, conv(12, 3, "
                       "padding = 1)]; ... }");
  std::map<std::string, const Expr *> a;
  if (e.kind == Expr::Kind::Call)
    a = bindArgs(e, "stack",
                 {"prox", "solver", "unfold", "step", "threshold", "bn",
                  "bn_affine"},
                 0);
  pursuitOptions(l.opts, a, true);
  std::vector<const Expr *> dictExprs;
  std::vector<std::map<std::string, Binding>> envs;
  scopes.emplace_back();
  collectStackDicts(s.body, dictExprs, envs);
  scopes.pop_back();
  if (dictExprs.empty())
    throw CompileError(e.loc, "a stack needs at least one dictionary");
  Shape signal = l.in;
  int64_t n = 0;
  for (size_t i = 0; i < dictExprs.size(); ++i) {
    DictResult d;
    {
      ScopeSwap level(scopes, {envs[i]});
      d = evalDict(*dictExprs[i], signal);
    }
    if (d.h != signal.h || d.w != signal.w)
      throw CompileError(dictExprs[i]->loc,
                         layerPrefix() + "dictionary " + std::to_string(i + 1) +
                             " of the stack changes the spatial size from " +
                             std::to_string(signal.h) + "x" +
                             std::to_string(signal.w) + " to " +
                             std::to_string(d.h) + "x" + std::to_string(d.w),
                         "the sweeps of a stacked pursuit need every level at "
                         "the same size: use stride 1 and padding = same");
    int64_t k = d.dict.codeChannels();
    n += d.dict.weightCount() + levelParameters(l.opts, d.dict);
    signal = Shape{k, d.h, d.w};
    l.dicts.push_back(std::move(d.dict));
  }
  l.out = signal;
  l.parameterCount = n;
}

void Elaborator::runBlockCall(const Stmt &s, const Expr &call,
                              const BlockDecl &b) {
  if (std::find(blockStack.begin(), blockStack.end(), &b) != blockStack.end())
    throw CompileError(call.loc, "block '" + b.name + "' calls itself",
                       "blocks cannot be recursive; use a 'for' loop");
  if (blockStack.size() >= kMaxBlockDepth)
    throw CompileError(call.loc, "blocks nested too deeply");
  if (s.hasBody)
    throw CompileError(s.body.empty() ? call.loc : s.body.front()->loc,
                       "only 'stack' takes a body");
  if (!s.name.empty()) {
    // `s = block(...)` names a layer like any other: once per scope.
    std::string path = userLayerPath(s.name);
    if (layerNames.count(path)) {
      CompileError err(s.nameLoc, "layer name '" + s.name + "' is used twice");
      err.notes.push_back({layerNames[path], "first used here"});
      throw err;
    }
    layerNames[path] = s.nameLoc;
  }
  std::vector<std::string> names;
  size_t required = 0;
  for (const auto &f : b.formals) {
    names.push_back(f.name);
    if (!f.defaultValue)
      ++required;
  }
  std::map<std::string, const Expr *> args;
  if (call.kind == Expr::Kind::Call)
    args = bindArgs(call, b.name, names, required);
  else if (required)
    throw CompileError(call.loc, "block '" + b.name + "' needs " +
                                     std::to_string(required) + " argument(s)",
                       "write " + b.name + "(" + joinArgs(names, required) + ")");
  // Arguments are evaluated in the caller's scope: a number, a tensor name,
  // or a word (an option value such as 'relu' passed through).
  std::map<std::string, Binding> frame;
  auto evalArg = [&](const Expr *v) {
    Binding bnd;
    if (v->kind == Expr::Kind::Name && lookup(v->text) &&
        lookup(v->text)->kind != Binding::Kind::Number) {
      bnd = *lookup(v->text);
    } else if (v->kind == Expr::Kind::Name && !lookup(v->text) &&
               v->text != "true" && v->text != "false") {
      bnd.kind = Binding::Kind::Word;
      bnd.text = v->text;
    } else if (v->kind == Expr::Kind::String) {
      bnd.kind = Binding::Kind::String;
      bnd.text = v->text;
    } else {
      bnd.num = evalNum(*v);
    }
    return bnd;
  };
  for (const auto &f : b.formals) {
    if (!args.count(f.name))
      continue;
    frame[f.name] = evalArg(args[f.name]);
    frame[f.name].loc = f.loc;
  }
  // Defaults see the parameters and the other arguments, not the caller's
  // locals (like the block body).
  for (const auto &f : b.formals) {
    if (args.count(f.name))
      continue;
    Binding bnd;
    {
      ScopeSwap callee = calleeScope(frame);
      bnd = evalArg(f.defaultValue.get());
    }
    bnd.loc = f.loc;
    frame[f.name] = bnd;
  }
  Binding in;
  in.kind = Binding::Kind::Tensor;
  in.tensor = current;
  frame["input"] = in;
  // Blocks see parameters, their arguments and their own names only.
  blockStack.push_back(&b);
  int instance = blockInstances[b.name]++;
  namePrefix.push_back((s.name.empty() ? b.name + std::to_string(instance)
                                       : s.name));
  try {
    ScopeSwap callee = calleeScope(std::move(frame));
    runStmts(b.body);
  } catch (CompileError &err) {
    blockStack.pop_back();
    namePrefix.pop_back();
    err.notes.push_back({call.loc, "in block '" + b.name + "' called here"});
    throw;
  }
  blockStack.pop_back();
  namePrefix.pop_back();
  if (!s.name.empty()) {
    Binding t;
    t.kind = Binding::Kind::Tensor;
    t.tensor = current;
    bind(s.name, t, s.nameLoc);
  }
}

void Elaborator::runLayer(const Stmt &s) {
  const Expr &e = *s.expr;
  if (e.kind != Expr::Kind::Name && e.kind != Expr::Kind::Call)
    throw CompileError(e.loc, "expected a layer, found '" + exprToString(e) +
                                  "'",
                       "a statement is a layer such as conv(16, 3); or a "
                       "block call");
  const std::string &callee = e.text;
  if (blocks.count(callee)) {
    requireInput(s);
    runBlockCall(s, e, *blocks.at(callee));
    return;
  }
  static const std::map<std::string, LayerKind> kinds = {
      {"conv", LayerKind::Conv},
      {"bn", LayerKind::BatchNorm},
      {"relu", LayerKind::Relu},
      {"maxpool", LayerKind::MaxPool},
      {"avgpool", LayerKind::AvgPool},
      {"global_avgpool", LayerKind::GlobalAvgPool},
      {"linear", LayerKind::Linear},
      {"shortcut", LayerKind::Shortcut},
      {"pursuit", LayerKind::Pursuit},
      {"stack", LayerKind::Stack}};
  auto it = kinds.find(callee);
  if (it == kinds.end()) {
    std::vector<std::string> all = kLayerNames;
    for (const auto &[n, _] : blocks)
      all.push_back(n);
    std::string extra;
    if (dicts.count(callee))
      extra = "'" + callee + "' is a dictionary; use it in a layer: pursuit(" +
              callee + (e.kind == Expr::Kind::Call ? "(...)" : "") + ")";
    throw CompileError(e.loc, "unknown layer '" + callee + "'" +
                                  didYouMean(callee, all),
                       extra);
  }
  requireInput(s);
  if (model.loss)
    throw CompileError(e.loc, "layer after 'loss'",
                       "the loss applies to the last layer; declare it at "
                       "the end of the model");
  if (s.name.size() && layerNames.count(userLayerPath(s.name))) {
    CompileError err(s.nameLoc, "layer name '" + s.name + "' is used twice");
    err.notes.push_back({layerNames[userLayerPath(s.name)], "first used here"});
    throw err;
  }
  if (s.hasBody && it->second != LayerKind::Stack)
    throw CompileError(e.loc, "only 'stack' takes a body");
  LayerKind k = it->second;
  bool noArgs = k == LayerKind::Relu || k == LayerKind::GlobalAvgPool;
  if (noArgs && e.kind == Expr::Kind::Call && !e.args.empty())
    throw CompileError(e.args.front().value->loc,
                       "'" + callee + "' takes no arguments");
  size_t index = model.layers.size();
  newLayer(k, s, e);
  // newLayer may reallocate; always go through the index.
  auto L = [&]() -> Layer & { return model.layers[index]; };
  switch (k) {
  case LayerKind::Conv:
    if (e.kind != Expr::Kind::Call)
      throw CompileError(e.loc, "'conv' needs output channels and a kernel "
                                "size",
                         "write conv(16, 3, padding = 1)");
    layerConv(L(), e);
    break;
  case LayerKind::BatchNorm: {
    if (e.kind == Expr::Kind::Call) {
      auto a = bindArgs(e, "bn", {"eps", "momentum"}, 0);
      if (a.count("eps")) {
        L().eps = evalReal(*a["eps"]);
        if (!(L().eps > 0))
          throw CompileError(a["eps"]->loc, "bn eps must be positive");
      }
      if (a.count("momentum")) {
        L().momentum = evalReal(*a["momentum"]);
        if (!(L().momentum >= 0 && L().momentum <= 1))
          throw CompileError(a["momentum"]->loc,
                             "bn momentum must be between 0 and 1");
      }
    }
    L().out = L().in;
    L().parameterCount = 2 * L().in.c;
    break;
  }
  case LayerKind::Relu:
    L().out = L().in;
    break;
  case LayerKind::MaxPool:
  case LayerKind::AvgPool:
    layerPool(L(), e);
    break;
  case LayerKind::GlobalAvgPool:
    L().out = Shape{L().in.c, 1, 1};
    break;
  case LayerKind::Linear: {
    if (e.kind != Expr::Kind::Call)
      throw CompileError(e.loc, "'linear' needs the number of outputs",
                         "write linear(10)");
    auto a = bindArgs(e, "linear", {"out", "bias"}, 1);
    Layer &l = L();
    l.channels = evalIntAtLeast(*a["out"], "the number of outputs", 1);
    l.bias = a.count("bias") ? evalBool(*a["bias"], "bias") : true;
    int64_t in = l.in.c * l.in.h * l.in.w;
    if ((long double)l.channels * in > kMaxLayerWeights)
      throw CompileError(e.loc, "linear layer " + std::to_string(in) + " -> " +
                                    std::to_string(l.channels) +
                                    " has too many weights",
                         "reduce the features first, e.g. with global_avgpool");
    l.out = Shape{l.channels, 1, 1};
    l.parameterCount = l.channels * in + (l.bias ? l.channels : 0);
    break;
  }
  case LayerKind::Shortcut: {
    if (e.kind != Expr::Kind::Call)
      throw CompileError(e.loc, "'shortcut' needs a tensor, channels and a "
                                "stride");
    InitRef r = evalTensorRef(e, "the shortcut");
    Layer &l = L();
    l.input = r.tensor;
    l.in = model.tensorShape(r.tensor);
    l.channels = r.channels;
    l.stride = r.stride;
    l.out = Shape{r.channels, (l.in.h + r.stride - 1) / r.stride,
                  (l.in.w + r.stride - 1) / r.stride};
    break;
  }
  case LayerKind::Pursuit:
    layerPursuit(L(), e);
    break;
  case LayerKind::Stack:
    layerStack(L(), s, e);
    break;
  }
  current = static_cast<int>(index);
  if (!s.name.empty()) {
    layerNames[L().name] = s.nameLoc;
    Binding t;
    t.kind = Binding::Kind::Tensor;
    t.tensor = current;
    bind(s.name, t, s.nameLoc);
  }
}

//===----------------------------------------------------------------------===//
// Train section
//===----------------------------------------------------------------------===//

void Elaborator::runTrain(const TrainDecl &t) {
  static const std::vector<std::string> keys = {
      "data",   "optimizer", "schedule",  "warmup",     "epochs",
      "batch",  "augment",   "normalize", "validation", "seed"};
  TrainConfig &c = model.train;
  std::map<std::string, Location> seen;
  auto numArgs = [&](const Expr &call, const std::string &name,
                     const std::vector<std::string> &names, size_t required,
                     std::map<std::string, double> &out) {
    auto a = bindArgs(call, name, names, required);
    for (const auto &[k, v] : a) {
      if (v->kind == Expr::Kind::List && k == "milestones")
        continue; // read by the schedule itself
      out[k] = evalReal(*v);
    }
    return a;
  };
  for (const auto &s : t.settings) {
    if (std::find(keys.begin(), keys.end(), s.key) == keys.end())
      throw CompileError(s.loc, "unknown train setting '" + s.key + "'" +
                                    didYouMean(s.key, keys),
                         "settings are " + joinWords(keys));
    if (seen.count(s.key)) {
      CompileError err(s.loc, "train setting '" + s.key + "' is set twice");
      err.notes.push_back({seen[s.key], "first set here"});
      throw err;
    }
    seen[s.key] = s.loc;
    const Expr &v = *s.value;
    const std::string head =
        v.kind == Expr::Kind::Name || v.kind == Expr::Kind::Call ? v.text : "";
    if (s.key == "data") {
      std::optional<DataSet> set = parseKind<DataSet>(head);
      if (!set)
        throw CompileError(v.loc, "unknown data set '" + exprToString(v) + "'" +
                                      didYouMean(head, kindWords<DataSet>()),
                           "data sets are " + joinWords(kindWords<DataSet>()));
      c.data = *set;
      // A data set read from files: its directory, needed unless the
      // runtime has a built-in location for it.
      auto readDirectory = [&](bool builtIn) {
        if (v.kind == Expr::Kind::Call) {
          auto a = bindArgs(v, head, {"dir"}, 1);
          if (a["dir"]->kind != Expr::Kind::String)
            throw CompileError(a["dir"]->loc, "the data directory is a string",
                               "write " + head + "(\"/path/to/data\")");
          c.dataPath = a["dir"]->text;
        } else if (!builtIn) {
          throw CompileError(v.loc, "data set '" + head + "' needs a directory",
                             "write " + head + "(\"/path/to/data\"); only "
                             "fashion_mnist has a built-in location");
        }
      };
      switch (*set) {
      case DataSet::Simulated:
        if (v.kind == Expr::Kind::Call)
          numArgs(v, head, {"seed", "classes", "dim", "train", "test", "noise"},
                  0, c.dataArgs);
        break;
      case DataSet::FashionMnist:
        readDirectory(true);
        break;
      case DataSet::Mnist:
      case DataSet::Cifar10:
      case DataSet::Cifar100:
      case DataSet::Svhn:
        readDirectory(false);
        break;
      }
    } else if (s.key == "optimizer") {
      std::optional<Optimizer> opt = parseKind<Optimizer>(head);
      if (!opt)
        throw CompileError(v.loc, "unknown optimizer '" + exprToString(v) +
                                      "'" +
                                      didYouMean(head, kindWords<Optimizer>()),
                           "optimizers are " +
                               joinWords(kindWords<Optimizer>(), "and"));
      c.optimizer = *opt;
      c.optimizerArgs.clear();
      if (v.kind == Expr::Kind::Call) {
        switch (*opt) {
        case Optimizer::Sgd:
          numArgs(v, head, {"lr", "momentum", "nesterov", "weight_decay"}, 0,
                  c.optimizerArgs);
          break;
        case Optimizer::Adam:
          numArgs(v, head, {"lr", "beta1", "beta2", "eps", "weight_decay"}, 0,
                  c.optimizerArgs);
          break;
        }
      }
      for (const auto &[k, val] : c.optimizerArgs) {
        bool ok = k == "lr" ? val > 0
                  : (k == "momentum" || k == "beta1" || k == "beta2")
                      ? (val >= 0 && val < 1)
                  : k == "eps" ? val > 0
                               : val >= 0;
        if (!ok || !std::isfinite(val)) {
          Location at = v.loc;
          for (const auto &arg : v.args)
            if (arg.name == k)
              at = arg.value->loc;
          std::ostringstream shown;
          shown << val;
          std::string help =
              k == "lr"    ? "the learning rate must be positive"
              : k == "eps" ? "eps must be positive"
              : (k == "momentum" || k == "beta1" || k == "beta2")
                  ? k + " lies in [0, 1)"
                  : k + " must be >= 0";
          throw CompileError(at, "invalid " + k + " = " + shown.str() +
                                     " for " + head,
                             help);
        }
      }
    } else if (s.key == "schedule") {
      std::optional<Schedule> sched = parseKind<Schedule>(head);
      if (!sched)
        throw CompileError(v.loc, "unknown schedule '" + exprToString(v) + "'" +
                                      didYouMean(head, kindWords<Schedule>()),
                           "schedules are " +
                               joinWords(kindWords<Schedule>()));
      c.schedule = *sched;
      switch (*sched) {
      case Schedule::Multistep: {
        if (v.kind != Expr::Kind::Call)
          throw CompileError(v.loc, "multistep needs its milestones",
                             "write multistep(milestones = [100, 150], gamma "
                             "= 0.1)");
        auto a = numArgs(v, head, {"milestones", "gamma"}, 1, c.scheduleArgs);
        const Expr &m = *a["milestones"];
        if (m.kind != Expr::Kind::List)
          throw CompileError(m.loc, "milestones are a list of epochs",
                             "write milestones = [100, 150]");
        int64_t prev = 0;
        for (const auto &el : m.elems) {
          int64_t ep = evalIntAtLeast(*el, "a milestone", 1);
          if (ep <= prev)
            throw CompileError(el->loc, "milestones must increase");
          prev = ep;
          c.milestones.push_back(ep);
        }
        break;
      }
      case Schedule::Constant:
      case Schedule::Cosine:
        if (v.kind == Expr::Kind::Call)
          numArgs(v, head, {"min_lr"}, 0, c.scheduleArgs);
        break;
      }
    } else if (s.key == "warmup") {
      c.warmup = evalIntAtLeast(v, "warmup", 0);
    } else if (s.key == "epochs") {
      c.epochs = evalIntAtLeast(v, "epochs", 1);
    } else if (s.key == "batch") {
      c.batch = evalIntAtLeast(v, "batch", 1);
    } else if (s.key == "seed") {
      c.seed = evalInt(v, "seed");
    } else if (s.key == "normalize") {
      c.normalize = evalBool(v, "normalize");
    } else if (s.key == "validation") {
      c.validation = evalReal(v);
      if (!(c.validation >= 0 && c.validation < 1))
        throw CompileError(v.loc, "validation is a fraction in [0, 1)");
    } else if (s.key == "augment") {
      if (v.kind != Expr::Kind::List)
        throw CompileError(v.loc, "augment is a list", "write augment = "
                                                       "[crop(4), flip]");
      for (const auto &el : v.elems) {
        std::string h = el->kind == Expr::Kind::Name || el->kind == Expr::Kind::Call
                            ? el->text
                            : "";
        std::optional<Augment> aug = parseKind<Augment>(h);
        if (!aug)
          throw CompileError(el->loc, "unknown augmentation '" +
                                          exprToString(*el) + "'" +
                                          didYouMean(h, kindWords<Augment>()),
                             "augmentations are crop(padding) and flip");
        bool call = el->kind == Expr::Kind::Call;
        switch (*aug) {
        case Augment::Crop: {
          if (!call)
            throw CompileError(el->loc, "'crop' needs its padding",
                               "write crop(4) for a random crop after "
                               "padding by 4 pixels");
          auto a = bindArgs(*el, "crop", {"padding"}, 1);
          c.augment.push_back(
              {*aug, evalIntAtLeast(*a["padding"], "crop padding", 0)});
          break;
        }
        case Augment::Flip:
          if (call)
            throw CompileError(el->loc, "'flip' takes no arguments",
                               "write flip");
          c.augment.push_back({*aug, 0});
          break;
        }
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

Model Elaborator::run(const std::vector<ParamOverride> &overrides,
                      const std::string &modelName) {
  // Declarations first: names must be unique across kinds.
  std::map<std::string, Location> declared;
  // A parameter may have a built-in layer's name; a dictionary or a block,
  // which is called like a layer, may not.
  auto declare = [&](const std::string &n, Location loc, const char *what,
                     bool mayNameLayer) {
    if (std::find(kReserved.begin(), kReserved.end(), n) != kReserved.end())
      throw CompileError(loc, "'" + n + "' is a keyword and cannot name a " +
                                  what);
    if (std::find(kLayerNames.begin(), kLayerNames.end(), n) != kLayerNames.end() &&
        !mayNameLayer)
      throw CompileError(loc, "'" + n + "' is a built-in layer and cannot name "
                                  "a " + what);
    if (declared.count(n)) {
      CompileError err(loc, "'" + n + "' is declared twice");
      err.notes.push_back({declared[n], "first declared here"});
      throw err;
    }
    declared[n] = loc;
  };
  for (const auto &p : module.params)
    declare(p.name, p.loc, "parameter", true);
  for (const auto &d : module.dicts) {
    declare(d.name, d.loc, "dictionary", false);
    dicts[d.name] = &d;
  }
  for (const auto &b : module.blocks) {
    declare(b.name, b.loc, "block", false);
    blocks[b.name] = &b;
  }

  // -D overrides: each is an expression in a buffer of its own so errors in
  // it point at the command line text.
  std::map<std::string, ExprPtr> overrideExprs;
  std::map<std::string, Location> overrideLocs;
  std::vector<std::string> paramNames;
  for (const auto &p : module.params)
    paramNames.push_back(p.name);
  std::vector<std::unique_ptr<Module>> keepAlive;
  for (const auto &o : overrides) {
    int buf = sm.addBuffer("<command line>", "-D " + o.name + "=" + o.value);
    Location loc{buf, 1, 4};
    if (std::find(paramNames.begin(), paramNames.end(), o.name) == paramNames.end())
      throw CompileError(loc, "-D " + o.name + ": the model has no parameter '" +
                                  o.name + "'" + didYouMean(o.name, paramNames),
                         paramNames.empty()
                             ? "this model declares no parameters"
                             : "its parameters are " + joinWords(paramNames));
    // Parse the value as `param NAME = VALUE;` to reuse the parser.
    int pbuf = sm.addBuffer("<command line>",
                            "param " + o.name + " = " + o.value + ";");
    // Errors inside the value are shown on the user's `-D NAME=VALUE`: the
    // value starts 5 columns further left there than in `param NAME = `.
    overrideBuffers[pbuf] = buf;
    auto m = std::make_unique<Module>();
    std::vector<int> stack;
    try {
      parseInto(sm, pbuf, *m, stack);
    } catch (CompileError &err) {
      if (err.loc.file != pbuf)
        throw;
      remapOverrideError(err);
      if (err.loc.col <= int(3 + o.name.size() + 1)) // not inside the value
        err = CompileError(loc, "-D " + o.name + "=" + o.value +
                                    ": the value is not an expression",
                           "write -D name=value, e.g. -D d=9");
      throw err;
    }
    if (m->params.size() != 1 || !m->dicts.empty() || !m->blocks.empty() ||
        !m->models.empty() || !m->trains.empty())
      throw CompileError(loc, "-D " + o.name + "=" + o.value +
                                  ": the value is not one expression",
                         "write -D name=value, e.g. -D d=9");
    overrideExprs[o.name] = std::move(m->params[0].value);
    overrideLocs[o.name] = loc;
    keepAlive.push_back(std::move(m));
  }

  scopes.emplace_back(); // global scope: parameters
  for (const auto &p : module.params) {
    Binding b;
    auto it = overrideExprs.find(p.name);
    try {
      b.num = evalNum(it != overrideExprs.end() ? *it->second : *p.value);
    } catch (CompileError &err) {
      remapOverrideError(err);
      throw;
    }
    scopes.back()[p.name] = b;
    scopes.back()[p.name].loc = p.loc;
    model.params.push_back({p.name, b.num.str()});
  }

  if (module.models.empty())
    throw CompileError(Location{}, "no 'model' in the input",
                       "a .csc file describes a network with 'model NAME { "
                       "input [C, H, W]; ... }'");
  const ModelDecl *md = nullptr;
  if (modelName.empty()) {
    if (module.models.size() > 1) {
      CompileError err(module.models[1].loc,
                       "more than one model; pick one with --model NAME");
      throw err;
    }
    md = &module.models[0];
  } else {
    std::vector<std::string> names;
    for (const auto &m : module.models) {
      names.push_back(m.name);
      if (m.name == modelName)
        md = &m;
    }
    if (!md)
      throw CompileError(Location{}, "no model named '" + modelName + "'" +
                                         didYouMean(modelName, names));
  }
  model.name = md->name;
  model.loc = md->loc;
  scopes.emplace_back();
  runStmts(md->body);
  if (!haveInput)
    throw CompileError(md->loc, "model '" + md->name + "' has no input",
                       "begin the model with 'input [C, H, W];'");
  if (!model.penalties.empty() && !model.loss)
    throw CompileError(model.penalties.front().loc,
                       "a penalty is added to the loss, but the model has no "
                       "loss",
                       "declare the loss at the end of the model: "
                       "loss cross_entropy;");
  if (module.trains.size() > 1) {
    CompileError err(module.trains[1].loc, "more than one train section");
    err.notes.push_back({module.trains[0].loc, "first one here"});
    throw err;
  }
  if (!module.trains.empty())
    runTrain(module.trains[0]);
  return std::move(model);
}

} // namespace

Model elaborate(const Module &module, SourceManager &sm,
                const std::vector<ParamOverride> &overrides,
                const std::string &modelName) {
  Elaborator e(module, sm);
  return e.run(overrides, modelName);
}

void printSummary(const Model &m, std::ostream &os) {
  os << "model " << m.name << ": input " << m.input.str() << "\n";
  if (!m.params.empty()) {
    os << "parameters:";
    for (const auto &[n, v] : m.params)
      os << " " << n << "=" << v;
    os << "\n";
  }
  auto kindOf = [](const Layer &l) {
    std::string kind = layerKindName(l.kind);
    if (l.kind == LayerKind::Pursuit || l.kind == LayerKind::Stack) {
      kind += std::string("/") + kindWord(l.opts.solver);
      if (l.opts.unfold)
        kind += "x" + std::to_string(l.opts.unfold);
    }
    return kind;
  };
  // Columns are at least as wide as before and always leave two spaces.
  size_t nameW = 4, kindW = 16, outW = 16;
  for (const auto &l : m.layers) {
    nameW = std::max(nameW, l.name.size());
    kindW = std::max(kindW, kindOf(l).size());
    outW = std::max(outW, l.out.str().size());
  }
  os << std::left << std::setw(5) << "#" << std::setw(nameW + 2) << "name"
     << std::setw(kindW + 2) << "kind" << std::setw(outW + 2) << "output"
     << std::setw(7) << "code" << "params\n";
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const Layer &l = m.layers[i];
    bool coded = l.kind == LayerKind::Pursuit || l.kind == LayerKind::Stack;
    std::string code = coded ? std::to_string(l.out.c) : std::string("-");
    os << std::left << std::setw(5) << i << std::setw(nameW + 2) << l.name
       << std::setw(kindW + 2) << kindOf(l) << std::setw(outW + 2)
       << l.out.str() << std::setw(std::max<size_t>(7, code.size() + 2))
       << code << l.parameterCount << "\n";
  }
  if (m.loss)
    os << "loss: " << kindWord(*m.loss) << "\n";
  for (const auto &p : m.penalties)
    os << "penalty: " << kindWord(p.kind) << "(" << p.name << ", " << p.weight << ")\n";
  os << "total parameters: " << m.totalParameters() << "\n";
}

} // namespace cscc
