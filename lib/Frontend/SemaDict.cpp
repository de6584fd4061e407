//===- SemaDict.cpp - Dictionaries: blocks, compositions, named -----------===//
//
// A dictionary is given by its analysis side D^T: a list of blocks
// (identity, conv(...), or a composition A >> B), and named dictionaries
// splice their blocks in. Every block must give the same spatial size.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"

#include <algorithm>

namespace cscc {
namespace sema {

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
  checkActivation(call.loc, "the convolution's padded input", c.in,
                  h + 2.0L * c.padding, w + 2.0L * c.padding);
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
  checkActivation(call.loc, "the convolution's output", c.out, oh, ow);
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
    // The code channels are bounded as every channel count is (so that a
    // dictionary that lists dictionaries cannot grow without limit).
    acc.channels += b.codeChannels;
    if (acc.channels > kMaxSize)
      throw CompileError(b.loc, layerPrefix() + "the dictionary has more "
                                    "than " + std::to_string(kMaxSize) +
                                    " code channels",
                         "a dictionary's code channels are the sum of its "
                         "blocks' channels; list fewer or smaller blocks");
    dictionaryParts += b.identity ? 1 : static_cast<int64_t>(b.chain.size());
    if (dictionaryParts > kMaxDictionaryParts)
      throw CompileError(b.loc, layerPrefix() + "the model's dictionaries "
                                    "hold more than " +
                                    std::to_string(kMaxDictionaryParts) +
                                    " identity blocks and convolutions in all",
                         "each use of a dictionary holds its blocks again; "
                         "use fewer or smaller dictionaries");
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
    countExpansion(e.loc, Expansion::DictionaryUse);
    countEvaluation(e.loc, exprNodes(d.value.get()) + formalNodes(d.formals));
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

} // namespace sema
} // namespace cscc
