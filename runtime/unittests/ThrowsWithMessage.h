//===- ThrowsWithMessage.h - expect an exception by its message -*- C++ -*-===//
//
// The runtime's argument checks throw std::exception subclasses whose text
// names the problem for the user; the tests check that text, not only that
// something was thrown.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_UNITTESTS_THROWSWITHMESSAGE_H
#define CSCC_RUNTIME_UNITTESTS_THROWSWITHMESSAGE_H

#include <gtest/gtest.h>

#include <cstring>
#include <exception>

namespace cscc::rt::unittest {

/// Success when `fn()` throws a std::exception whose what() contains
/// `needle`; use as EXPECT_TRUE(throwsWithMessage([&] { ... }, "...")).
template <typename Fn>
::testing::AssertionResult throwsWithMessage(Fn &&fn, const char *needle) {
  try {
    fn();
  } catch (const std::exception &e) {
    if (std::strstr(e.what(), needle))
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "the message was: " << e.what()
           << "\nexpected it to contain: " << needle;
  } catch (...) {
    return ::testing::AssertionFailure()
           << "threw something that is not a std::exception (expected a "
              "message containing: "
           << needle << ")";
  }
  return ::testing::AssertionFailure()
         << "nothing was thrown (expected a message containing: " << needle
         << ")";
}

} // namespace cscc::rt::unittest

#endif // CSCC_RUNTIME_UNITTESTS_THROWSWITHMESSAGE_H
