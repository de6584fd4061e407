//===- KindWordsTest.cpp - the word tables of the runtime's kinds ---------===//
#include "cscc/Runtime/Conv.h"
#include "cscc/Runtime/Optimizer.h"
#include "cscc/Runtime/Words.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace cscc::rt;

namespace {

// Every value of a kind has exactly one word, and the word reads back as
// the value: a case added to the enum but not to its table fails here.
template <typename E, std::size_t N>
void expectBijection(const Word<E> (&table)[N], std::size_t enumCount) {
  EXPECT_EQ(N, enumCount);
  std::set<std::string> words;
  std::set<int> values;
  for (const Word<E> &w : table) {
    EXPECT_TRUE(words.insert(w.word).second) << "word " << w.word << " twice";
    EXPECT_TRUE(values.insert(static_cast<int>(w.value)).second)
        << "value of " << w.word << " twice";
    std::optional<E> back = lookupWord(table, w.word);
    ASSERT_TRUE(back.has_value()) << w.word;
    EXPECT_EQ(*back, w.value);
    EXPECT_STREQ(wordOf(table, w.value), w.word);
  }
  for (std::size_t v = 0; v < enumCount; ++v)
    EXPECT_TRUE(values.count(static_cast<int>(v))) << "value " << v;
}

TEST(KindWords, OptimizerTableCoversTheEnum) {
  expectBijection(kOptimizerWords, 2);
}

TEST(KindWords, ScheduleTableCoversTheEnum) {
  expectBijection(kScheduleWords, 3);
}

TEST(KindWords, OneDnnLayoutTableCoversTheEnum) {
  expectBijection(kOneDnnLayoutWords, 5);
}

TEST(KindWords, UnknownWordsAreRefused) {
  EXPECT_FALSE(lookupWord(kOptimizerWords, "rmsprop").has_value());
  EXPECT_FALSE(lookupWord(kOptimizerWords, "SGD").has_value());
  EXPECT_FALSE(lookupWord(kScheduleWords, "").has_value());
}

TEST(KindWords, ListsForMessages) {
  EXPECT_EQ(wordList(kOptimizerWords), "sgd or adam");
  EXPECT_EQ(wordList(kScheduleWords), "constant, multistep or cosine");
}

} // namespace
