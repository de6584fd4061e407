//===- SemaStmt.cpp - The statement interpreter ---------------------------===//
//
// One interpreter for the bodies of models, blocks and stacks. `let`, `for`
// and `if` work alike in all three; the kind of body decides what else may
// appear: `input` and `loss` only in the model, `penalty` and layers in the
// model and in blocks, and in a stack a list of dictionaries, each recorded
// with the names visible where it is listed.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"

#include <algorithm>
#include <cmath>

namespace cscc {
namespace sema {

void Elaborator::runBody(const StmtList &stmts, const Body &body) {
  for (const auto &s : stmts)
    runStmt(*s, body);
}

void Elaborator::runStmt(const Stmt &s, const Body &body) {
  // A body's statements are counted when they run (a `for` or `if` here
  // counts its header).
  countEvaluation(s.loc, 1 + exprNodes(s.expr.get()) + exprNodes(s.expr2.get()));
  switch (s.kind) {
  case Stmt::Kind::Let: {
    Binding b;
    b.num = evalNum(*s.expr);
    bind(s.name, b, s.nameLoc);
    return;
  }
  case Stmt::Kind::For:
    runFor(s, body);
    return;
  case Stmt::Kind::If: {
    // No new scope: names defined in the branch taken stay visible after
    // it, so `if warm { x = ...; } else { x = ...; }` can feed `init = x`.
    bool c = evalNum(*s.expr).real() != 0;
    runBody(c ? s.body : s.elseBody, body);
    return;
  }
  case Stmt::Kind::Input:
    runInput(s, body);
    return;
  case Stmt::Kind::Loss:
    runLoss(s, body);
    return;
  case Stmt::Kind::Penalty:
    runPenalty(s, body);
    return;
  case Stmt::Kind::Layer:
    switch (body.kind) {
    case BodyKind::Model:
    case BodyKind::Block:
      runLayer(s);
      return;
    case BodyKind::Stack:
      listStackLevel(s, body);
      return;
    }
    return;
  }
}

/// The error for a statement that a stack's body cannot hold.
static CompileError notInStack(const Stmt &s) {
  return CompileError(s.loc, "only dictionaries, 'for', 'if' and 'let' may "
                             "appear inside a stack");
}

void Elaborator::runFor(const Stmt &s, const Body &body) {
  int64_t a = evalInt(*s.expr, "the loop start");
  int64_t b = evalInt(*s.expr2, "the loop end");
  if (loopLength(a, b) > uint64_t(kMaxLoopIterations))
    throw CompileError(s.expr2->loc,
                       "loop of " + std::to_string(loopLength(a, b)) +
                           " iterations is too long",
                       "loops may run at most " +
                           std::to_string(kMaxLoopIterations) + " times");
  for (int64_t i = a; i < b; ++i) {
    countExpansion(s.loc, Expansion::LoopIteration);
    scopes.emplace_back();
    loopIndices.push_back(i);
    Binding v;
    v.num = Num{true, i, 0};
    bind(s.name, v, s.nameLoc);
    runBody(s.body, body);
    loopIndices.pop_back();
    scopes.pop_back();
  }
}

void Elaborator::runInput(const Stmt &s, const Body &body) {
  switch (body.kind) {
  case BodyKind::Model:
    break;
  case BodyKind::Block:
    throw CompileError(s.loc, "'input' declares the model input and is not "
                              "allowed inside a block",
                       "inside a block, the name 'input' already is the "
                       "tensor entering the block");
  case BodyKind::Stack:
    throw notInStack(s);
  }
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
  checkActivation(s.loc, "the model input", model.input.c, model.input.h,
                  model.input.w, "give the input as [channels, height, width]");
  haveInput = true;
  Binding b;
  b.kind = Binding::Kind::Tensor;
  b.tensor = -1;
  bind("input", b, s.loc);
}

void Elaborator::runLoss(const Stmt &s, const Body &body) {
  switch (body.kind) {
  case BodyKind::Model:
    break;
  case BodyKind::Block:
    throw CompileError(s.loc, "'loss' belongs to the model, not to a block");
  case BodyKind::Stack:
    throw notInStack(s);
  }
  if (model.loss) {
    CompileError err(s.loc, "the loss is declared twice");
    err.notes.push_back({lossLoc, "first declared here"});
    throw err;
  }
  std::optional<Loss> loss = parseKind<Loss>(s.name);
  if (!loss)
    throw CompileError(s.nameLoc, "unknown loss '" + s.name + "'" +
                                      didYouMean(s.name, kindWords<Loss>()),
                       "the supported loss is " + joinWords(kindWords<Loss>()));
  switch (*loss) {
  case Loss::CrossEntropy: {
    const Shape &out = model.outputShape();
    if (out.h != 1 || out.w != 1)
      throw CompileError(s.loc,
                         "cross_entropy needs logits of shape [K, 1, 1], "
                         "but the model ends with shape " + out.str(),
                         "end the model with global_avgpool or linear(K)");
    break;
  }
  }
  model.loss = *loss;
  lossLoc = s.loc;
  model.lossLoc = s.loc;
}

void Elaborator::runPenalty(const Stmt &s, const Body &body) {
  switch (body.kind) {
  case BodyKind::Model:
  case BodyKind::Block:
    break;
  case BodyKind::Stack:
    throw notInStack(s);
  }
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
  p.loc = e.loc;
  std::map<std::string, const Expr *> a;
  switch (p.kind) {
  case PenaltyKind::L1:
    a = bindArgs(e, kindWord(p.kind), {"code", "weight"}, 2);
    break;
  }
  p.tensor = lookupTensor(*a["code"], "the penalised code");
  p.name = p.tensor < 0 ? std::string("input") : model.layers[p.tensor].name;
  p.weight = evalReal(*a["weight"]);
  if (!(p.weight >= 0) || !std::isfinite(p.weight))
    throw CompileError(a["weight"]->loc, "penalty weight must be a finite "
                                         "number >= 0");
  model.penalties.push_back(p);
}

void Elaborator::listStackLevel(const Stmt &s, const Body &body) {
  if (!s.name.empty() || s.hasBody)
    throw CompileError(s.loc, "a stack body lists dictionaries only",
                       "write one dictionary per line, e.g. [identity, "
                       "conv(12, 3, padding = 1)];");
  // Flatten the visible scopes into one frame for later evaluation.
  Frame env;
  for (const auto &sc : scopes)
    for (const auto &[n, b] : sc)
      env[n] = b;
  body.levels->push_back({s.expr.get(), std::move(env)});
}

void Elaborator::checkLayerNameUnused(const Stmt &s) {
  std::string path = userLayerPath(s.name);
  auto it = layerNames.find(path);
  if (it == layerNames.end())
    return;
  CompileError err(s.nameLoc, "layer name '" + s.name + "' is used twice");
  err.notes.push_back({it->second, "first used here"});
  throw err;
}

void Elaborator::runBlockCall(const Stmt &s, const Expr &call,
                              const BlockDecl &b) {
  countExpansion(call.loc, Expansion::BlockCall);
  countEvaluation(call.loc, formalNodes(b.formals));
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
    checkLayerNameUnused(s);
    layerNames[userLayerPath(s.name)] = s.nameLoc;
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
    runBody(b.body, Body{BodyKind::Block});
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

} // namespace sema
} // namespace cscc
