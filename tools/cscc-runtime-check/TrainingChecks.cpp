//===- TrainingChecks.cpp - cscc-runtime-check: the training runtime ------===//
//
// Subcommands that drive the training runtime's pieces (checkpoints,
// metrics, curves, progress) from lit tests.
//
//===----------------------------------------------------------------------===//
#include <string>

const char *kTrainingUsage = "";

int runTrainingCheck(const std::string &cmd, int argc, char **argv) {
  (void)cmd;
  (void)argc;
  (void)argv;
  return -1;
}
