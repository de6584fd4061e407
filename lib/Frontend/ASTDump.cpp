//===- ASTDump.cpp - Text form of the AST (cscc --emit=ast) ---------------===//
#include "cscc/Frontend/AST.h"

#include <sstream>

namespace cscc {

std::string exprToString(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Int:
  case Expr::Kind::Real:
    return e.text;
  case Expr::Kind::String:
    return "\"" + e.text + "\"";
  case Expr::Kind::Name:
    return e.text;
  case Expr::Kind::Call: {
    std::string s = e.text + "(";
    for (size_t i = 0; i < e.args.size(); ++i) {
      if (i)
        s += ", ";
      if (!e.args[i].name.empty())
        s += e.args[i].name + " = ";
      s += exprToString(*e.args[i].value);
    }
    return s + ")";
  }
  case Expr::Kind::List: {
    std::string s = "[";
    for (size_t i = 0; i < e.elems.size(); ++i)
      s += (i ? ", " : "") + exprToString(*e.elems[i]);
    return s + "]";
  }
  case Expr::Kind::Binary:
    return "(" + exprToString(*e.elems[0]) + " " + e.text + " " +
           exprToString(*e.elems[1]) + ")";
  case Expr::Kind::Unary:
    return e.text + exprToString(*e.elems[0]);
  }
  return "?";
}

namespace {
std::string at(const Location &l) {
  return " <" + std::to_string(l.line) + ":" + std::to_string(l.col) + ">";
}

void dumpStmts(const StmtList &body, std::ostream &os, int depth);

void dumpStmt(const Stmt &s, std::ostream &os, int depth) {
  std::string ind(depth * 2, ' ');
  switch (s.kind) {
  case Stmt::Kind::Layer:
    os << ind << "Layer " << (s.name.empty() ? "" : s.name + " = ")
       << exprToString(*s.expr) << at(s.loc) << "\n";
    if (s.hasBody)
      dumpStmts(s.body, os, depth + 1);
    return;
  case Stmt::Kind::Let:
    os << ind << "Let " << s.name << " = " << exprToString(*s.expr)
       << at(s.loc) << "\n";
    return;
  case Stmt::Kind::For:
    os << ind << "For " << s.name << " in " << exprToString(*s.expr) << " .. "
       << exprToString(*s.expr2) << at(s.loc) << "\n";
    dumpStmts(s.body, os, depth + 1);
    return;
  case Stmt::Kind::If:
    os << ind << "If " << exprToString(*s.expr) << at(s.loc) << "\n";
    dumpStmts(s.body, os, depth + 1);
    if (!s.elseBody.empty()) {
      os << ind << "Else\n";
      dumpStmts(s.elseBody, os, depth + 1);
    }
    return;
  case Stmt::Kind::Input:
    os << ind << "Input " << exprToString(*s.expr) << at(s.loc) << "\n";
    return;
  case Stmt::Kind::Loss:
    os << ind << "Loss " << s.name << at(s.loc) << "\n";
    return;
  case Stmt::Kind::Penalty:
    os << ind << "Penalty " << exprToString(*s.expr) << at(s.loc) << "\n";
    return;
  }
}

void dumpStmts(const StmtList &body, std::ostream &os, int depth) {
  for (const auto &s : body)
    dumpStmt(*s, os, depth);
}

std::string formals(const std::vector<Formal> &fs) {
  std::string s = "(";
  for (size_t i = 0; i < fs.size(); ++i) {
    s += (i ? ", " : "") + fs[i].name;
    if (fs[i].defaultValue)
      s += " = " + exprToString(*fs[i].defaultValue);
  }
  return s + ")";
}
} // namespace

void dumpAST(const Module &m, const SourceManager &sm, std::ostream &os) {
  (void)sm;
  os << "Module\n";
  for (const auto &p : m.params)
    os << "  Param " << p.name << " = " << exprToString(*p.value) << at(p.loc)
       << "\n";
  for (const auto &d : m.dicts)
    os << "  Dict " << d.name << formals(d.formals) << " = "
       << exprToString(*d.value) << at(d.loc) << "\n";
  for (const auto &b : m.blocks) {
    os << "  Block " << b.name << formals(b.formals) << at(b.loc) << "\n";
    dumpStmts(b.body, os, 2);
  }
  for (const auto &md : m.models) {
    os << "  Model " << md.name << at(md.loc) << "\n";
    dumpStmts(md.body, os, 2);
  }
  for (const auto &t : m.trains) {
    os << "  Train" << at(t.loc) << "\n";
    for (const auto &s : t.settings)
      os << "    " << s.key << " = " << exprToString(*s.value) << at(s.loc)
         << "\n";
  }
}

} // namespace cscc
