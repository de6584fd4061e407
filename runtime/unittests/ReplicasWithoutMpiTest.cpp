//===- ReplicasWithoutMpiTest.cpp - a cscc built without MPI --------------===//
//
// Replicas.cpp compiled without CSCC_HAVE_MPI (its own test binary: the
// runtime library of this build has MPI when Open MPI is installed, as
// scripts/setup.sh does). Such a cscc trains alone, also under mpirun with
// one process, and refuses to start under mpirun with more, saying how to
// build with MPI, instead of training N unconnected copies of the model.
// Replicas::world() is built once per process, so the launcher cases run in
// a child process each (death tests).
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Replicas.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <vector>

using namespace cscc::rt;

namespace {

const char *const kLauncherVariables[] = {
    "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"};

/// In a child: world() under a launcher that set `variable` to `value` (and
/// `variable2` to `value2`, when given); exits 3 with the error's text on
/// stderr when it throws, 0 when it makes a group of one, 1 otherwise.
[[noreturn]] void worldUnderLauncher(const char *variable, const char *value,
                                     const char *variable2 = nullptr,
                                     const char *value2 = nullptr) {
  for (const char *v : kLauncherVariables)
    unsetenv(v);
  setenv(variable, value, 1);
  if (variable2)
    setenv(variable2, value2, 1);
  try {
    Replicas &w = Replicas::world();
    std::_Exit(w.size() == 1 && w.rank() == 0 && !w.distributed() ? 0 : 1);
  } catch (const std::runtime_error &e) {
    std::fputs(e.what(), stderr);
    std::_Exit(3);
  }
}

TEST(ReplicasWithoutMpi, SaysItHasNoMpi) {
  EXPECT_FALSE(Replicas::available());
}

TEST(ReplicasWithoutMpiDeathTest, MpirunWithSeveralProcessesSaysHowToBuild) {
  EXPECT_EXIT(worldUnderLauncher("OMPI_COMM_WORLD_SIZE", "2"),
              ::testing::ExitedWithCode(3),
              "started by mpirun .*built without MPI.*libopenmpi-dev "
              "openmpi-bin.*scripts/build.sh");
  EXPECT_EXIT(worldUnderLauncher("PMI_SIZE", "4"),
              ::testing::ExitedWithCode(3), "built without MPI");
  // PMIx names no size: a PMIx launcher is refused unless Slurm's step
  // count says one process.
  EXPECT_EXIT(worldUnderLauncher("PMIX_RANK", "0"),
              ::testing::ExitedWithCode(3), "built without MPI");
  EXPECT_EXIT(worldUnderLauncher("PMIX_RANK", "0", "SLURM_STEP_NUM_TASKS", "8"),
              ::testing::ExitedWithCode(3), "built without MPI");
}

TEST(ReplicasWithoutMpiDeathTest, OneProcessUnderMpirunTrainsAlone) {
  EXPECT_EXIT(worldUnderLauncher("OMPI_COMM_WORLD_SIZE", "1"),
              ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(worldUnderLauncher("PMI_SIZE", "1"),
              ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(worldUnderLauncher("PMIX_RANK", "0", "SLURM_STEP_NUM_TASKS", "1"),
              ::testing::ExitedWithCode(0), "");
}

TEST(ReplicasWithoutMpi, CollectivesOfTheOneProcessLeaveBuffersAlone) {
  for (const char *v : kLauncherVariables)
    unsetenv(v);
  Replicas &w = Replicas::world();
  ASSERT_FALSE(w.distributed());
  w.resetTraffic();
  w.setShare(3, 3);
  std::vector<float> f = {1.5f, -2.0f, 3.25f};
  std::vector<double> d = {0.1, 0.2};
  w.mean(f.data(), 3);
  w.sum(d.data(), 2);
  w.startMean(f.data(), 3);
  w.waitMean(f.data(), 3);
  EXPECT_EQ(f, (std::vector<float>{1.5f, -2.0f, 3.25f}));
  EXPECT_EQ(d, (std::vector<double>{0.1, 0.2}));
  EXPECT_EQ(w.max(7), 7);
  EXPECT_TRUE(w.same(42));
  w.barrier();
  EXPECT_EQ(w.traffic().calls, 0);
}

} // namespace
