//===- Parser.cpp - Recursive-descent parser for .csc files ---------------===//
//
// Grammar (docs/language.md is the user-facing reference):
//   file    := item*
//   item    := 'include' STRING ';' | 'param' NAME '=' expr ';'
//            | 'dict' NAME ['(' formals ')'] '=' expr ';'
//            | 'block' NAME '(' [formals] ')' '{' stmt* '}'
//            | 'model' NAME '{' stmt* '}' | 'train' '{' (NAME '=' expr ';')* '}'
//   stmt    := 'let' NAME '=' expr ';' | 'for' NAME 'in' expr '..' expr block
//            | 'if' expr block ['else' (stmt-if | block)]
//            | 'input' expr ';' | 'loss' NAME ';' | 'penalty' expr ';'
//            | [NAME '='] expr [block] ';'
//   expr    := or ('>>' or)*      (composition of dictionary blocks)
//   or := and ('||' and)*  and := cmp ('&&' cmp)*  cmp := add [cmpop add]
//   add := mul (('+'|'-') mul)*   mul := unary (('*'|'/'|'%') unary)*
//   unary := ('-'|'!') unary | primary
//   primary := INT | REAL | STRING | NAME ['(' args ')'] | '(' expr ')'
//            | '[' [expr (',' expr)*] ']'
//===----------------------------------------------------------------------===//
#include "cscc/Frontend/Parser.h"

#include <algorithm>
#include <filesystem>
#include <optional>

namespace cscc {
namespace {

const std::vector<std::string> kItemKeywords = {"include", "param", "dict",
                                                "block", "model", "train"};

class Parser {
public:
  Parser(SourceManager &sm, int file, Module &module,
         std::vector<int> &includeStack)
      : sm(sm), file(file), module(module), includeStack(includeStack),
        toks(lex(sm, file)) {}

  void parseFileItems() {
    while (!at(Tok::Eof))
      parseItem();
  }

private:
  SourceManager &sm;
  int file;
  Module &module;
  std::vector<int> &includeStack;
  std::vector<Token> toks;
  size_t pos = 0;

  /// Nesting of expressions and statements is bounded so that no input can
  /// exhaust the stack of this recursive-descent parser (or of the
  /// elaborator that walks the tree it builds).
  static constexpr int kMaxNesting = 200;
  int nesting = 0;
  /// Of `nesting`, the levels that operators of unfinished chains add: a
  /// chain (`a + b + c` is `(a + b) + c`) builds a tree as deep as it is
  /// long, so each operator counts as one level until the chain ends, and
  /// a long sum cannot exhaust the stack either (of the elaborator, the
  /// AST dump or the tree's destructor).
  int chainLinks = 0;
  [[noreturn]] void tooDeep(Location loc) const {
    if (chainLinks > 0)
      throw CompileError(loc,
                         "expression nested too deeply (more than " +
                             std::to_string(kMaxNesting) +
                             " levels, each operator of a chain such as "
                             "a + b + c counting as one)",
                         "split the expression with 'let' bindings");
    throw CompileError(loc,
                       "nested too deeply (more than " +
                           std::to_string(kMaxNesting) + " levels)",
                       "split the expression or use a 'let' binding");
  }
  struct NestingGuard {
    Parser &p;
    explicit NestingGuard(Parser &p) : p(p) {
      if (p.nesting + 1 > kMaxNesting)
        p.tooDeep(p.cur().loc);
      ++p.nesting;
    }
    ~NestingGuard() { --p.nesting; }
  };
  struct ChainGuard {
    Parser &p;
    int links = 0;
    explicit ChainGuard(Parser &p) : p(p) {}
    void add(const Token &op) {
      if (p.nesting + 1 > kMaxNesting)
        p.tooDeep(op.loc);
      ++p.nesting;
      ++p.chainLinks;
      ++links;
    }
    ~ChainGuard() {
      p.nesting -= links;
      p.chainLinks -= links;
    }
  };

  const Token &cur() const { return toks[pos]; }
  const Token &peek(size_t n = 1) const {
    return toks[std::min(pos + n, toks.size() - 1)];
  }
  bool at(Tok k) const { return cur().kind == k; }
  bool atKeyword(const char *kw) const {
    return cur().kind == Tok::Ident && cur().text == kw;
  }
  Token take() { return toks[pos < toks.size() - 1 ? pos++ : pos]; }

  /// "expected WHAT, found TOKEN" at `where` (the current token by default).
  [[noreturn]] void fail(const std::string &what, std::string help = {},
                         std::optional<Location> where = std::nullopt) {
    throw CompileError(where.value_or(cur().loc),
                       "expected " + what + ", found " + describe(cur()),
                       std::move(help));
  }
  Token expect(Tok k, const std::string &context = {}) {
    if (!at(k)) {
      std::string help;
      std::optional<Location> where;
      if (k == Tok::Semi) {
        help = "every statement ends with ';'";
        // Like clang: point just past the previous token when the ';' is
        // missing at the end of a line, not at the next line's first token.
        const Token &prev = toks[pos ? pos - 1 : 0];
        if (pos && (at(Tok::Eof) || prev.end.line != cur().loc.line))
          where = prev.end;
      }
      fail(tokenName(k) + (context.empty() ? "" : " " + context), help, where);
    }
    return take();
  }
  Token expectName(const std::string &what) {
    if (!at(Tok::Ident))
      fail(what);
    return take();
  }

  void parseItem() {
    if (!at(Tok::Ident))
      fail("'model', 'param', 'dict', 'block', 'train' or 'include'");
    const std::string kw = cur().text;
    if (kw == "include")
      return parseInclude();
    if (kw == "param") {
      take();
      ParamDecl p;
      Token n = expectName("a parameter name after 'param'");
      p.name = n.text;
      p.loc = n.loc;
      expect(Tok::Assign, "after the parameter name (a default value is "
                          "required)");
      p.value = parseExpr();
      expect(Tok::Semi);
      module.params.push_back(std::move(p));
      return;
    }
    if (kw == "dict") {
      take();
      DictDecl d;
      Token n = expectName("a dictionary name after 'dict'");
      d.name = n.text;
      d.loc = n.loc;
      if (at(Tok::LParen))
        d.formals = parseFormals();
      expect(Tok::Assign, "after the dictionary name");
      d.value = parseExpr();
      expect(Tok::Semi);
      module.dicts.push_back(std::move(d));
      return;
    }
    if (kw == "block") {
      take();
      BlockDecl b;
      Token n = expectName("a block name after 'block'");
      b.name = n.text;
      b.loc = n.loc;
      if (!at(Tok::LParen))
        fail("'(' after the block name", "a block without arguments is "
                                          "written 'block " + n.text + "() { ... }'");
      b.formals = parseFormals();
      b.body = parseBlockBody();
      module.blocks.push_back(std::move(b));
      return;
    }
    if (kw == "model") {
      take();
      ModelDecl m;
      Token n = expectName("a model name after 'model'");
      m.name = n.text;
      m.loc = n.loc;
      m.body = parseBlockBody();
      module.models.push_back(std::move(m));
      return;
    }
    if (kw == "train") {
      TrainDecl t;
      t.loc = take().loc;
      expect(Tok::LBrace, "after 'train'");
      while (!at(Tok::RBrace)) {
        if (at(Tok::Eof))
          fail("'}' to close the train section");
        Setting s;
        Token k = expectName("a setting name such as 'epochs'");
        s.key = k.text;
        s.loc = k.loc;
        expect(Tok::Assign, "after the setting name");
        s.value = parseExpr();
        expect(Tok::Semi);
        t.settings.push_back(std::move(s));
      }
      take();
      module.trains.push_back(std::move(t));
      return;
    }
    throw CompileError(cur().loc,
                       "expected 'model', 'param', 'dict', 'block', 'train' "
                       "or 'include' at the top level, found " +
                           describe(cur()) + didYouMean(kw, kItemKeywords),
                       "layers belong inside 'model NAME { ... }' or a block");
  }

  void parseInclude() {
    Location kwLoc = take().loc;
    if (!at(Tok::String))
      fail("a file name in quotes after 'include'");
    Token pathTok = take();
    expect(Tok::Semi);
    namespace fs = std::filesystem;
    fs::path base = fs::path(sm.path(file)).parent_path();
    fs::path target = fs::path(pathTok.text).is_absolute()
                          ? fs::path(pathTok.text)
                          : base / pathTok.text;
    std::error_code ec;
    std::string canonical = fs::weakly_canonical(target, ec).string();
    if (ec)
      canonical = target.string();
    int existing = sm.findFile(canonical);
    if (existing >= 0) {
      if (std::find(includeStack.begin(), includeStack.end(), existing) !=
          includeStack.end()) {
        CompileError err(pathTok.loc, "include cycle: '" + pathTok.text +
                                          "' is already being read",
                         "remove one of the includes");
        throw err;
      }
      return; // read once
    }
    if (fs::is_directory(target, ec))
      throw CompileError(pathTok.loc, "cannot include '" + target.string() +
                                          "': it is a directory");
    std::string why;
    int id = sm.addFile(target.string(), &why);
    if (id < 0 && !why.empty())
      throw CompileError(pathTok.loc, "cannot include '" + target.string() +
                                          "': " + why,
                         "an include names a .csc source file");
    if (id < 0)
      throw CompileError(pathTok.loc, "cannot read included file '" +
                                          target.string() + "'",
                         "paths are relative to the including file");
    (void)kwLoc;
    parseInto(sm, id, module, includeStack);
  }

  std::vector<Formal> parseFormals() {
    expect(Tok::LParen);
    std::vector<Formal> out;
    if (!at(Tok::RParen)) {
      while (true) {
        Formal f;
        Token n = expectName("an argument name");
        f.name = n.text;
        f.loc = n.loc;
        for (const auto &o : out)
          if (o.name == f.name)
            throw CompileError(n.loc, "argument '" + f.name +
                                          "' is declared twice");
        if (at(Tok::Assign)) {
          take();
          f.defaultValue = parseExpr();
        } else if (!out.empty() && out.back().defaultValue) {
          throw CompileError(n.loc, "argument '" + f.name +
                                        "' has no default but follows one "
                                        "that has",
                             "put arguments with defaults last");
        }
        out.push_back(std::move(f));
        if (at(Tok::Comma)) {
          take();
          continue;
        }
        break;
      }
    }
    expect(Tok::RParen, "to close the argument list");
    return out;
  }

  StmtList parseBlockBody() {
    expect(Tok::LBrace);
    StmtList out;
    while (!at(Tok::RBrace)) {
      if (at(Tok::Eof))
        fail("'}'", "a '{' is not closed");
      out.push_back(parseStmt());
    }
    take();
    return out;
  }

  StmtPtr parseStmt() {
    NestingGuard guard(*this);
    auto s = std::make_unique<Stmt>();
    s->loc = cur().loc;
    if (atKeyword("let")) {
      take();
      s->kind = Stmt::Kind::Let;
      Token n = expectName("a name after 'let'");
      s->name = n.text;
      s->nameLoc = n.loc;
      expect(Tok::Assign, "after the name");
      s->expr = parseExpr();
      expect(Tok::Semi);
      return s;
    }
    if (atKeyword("for")) {
      take();
      s->kind = Stmt::Kind::For;
      Token n = expectName("a loop variable after 'for'");
      s->name = n.text;
      s->nameLoc = n.loc;
      if (!atKeyword("in"))
        fail("'in' after the loop variable", "write 'for i in 0..n { ... }'");
      take();
      s->expr = parseExpr();
      expect(Tok::DotDot, "in the loop range (write 'a..b')");
      s->expr2 = parseExpr();
      s->body = parseBlockBody();
      return s;
    }
    if (atKeyword("if")) {
      take();
      s->kind = Stmt::Kind::If;
      s->expr = parseExpr();
      s->body = parseBlockBody();
      if (atKeyword("else")) {
        take();
        if (atKeyword("if"))
          s->elseBody.push_back(parseStmt());
        else
          s->elseBody = parseBlockBody();
      }
      return s;
    }
    if (atKeyword("input") && !(peek().kind == Tok::Assign)) {
      take();
      s->kind = Stmt::Kind::Input;
      s->expr = parseExpr();
      expect(Tok::Semi);
      return s;
    }
    if (atKeyword("loss") && peek().kind == Tok::Ident) {
      take();
      s->kind = Stmt::Kind::Loss;
      Token n = take();
      s->name = n.text;
      s->nameLoc = n.loc;
      expect(Tok::Semi);
      return s;
    }
    if (atKeyword("penalty")) {
      take();
      s->kind = Stmt::Kind::Penalty;
      s->expr = parseExpr();
      expect(Tok::Semi);
      return s;
    }
    s->kind = Stmt::Kind::Layer;
    if (at(Tok::Ident) && peek().kind == Tok::Assign) {
      Token n = take();
      s->name = n.text;
      s->nameLoc = n.loc;
      take();
    }
    s->expr = parseExpr();
    if (at(Tok::LBrace)) {
      s->hasBody = true;
      s->body = parseBlockBody();
      if (at(Tok::Semi))
        take();
      return s;
    }
    expect(Tok::Semi, "after the layer");
    return s;
  }

  ExprPtr makeBinary(const Token &op, ExprPtr l, ExprPtr r) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::Binary;
    e->loc = op.loc;
    e->text = op.text;
    e->elems.push_back(std::move(l));
    e->elems.push_back(std::move(r));
    return e;
  }

  ExprPtr parseExpr() {
    ChainGuard chain(*this);
    ExprPtr l = parseOr();
    while (at(Tok::Compose)) {
      Token op = take();
      chain.add(op);
      l = makeBinary(op, std::move(l), parseOr());
    }
    return l;
  }
  ExprPtr parseOr() {
    ChainGuard chain(*this);
    ExprPtr l = parseAnd();
    while (at(Tok::OrOr)) {
      Token op = take();
      chain.add(op);
      l = makeBinary(op, std::move(l), parseAnd());
    }
    return l;
  }
  ExprPtr parseAnd() {
    ChainGuard chain(*this);
    ExprPtr l = parseCmp();
    while (at(Tok::AndAnd)) {
      Token op = take();
      chain.add(op);
      l = makeBinary(op, std::move(l), parseCmp());
    }
    return l;
  }
  ExprPtr parseCmp() {
    ExprPtr l = parseAdd();
    if (at(Tok::Eq) || at(Tok::Ne) || at(Tok::Lt) || at(Tok::Le) ||
        at(Tok::Gt) || at(Tok::Ge)) {
      Token op = take();
      l = makeBinary(op, std::move(l), parseAdd());
    }
    return l;
  }
  ExprPtr parseAdd() {
    ChainGuard chain(*this);
    ExprPtr l = parseMul();
    while (at(Tok::Plus) || at(Tok::Minus)) {
      Token op = take();
      chain.add(op);
      l = makeBinary(op, std::move(l), parseMul());
    }
    return l;
  }
  ExprPtr parseMul() {
    ChainGuard chain(*this);
    ExprPtr l = parseUnary();
    while (at(Tok::Star) || at(Tok::Slash) || at(Tok::Percent)) {
      Token op = take();
      chain.add(op);
      l = makeBinary(op, std::move(l), parseUnary());
    }
    return l;
  }
  ExprPtr parseUnary() {
    NestingGuard guard(*this);
    if (at(Tok::Minus) || at(Tok::Not)) {
      Token op = take();
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::Unary;
      e->loc = op.loc;
      e->text = op.text;
      e->elems.push_back(parseUnary());
      return e;
    }
    return parsePrimary();
  }
  ExprPtr parsePrimary() {
    auto e = std::make_unique<Expr>();
    e->loc = cur().loc;
    switch (cur().kind) {
    case Tok::Int:
      e->kind = Expr::Kind::Int;
      e->intValue = cur().intValue;
      e->text = take().text;
      return e;
    case Tok::Real:
      e->kind = Expr::Kind::Real;
      e->realValue = cur().realValue;
      e->text = take().text;
      return e;
    case Tok::String:
      e->kind = Expr::Kind::String;
      e->text = take().text;
      return e;
    case Tok::Ident: {
      e->text = take().text;
      if (!at(Tok::LParen)) {
        e->kind = Expr::Kind::Name;
        return e;
      }
      e->kind = Expr::Kind::Call;
      take();
      if (!at(Tok::RParen)) {
        while (true) {
          Arg a;
          if (at(Tok::Ident) && peek().kind == Tok::Assign) {
            Token n = take();
            a.name = n.text;
            a.nameLoc = n.loc;
            take();
            for (const auto &prev : e->args)
              if (prev.name == a.name)
                throw CompileError(n.loc, "argument '" + a.name +
                                              "' is given twice");
          } else if (!e->args.empty() && !e->args.back().name.empty()) {
            throw CompileError(cur().loc,
                               "positional argument after a named one",
                               "put positional arguments first");
          }
          a.value = parseExpr();
          if (a.nameLoc.file < 0)
            a.nameLoc = a.value->loc;
          e->args.push_back(std::move(a));
          if (at(Tok::Comma)) {
            take();
            continue;
          }
          break;
        }
      }
      expect(Tok::RParen, "to close the call to '" + e->text + "'");
      return e;
    }
    case Tok::LParen: {
      take();
      ExprPtr inner = parseExpr();
      expect(Tok::RParen);
      return inner;
    }
    case Tok::LBracket: {
      take();
      e->kind = Expr::Kind::List;
      if (!at(Tok::RBracket)) {
        while (true) {
          e->elems.push_back(parseExpr());
          if (at(Tok::Comma)) {
            take();
            if (at(Tok::RBracket))
              break; // trailing comma
            continue;
          }
          break;
        }
      }
      expect(Tok::RBracket, "to close the list");
      return e;
    }
    default:
      fail("an expression");
    }
  }
};

} // namespace

void parseInto(SourceManager &sm, int file, Module &module,
               std::vector<int> &includeStack) {
  if (includeStack.size() > 64)
    throw CompileError(Location{file, 1, 1}, "includes nested too deeply");
  includeStack.push_back(file);
  Parser p(sm, file, module, includeStack);
  p.parseFileItems();
  includeStack.pop_back();
}

Module parseFile(SourceManager &sm, const std::string &path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw CompileError(Location{}, "'" + path + "' is a directory, not a .csc file");
  std::string why;
  int id = sm.addFile(path, &why);
  if (id < 0 && !why.empty())
    throw CompileError(Location{}, "cannot read '" + path + "': " + why,
                       "name a .csc source file");
  if (id < 0)
    throw CompileError(Location{}, "cannot read '" + path + "'",
                       "check the path and permissions");
  Module m;
  std::vector<int> stack;
  parseInto(sm, id, m, stack);
  return m;
}

} // namespace cscc
