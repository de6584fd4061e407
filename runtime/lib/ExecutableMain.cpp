//===- ExecutableMain.cpp - main() of an executable `cscc build` made -----===//
//
// The object file cscc emits defines the model's functions and describes
// them (lib/Execution/ExecutableBuilder.cpp); this main reads the
// description and hands the functions to the runtime's commands (train,
// eval, predict, summary).
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/CommandLine.h"
#include "cscc/Runtime/Program.h"
#include "cscc/Runtime/Trainer.h"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>

extern "C" {
struct CsccProgramEntry {
  const char *name;
  void (*packed)(void **descriptors);
};
extern const char cscc_program_info[];
extern const CsccProgramEntry cscc_program_entries[];
extern const int64_t cscc_program_entry_count;
// "cpu", or "cuda (sm_90)"
extern const char cscc_program_target[];
// nullptr for host code; else the check that the device the code was
// compiled for is there: nullptr if it is, else why not and what to do.
extern const char *(*const cscc_program_device_check)(void);
}

using namespace cscc::rt;

int main(int argc, char **argv) {
  std::string self = std::filesystem::path(argv[0]).filename().string();
  keepFreedMemoryForGeneratedCode();
  try {
    Program program;
    program.info = ProgramInfo::fromJson(cscc_program_info);
    for (int64_t i = 0; i < cscc_program_entry_count; ++i) {
      const CsccProgramEntry &e = cscc_program_entries[i];
      program.functions[e.name] = [packed = e.packed](
                                      const std::vector<BufferRef> &args,
                                      const std::vector<BufferRef> &results) {
        std::vector<std::vector<int64_t>> descs;
        for (const BufferRef &b : args)
          descs.push_back(denseMemRefDescriptor(b));
        for (const BufferRef &b : results)
          descs.push_back(denseMemRefDescriptor(b));
        std::vector<void *> ptrs;
        for (auto &d : descs)
          ptrs.push_back(d.data());
        packed(ptrs.data());
      };
    }
    CommandInvocation invocation = CommandInvocation::fromArgv(argc, argv);
    if (invocation.helpAsked) {
      std::cout << "usage: " << self << " train|eval|predict|summary [flags]\n"
                << "the model " << program.info.model
                << ", compiled by cscc build for " << cscc_program_target
                << " (" << cscc::rt::wordOf(cscc::rt::kOptimizerWords, program.info.optimizer)
                << (program.info.nesterov ? ", Nesterov" : "") << ")\n\n"
                << "  train    train on the model's data (its train section; "
                   "flags override it)\n"
                << "  eval     test accuracy of the weights (--weights, "
                   "default RUN_DIR/best.safetensors)\n"
                << "  predict  classes (and -o logits) of --input X.npy\n"
                << "  summary  the model's layers and parameters\n\n"
                << kTrainFlagsHelp;
      return invocation.commandMissing ? 1 : 0;
    }
    // Before a command reads data or writes its run directory: an
    // executable built for a GPU says at once when there is none.
    std::optional<ProgramCommand> command =
        programCommandNamed(invocation.command);
    if (cscc_program_device_check && command &&
        *command != ProgramCommand::Summary)
      if (const char *why = cscc_program_device_check())
        throw std::runtime_error(std::string("this executable runs on ") +
                                 cscc_program_target + ": " + why);
    return runProgramCommand(program, invocation.command,
                             invocation.arguments);
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr,
                 "%s: error: out of memory; use a smaller batch (--batch, "
                 "--batch-size)\n",
                 self.c_str());
    return 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: error: %s\n", self.c_str(), e.what());
    return 1;
  }
}
