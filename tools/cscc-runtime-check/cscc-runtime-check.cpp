//===- cscc-runtime-check.cpp - drive the runtime library from tests ------===//
//
// A small command-line front to CsccRuntime for the lit tests in
// test/Runtime: convolutions through the extern "C" entry points the
// generated code calls (on .npy operands, optionally placed in strided
// views), safetensors and .npy reading and writing, data set readers (IDX,
// CIFAR, SVHN), the data loader (splits, statistics, batches written as
// .npy for Python to re-derive), weight initialisation, a convolution
// benchmark and the replay of a convolution trace (CSCC_CONV_TRACE), the
// training runtime's files and the CUDA runtime. Run with --help for the
// subcommands.
//
//===----------------------------------------------------------------------===//
#include "Checks.h"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

using namespace runtime_check;

namespace {

/// Every subcommand, by family, in the order --help lists them.
std::vector<CheckFamily> allFamilies() {
  return {convChecks(),       convBenchChecks(),  convReplayChecks(),
          tensorFileChecks(), datasetChecks(),    dataLoaderChecks(),
          checkpointChecks(), metricsChecks(),    cudaChecks()};
}

void printUsage(std::FILE *out, const std::vector<CheckFamily> &families) {
  std::fprintf(out, "usage: cscc-runtime-check COMMAND ...\n\n");
  for (const CheckFamily &family : families)
    std::fprintf(out, "%s", family.usage);
}

} // namespace

int main(int argc, char **argv) {
  std::vector<CheckFamily> families = allFamilies();
  cscc::rt::CommandInvocation invocation =
      cscc::rt::CommandInvocation::fromArgv(argc, argv);
  if (invocation.helpAsked) {
    printUsage(invocation.commandMissing ? stderr : stdout, families);
    return invocation.commandMissing ? 1 : 0;
  }
  try {
    for (const CheckFamily &family : families)
      for (const Check &check : family.checks)
        if (invocation.command == check.name)
          return check.run(argc - 1, argv + 1);
    throw UsageError("unknown command '" + invocation.command + "'");
  } catch (const UsageError &e) {
    std::fprintf(stderr,
                 "cscc-runtime-check: error: %s\nrun 'cscc-runtime-check "
                 "--help' for usage\n",
                 e.what());
    return 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "cscc-runtime-check: error: %s\n", e.what());
    return 1;
  }
}
