//===- SemaExpr.cpp - Names, numbers, words and call arguments ------------===//
//
// Values are evaluated by context: a number where a number is expected
// (evalNum), a word where an option takes a word (evalWord / evalKind), a
// tensor where a tensor is named (lookupTensor).
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"

#include <algorithm>
#include <cmath>

namespace cscc {
namespace sema {

//===----------------------------------------------------------------------===//
// Scopes
//===----------------------------------------------------------------------===//

const Binding *Elaborator::lookup(const std::string &name) const {
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    auto f = it->find(name);
    if (f != it->end())
      return &f->second;
  }
  return nullptr;
}

std::vector<std::string> Elaborator::visibleNames(bool numbers,
                                                  bool tensors) const {
  std::vector<std::string> out;
  for (const auto &s : scopes)
    for (const auto &[n, b] : s)
      if ((numbers && b.kind == Binding::Kind::Number) ||
          (tensors && b.kind == Binding::Kind::Tensor))
        out.push_back(n);
  return out;
}

void Elaborator::bind(const std::string &name, Binding b, Location loc) {
  if (std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end() &&
      name != "input")
    throw CompileError(loc, "'" + name + "' is a keyword and cannot be used "
                            "as a name");
  b.loc = loc;
  scopes.back()[name] = std::move(b);
}

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


int64_t Elaborator::evalInt(const Expr &e, const std::string &what) {
  Num n = evalNum(e);
  if (!n.isInt) {
    if (n.r == std::floor(n.r) && std::fabs(n.r) < 9e15)
      return static_cast<int64_t>(n.r);
    throw CompileError(e.loc, what + " must be an integer, got " + n.str());
  }
  return n.i;
}

bool Elaborator::evalBool(const Expr &e, const std::string &what) {
  if (e.kind == Expr::Kind::Name && !lookup(e.text) && e.text != "true" &&
      e.text != "false")
    throw CompileError(e.loc, "expected true or false for " + what +
                                  ", found '" + e.text + "'");
  return evalNum(e).real() != 0;
}

int64_t Elaborator::evalIntAtLeast(const Expr &e, const std::string &what,
                                   int64_t min, const std::string &help) {
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

//===----------------------------------------------------------------------===//
// Words
//===----------------------------------------------------------------------===//

std::string Elaborator::evalWord(const Expr &e, const std::string &option,
                                 const std::vector<std::string> &allowed) {
  std::string w;
  if (e.kind == Expr::Kind::Name) {
    // A block's argument may stand for a word (`b(relu)`).
    const Binding *b = lookup(e.text);
    w = b && b->kind == Binding::Kind::Word ? b->text : e.text;
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

std::string Elaborator::joinWords(const std::vector<std::string> &ws,
                                  const char *last) {
  std::string s;
  for (size_t i = 0; i < ws.size(); ++i) {
    if (i)
      s += i + 1 == ws.size() ? std::string(" ") + last + " " : ", ";
    s += "'" + ws[i] + "'";
  }
  return s;
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

std::map<std::string, const Expr *>
Elaborator::bindArgs(const Expr &call, const std::string &callee,
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
      throw CompileError(a.nameLoc, "argument '" + a.name + "' of '" + callee +
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

std::string Elaborator::joinArgs(const std::vector<std::string> &n, size_t k) {
  std::string s;
  for (size_t i = 0; i < k; ++i)
    s += (i ? ", " : "") + n[i];
  return s;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

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

} // namespace sema
} // namespace cscc
