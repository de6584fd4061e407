//===- TargetRegistry.cpp - The targets cscc compiles for, by name --------===//
#include "CPU/CpuTarget.h"
#include "CUDA/CudaTarget.h"
#include "cscc/Target/Target.h"

#include "mlir/IR/DialectRegistry.h"

#include <stdexcept>

using namespace cscc;

namespace {

using TargetFactory = std::unique_ptr<Target> (*)(const TargetOptions &);

/// Every target, one line each. The first is the host's (createHostTarget).
const TargetFactory kTargets[] = {
    createCpuTarget,
    createCudaTarget,
};

} // namespace

std::vector<std::string> cscc::targetNames() {
  std::vector<std::string> names;
  for (TargetFactory create : kTargets)
    names.push_back(create({})->name().str());
  return names;
}

std::string cscc::targetChoices(llvm::StringRef flag) {
  std::vector<std::string> names = targetNames();
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0)
      text += i + 1 == names.size() ? " or " : ", ";
    text += flag.str() + " " + names[i];
  }
  return text;
}

bool cscc::isTarget(llvm::StringRef name) {
  for (TargetFactory create : kTargets)
    if (create({})->name() == name)
      return true;
  return false;
}

std::unique_ptr<Target> cscc::createTarget(llvm::StringRef name,
                                           const TargetOptions &options) {
  for (TargetFactory create : kTargets)
    if (std::unique_ptr<Target> target = create(options);
        target->name() == name)
      return target;
  std::string known;
  for (TargetFactory create : kTargets) {
    std::unique_ptr<Target> target = create({});
    known += "\n  " + target->name().str() + "  " + target->summary().str();
  }
  throw std::runtime_error("unknown target '" + name.str() +
                           "'; the targets are:" + known);
}

std::unique_ptr<Target> cscc::createHostTarget(const TargetOptions &options) {
  return kTargets[0](options);
}

void cscc::registerTargetPassPipelines() {
  for (TargetFactory create : kTargets)
    create({})->registerPassPipelines();
}

void cscc::registerTargetExtensions(mlir::DialectRegistry &registry) {
  for (TargetFactory create : kTargets)
    create({})->registerExtensions(registry);
}
