//===- Sema.cpp - Elaboration: declarations, overrides, the model ---------===//
//
// The driver of elaboration (SemaImpl.h describes the interpreter): the
// module's declarations, the -D overrides and parameters, the chosen model's
// body, then the train section.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"
#include "cscc/Frontend/Lexer.h"
#include "cscc/Frontend/Parser.h"

#include <algorithm>
#include <memory>

namespace cscc {
namespace sema {

void Elaborator::remapOverrideError(CompileError &err) {
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

void Elaborator::countExpansion(Location loc, Expansion what) {
  if (++totalExpansions <= kMaxTotalExpansions)
    return;
  std::string help;
  switch (what) {
  case Expansion::LoopIteration:
    help = "nested loops multiply; make them shorter";
    break;
  case Expansion::BlockCall:
    help = "each call expands the block's body again, so blocks that call "
           "blocks several times multiply; call them fewer times or use a "
           "shorter 'for' loop";
    break;
  case Expansion::DictionaryUse:
    help = "each use expands the dictionary again, so dictionaries that "
           "list named dictionaries several times multiply; list fewer";
    break;
  }
  throw CompileError(loc, "the model expands to more than " +
                              std::to_string(kMaxTotalExpansions) +
                              " loop iterations, block calls and dictionary "
                              "uses",
                     help);
}

void Elaborator::checkActivation(Location loc, const std::string &what,
                                 long double c, long double h,
                                 long double w, const char *help) const {
  long double n = c * h * w;
  if (n <= kMaxActivationElements)
    return;
  auto text = [](long double v) {
    return std::to_string(static_cast<unsigned long long>(v));
  };
  throw CompileError(
      loc,
      layerPrefix() + what + " would have " + text(c) + " x " + text(h) +
          " x " + text(w) + " = " + text(n) +
          " elements per image, more than the limit of " +
          text(kMaxActivationElements) + " (8 GiB in float32)",
      help);
}

void Elaborator::countEvaluation(Location loc, int64_t steps) {
  evaluationSteps += steps;
  if (evaluationSteps <= kMaxEvaluationSteps)
    return;
  throw CompileError(loc, "the model takes more than " +
                              std::to_string(kMaxEvaluationSteps) +
                              " evaluation steps (statements run and the "
                              "expression nodes in them)",
                     "loops and block calls run their bodies again each "
                     "time; shorten the loop, or the statements and "
                     "expressions it repeats");
}

int64_t exprNodes(const Expr *e) {
  if (!e)
    return 0;
  int64_t n = 1;
  for (const Arg &a : e->args)
    n += exprNodes(a.value.get());
  for (const ExprPtr &el : e->elems)
    n += exprNodes(el.get());
  return n;
}

int64_t formalNodes(const std::vector<Formal> &formals) {
  int64_t n = 0;
  for (const Formal &f : formals)
    n += 1 + exprNodes(f.defaultValue.get());
  return n;
}

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
    // A parameter is a number, or a word passed on to an option that takes
    // one (`param solver = fista;`, `-D solver=ista`): a bare name that is
    // not bound, the rule block arguments follow. An override keeps the
    // default's kind: a number's override is evaluated as a number (an
    // unknown name there is an error with a did-you-mean).
    auto evalParam = [&](const Expr &e) {
      Binding b;
      if (e.kind == Expr::Kind::Name && !lookup(e.text) && e.text != "true" &&
          e.text != "false") {
        b.kind = Binding::Kind::Word;
        b.text = e.text;
      } else {
        b.num = evalNum(e);
      }
      return b;
    };
    Binding b;
    auto it = overrideExprs.find(p.name);
    try {
      b = evalParam(*p.value);
      if (it != overrideExprs.end() && b.kind != Binding::Kind::Word) {
        b.num = evalNum(*it->second);
      } else if (it != overrideExprs.end()) {
        Binding o = evalParam(*it->second);
        if (o.kind != Binding::Kind::Word)
          throw CompileError(it->second->loc,
                             "-D " + p.name + ": the parameter is the word '" +
                                 b.text + "' (an option's value), and the "
                                 "override is a number",
                             "give a word, e.g. -D " + p.name + "=" + b.text);
        b = o;
      }
    } catch (CompileError &err) {
      remapOverrideError(err);
      throw;
    }
    scopes.back()[p.name] = b;
    scopes.back()[p.name].loc = p.loc;
    model.params.push_back(
        {p.name, b.kind == Binding::Kind::Word ? b.text : b.num.str()});
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
  runBody(md->body, Body{BodyKind::Model});
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

} // namespace sema

Model elaborate(const Module &module, SourceManager &sm,
                const std::vector<ParamOverride> &overrides,
                const std::string &modelName) {
  sema::Elaborator e(module, sm);
  return e.run(overrides, modelName);
}

} // namespace cscc
