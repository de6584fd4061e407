//===- AST.h - Abstract syntax of the .csc language -----------------------===//
//
// The AST is what the parser saw, before any evaluation: loops, blocks,
// named dictionaries and parameters are still there. Sema elaborates it into
// a Model (Model.h).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_FRONTEND_AST_H
#define CSCC_FRONTEND_AST_H

#include "cscc/Frontend/Diagnostics.h"

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace cscc {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// `value` or `name = value` in a call.
struct Arg {
  std::string name; ///< empty for a positional argument
  Location nameLoc;
  ExprPtr value;
};

struct Expr {
  enum class Kind { Int, Real, String, Name, Call, List, Binary, Unary };
  Kind kind;
  Location loc;
  int64_t intValue = 0;
  double realValue = 0;
  std::string text;           ///< name, callee, string contents, operator
  std::vector<Arg> args;      ///< Call
  std::vector<ExprPtr> elems; ///< List elements; Binary/Unary operands
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = std::vector<StmtPtr>;

struct Stmt {
  enum class Kind { Layer, Let, For, If, Input, Loss, Penalty };
  Kind kind;
  Location loc;
  std::string name; ///< Layer: output name (optional); Let/For: variable;
                    ///< Loss: loss kind; Penalty: penalty kind
  Location nameLoc;
  ExprPtr expr;     ///< Layer/Let value, For begin, If condition, Input shape,
                    ///< Penalty call
  ExprPtr expr2;    ///< For end
  StmtList body;    ///< For/If body; Layer: the body of `stack(...) { }`
  bool hasBody = false;
  StmtList elseBody;
};

/// A formal parameter of a block or named dictionary.
struct Formal {
  std::string name;
  Location loc;
  ExprPtr defaultValue; ///< may be null
};

struct ParamDecl {
  std::string name;
  Location loc;
  ExprPtr value;
};

struct DictDecl {
  std::string name;
  Location loc;
  std::vector<Formal> formals;
  ExprPtr value;
};

struct BlockDecl {
  std::string name;
  Location loc;
  std::vector<Formal> formals;
  StmtList body;
};

struct ModelDecl {
  std::string name;
  Location loc;
  StmtList body;
};

struct Setting {
  std::string key;
  Location loc;
  ExprPtr value;
};

struct TrainDecl {
  Location loc;
  std::vector<Setting> settings;
};

/// Everything read from a file and the files it includes, in order.
struct Module {
  std::vector<ParamDecl> params;
  std::vector<DictDecl> dicts;
  std::vector<BlockDecl> blocks;
  std::vector<ModelDecl> models;
  std::vector<TrainDecl> trains;
};

/// Writes the AST as an indented tree (`cscc --emit=ast`).
void dumpAST(const Module &module, const SourceManager &sm, std::ostream &os);
/// Writes an expression back as source text.
std::string exprToString(const Expr &e);

} // namespace cscc

#endif
