//===- HostCodegen.cpp - One way to turn a model into host machine code ---===//
#include "cscc/Execution/HostCodegen.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

#include <stdexcept>

using namespace cscc;

std::unique_ptr<llvm::TargetMachine> cscc::hostTargetMachine() {
  static bool ready = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)ready;
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    throw std::runtime_error("cannot detect the host CPU: " +
                             llvm::toString(builder.takeError()));
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeModel(llvm::CodeModel::Small);
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = builder->createTargetMachine();
  if (!tm)
    throw std::runtime_error("cannot create a target machine for the host: " +
                             llvm::toString(tm.takeError()));
  return std::move(*tm);
}

std::string cscc::describeHostTarget(const llvm::TargetMachine &tm) {
  return "cpu=" + tm.getTargetCPU().str() +
         " features=" + tm.getTargetFeatureString().str();
}

std::unique_ptr<llvm::Module> cscc::translateForHost(mlir::Operation *module,
                                                     llvm::LLVMContext &context,
                                                     llvm::TargetMachine &tm) {
  std::unique_ptr<llvm::Module> m =
      mlir::translateModuleToLLVMIR(module, context, "cscc_model");
  if (!m)
    throw std::runtime_error("translating the model to LLVM IR failed");
  m->setDataLayout(tm.createDataLayout());
  m->setTargetTriple(tm.getTargetTriple());
  // Code generation picks each function's subtarget from these attributes;
  // a function without them gets the triple's baseline CPU, whatever the
  // target machine says (ORC's compiler is one of those that rely on them).
  for (llvm::Function &f : *m) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", tm.getTargetCPU());
    f.addFnAttr("target-features", tm.getTargetFeatureString());
  }
  if (llvm::Error e = mlir::makeOptimizingTransformer(3, 0, &tm)(m.get()))
    throw std::runtime_error("optimising the model failed: " +
                             llvm::toString(std::move(e)));
  return m;
}
