//===- InitTest.cpp - the random generator (cscc/Runtime/Init.h) ----------===//
#include "cscc/Runtime/Init.h"

#include "ThrowsWithMessage.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace cscc::rt;
using cscc::rt::unittest::throwsWithMessage;

namespace {

// A checkpoint resumes training bit-exactly only if the saved state carries
// the pending second normal of Box-Muller as well as the engine.
TEST(Rng, SavedStateWithPendingNormalResumesExactly) {
  Rng a(7);
  for (int i = 0; i < 3; ++i)
    a.normal();
  std::string st = a.state();
  std::vector<double> first, second;
  for (int i = 0; i < 5; ++i)
    first.push_back(a.normal());
  Rng b(99);
  b.setState(st);
  for (int i = 0; i < 5; ++i)
    second.push_back(b.normal());
  EXPECT_EQ(first, second);
}

TEST(Rng, SameSeedSameStreamOtherSeedOtherStream) {
  EXPECT_EQ(Rng(5).next(), Rng(5).next());
  EXPECT_NE(Rng(5).next(), Rng(6).next());
}

TEST(Rng, SetStateRejectsGarbage) {
  Rng b(99);
  EXPECT_TRUE(throwsWithMessage([&] { b.setState("garbage"); },
                                "malformed random generator state"));
}

} // namespace
