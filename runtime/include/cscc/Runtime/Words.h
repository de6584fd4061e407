//===- Words.h - The words of a kind, in one table ------------*- C++ -*-===//
//
// A kind of the runtime (optimizer, schedule, data set) is an enum; the
// words users write for it (settings, command lines, the program table)
// are one table per enum, read by these helpers, so that parsing, printing
// and the list in an error message cannot drift apart.
//
// Plain C++17, no MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_WORDS_H
#define CSCC_RUNTIME_WORDS_H

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cscc::rt {

template <typename E> struct Word {
  const char *word;
  E value;
};

/// The enum value a word names, or nothing.
template <typename E, std::size_t N>
std::optional<E> lookupWord(const Word<E> (&table)[N], std::string_view w) {
  for (const Word<E> &entry : table)
    if (w == entry.word)
      return entry.value;
  return std::nullopt;
}

/// The word of an enum value (every value has one: the tables list them
/// all, which the unit tests check).
template <typename E, std::size_t N>
const char *wordOf(const Word<E> (&table)[N], E value) {
  for (const Word<E> &entry : table)
    if (entry.value == value)
      return entry.word;
  return "?";
}

/// "a or b", "a, b or c": the accepted words, for messages.
template <typename E, std::size_t N>
std::string wordList(const Word<E> (&table)[N]) {
  std::string s;
  for (std::size_t i = 0; i < N; ++i) {
    if (i)
      s += i + 1 == N ? " or " : ", ";
    s += table[i].word;
  }
  return s;
}

} // namespace cscc::rt

#endif // CSCC_RUNTIME_WORDS_H
