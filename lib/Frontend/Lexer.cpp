#include "cscc/Frontend/Lexer.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace cscc {

std::string tokenName(Tok kind) {
  switch (kind) {
  case Tok::Eof: return "end of file";
  case Tok::Ident: return "a name";
  case Tok::Int: return "an integer";
  case Tok::Real: return "a number";
  case Tok::String: return "a string";
  case Tok::LParen: return "'('";
  case Tok::RParen: return "')'";
  case Tok::LBracket: return "'['";
  case Tok::RBracket: return "']'";
  case Tok::LBrace: return "'{'";
  case Tok::RBrace: return "'}'";
  case Tok::Comma: return "','";
  case Tok::Semi: return "';'";
  case Tok::Assign: return "'='";
  case Tok::DotDot: return "'..'";
  case Tok::Compose: return "'>>'";
  case Tok::Plus: return "'+'";
  case Tok::Minus: return "'-'";
  case Tok::Star: return "'*'";
  case Tok::Slash: return "'/'";
  case Tok::Percent: return "'%'";
  case Tok::Eq: return "'=='";
  case Tok::Ne: return "'!='";
  case Tok::Lt: return "'<'";
  case Tok::Le: return "'<='";
  case Tok::Gt: return "'>'";
  case Tok::Ge: return "'>='";
  case Tok::AndAnd: return "'&&'";
  case Tok::OrOr: return "'||'";
  case Tok::Not: return "'!'";
  }
  return "?";
}

std::string describe(const Token &tok) {
  switch (tok.kind) {
  case Tok::Ident: return "'" + tok.text + "'";
  case Tok::Int:
  case Tok::Real: return "number '" + tok.text + "'";
  case Tok::String: return "string \"" + tok.text + "\"";
  default: return tokenName(tok.kind);
  }
}

std::vector<Token> lex(const SourceManager &sm, int file) {
  const std::string &s = sm.text(file);
  std::vector<Token> out;
  size_t i = 0;
  int line = 1, col = 1;
  auto advance = [&](size_t n = 1) {
    for (size_t k = 0; k < n && i < s.size(); ++k, ++i) {
      if (s[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
  };
  auto here = [&] { return Location{file, line, col}; };
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      advance();
      continue;
    }
    if (c == '#' || (c == '/' && i + 1 < s.size() && s[i + 1] == '/')) {
      while (i < s.size() && s[i] != '\n')
        advance();
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      Location start = here();
      advance(2);
      while (i < s.size() && !(s[i] == '*' && i + 1 < s.size() && s[i + 1] == '/'))
        advance();
      if (i >= s.size())
        throw CompileError(start, "unterminated comment",
                           "close it with '*/'");
      advance(2);
      continue;
    }
    Token t;
    t.loc = here();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t b = i;
      while (i < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_'))
        advance();
      t.kind = Tok::Ident;
      t.text = s.substr(b, i - b);
      t.end = here();
      out.push_back(std::move(t));
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i + 1 < s.size() &&
         std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t b = i;
      bool real = false;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
        advance();
      // "1..5" is a range, not the real "1." followed by ".5".
      if (i < s.size() && s[i] == '.' && !(i + 1 < s.size() && s[i + 1] == '.')) {
        real = true;
        advance();
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
          advance();
      }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        size_t save = i;
        int sl = line, sc = col;
        advance();
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
          advance();
        if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
          real = true;
          while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            advance();
        } else {
          i = save;
          line = sl;
          col = sc;
        }
      }
      if (i < s.size() &&
          (std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_'))
        throw CompileError(here(), "invalid character '" +
                                       std::string(1, s[i]) +
                                       "' in a number",
                           "put a space or an operator between the number "
                           "and the name");
      t.text = s.substr(b, i - b);
      errno = 0;
      if (real) {
        t.kind = Tok::Real;
        t.realValue = std::strtod(t.text.c_str(), nullptr);
        if (errno == ERANGE)
          throw CompileError(t.loc, "number '" + t.text + "' is out of range");
      } else {
        t.kind = Tok::Int;
        t.intValue = std::strtoll(t.text.c_str(), nullptr, 10);
        if (errno == ERANGE)
          throw CompileError(t.loc, "integer '" + t.text +
                                        "' does not fit in 64 bits");
      }
      t.end = here();
      out.push_back(std::move(t));
      continue;
    }
    if (c == '"') {
      advance();
      std::string v;
      while (true) {
        if (i >= s.size() || s[i] == '\n')
          throw CompileError(t.loc, "unterminated string",
                             "close it with '\"' on the same line");
        if (s[i] == '"') {
          advance();
          break;
        }
        if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) {
          v += s[i + 1];
          advance(2);
          continue;
        }
        v += s[i];
        advance();
      }
      t.kind = Tok::String;
      t.text = v;
      t.end = here();
      out.push_back(std::move(t));
      continue;
    }
    auto two = [&](char a, char b) {
      return c == a && i + 1 < s.size() && s[i + 1] == b;
    };
    size_t len = 1;
    if (two('.', '.')) { t.kind = Tok::DotDot; len = 2; }
    else if (two('>', '>')) { t.kind = Tok::Compose; len = 2; }
    else if (two('=', '=')) { t.kind = Tok::Eq; len = 2; }
    else if (two('!', '=')) { t.kind = Tok::Ne; len = 2; }
    else if (two('<', '=')) { t.kind = Tok::Le; len = 2; }
    else if (two('>', '=')) { t.kind = Tok::Ge; len = 2; }
    else if (two('&', '&')) { t.kind = Tok::AndAnd; len = 2; }
    else if (two('|', '|')) { t.kind = Tok::OrOr; len = 2; }
    else {
      switch (c) {
      case '(': t.kind = Tok::LParen; break;
      case ')': t.kind = Tok::RParen; break;
      case '[': t.kind = Tok::LBracket; break;
      case ']': t.kind = Tok::RBracket; break;
      case '{': t.kind = Tok::LBrace; break;
      case '}': t.kind = Tok::RBrace; break;
      case ',': t.kind = Tok::Comma; break;
      case ';': t.kind = Tok::Semi; break;
      case '=': t.kind = Tok::Assign; break;
      case '+': t.kind = Tok::Plus; break;
      case '-': t.kind = Tok::Minus; break;
      case '*': t.kind = Tok::Star; break;
      case '/': t.kind = Tok::Slash; break;
      case '%': t.kind = Tok::Percent; break;
      case '<': t.kind = Tok::Lt; break;
      case '>': t.kind = Tok::Gt; break;
      case '!': t.kind = Tok::Not; break;
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
        std::string shown = std::isprint(static_cast<unsigned char>(c))
                                ? std::string(1, c)
                                : std::string(hex);
        throw CompileError(t.loc, "unexpected character '" + shown + "'");
      }
      }
    }
    t.text = s.substr(i, len);
    advance(len);
    t.end = here();
    out.push_back(std::move(t));
  }
  Token eof;
  eof.kind = Tok::Eof;
  eof.loc = here();
  out.push_back(eof);
  return out;
}

} // namespace cscc
