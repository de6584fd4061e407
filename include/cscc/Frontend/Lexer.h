//===- Lexer.h - Tokens of the .csc language ------------------------------===//
#ifndef CSCC_FRONTEND_LEXER_H
#define CSCC_FRONTEND_LEXER_H

#include "cscc/Frontend/Diagnostics.h"

#include <string>
#include <vector>

namespace cscc {

enum class Tok {
  Eof,
  Ident,
  Int,
  Real,
  String,
  LParen, RParen, LBracket, RBracket, LBrace, RBrace,
  Comma, Semi, Assign, DotDot, Compose, // >>
  Plus, Minus, Star, Slash, Percent,
  Eq, Ne, Lt, Le, Gt, Ge, AndAnd, OrOr, Not,
};

struct Token {
  Tok kind = Tok::Eof;
  std::string text; ///< identifier, string contents or number spelling
  int64_t intValue = 0;
  double realValue = 0;
  Location loc;
  Location end; ///< just past the token's last character
};

/// Human-readable token kind for "expected X, found Y" messages.
std::string tokenName(Tok kind);
std::string describe(const Token &tok);

/// Splits one file into tokens; throws CompileError on a bad character,
/// an unterminated string or comment, or an integer that does not fit.
std::vector<Token> lex(const SourceManager &sm, int file);

} // namespace cscc

#endif
