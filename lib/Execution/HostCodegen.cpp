//===- HostCodegen.cpp - One way to turn a model into host machine code ---===//
#include "cscc/Execution/HostCodegen.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassInstrumentation.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>
#include <stdexcept>

using namespace cscc;

namespace {
/// Sets one of LLVM's command-line options (some of its code generation
/// and optimisation settings exist only as those). Called while loading,
/// because a tool may later take LLVM's options out of its parser (cscc
/// does). -> whether the option exists and took the value.
bool setLlvmOption(llvm::StringRef name, llvm::StringRef value) {
  auto options = llvm::cl::getRegisteredOptions();
  auto it = options.find(name);
  return it != options.end() && !it->second->addOccurrence(0, name, value);
}

/// SelectionDAG's store merging compares each store of a basic block with
/// the others: the stack-passed arguments of calls with hundreds of buffer
/// descriptors (the parts of a deep model, cscc-split-functions) made it
/// most of the compile time (bench/results/compile-time.md). It only widens
/// scalar stores; the generated loops store vectors by then.
const bool storeMergingOff = setLlvmOption("combiner-store-merging", "false");

/// LLVM's loop vectoriser treats a loop with a constant trip count below
/// 16 as optimised for size: it will not add the runtime alias checks that
/// the generated loops need (their buffers reach an OpenMP region through
/// one struct, so nothing proves they are distinct). The max-pool gradient
/// over 2x2 windows runs along rows of 14 and 7 windows on the README
/// model and stayed scalar; from 4 iterations up such loops are vectorised
/// (the README model's executable 1045 -> 1100 img/s, its d = 6, unfold 2
/// variant 307 -> 318, AVX2, 2 threads, 3 interleaved runs).
/// test/Train/short-loops-vectorised.test
const bool shortLoopsVectorised =
    setLlvmOption("vectorizer-min-trip-count", "4");
} // namespace

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
  // Test hook: CSCC_TEST_HOST_CPU=NAME compiles for that CPU and its own
  // features instead of the host's, so that a test of what LLVM's cost
  // model decides (test/Train/short-loops-vectorised.test) sees the same
  // model on every machine. The code runs only where NAME's features are
  // the host's or a subset.
  if (const char *cpu = std::getenv("CSCC_TEST_HOST_CPU")) {
    builder->setCPU(cpu);
    builder->getFeatures() = llvm::SubtargetFeatures();
  }
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

namespace {
/// Removes the argument attributes LLVM does not know (`cst.param` naming
/// the weights, read before lowering; bufferization's access marks). The
/// translation warns about each one, and each warning prints the whole
/// function: a model with a thousand weights spent most of its compile time
/// printing its forward pass (bench/results/compile-time.md).
void dropNonLLVMArgumentAttributes(mlir::Operation *module) {
  module->walk([](mlir::LLVM::LLVMFuncOp fn) {
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      mlir::DictionaryAttr attrs = fn.getArgAttrDict(i);
      if (!attrs)
        continue;
      llvm::SmallVector<mlir::NamedAttribute> kept;
      for (mlir::NamedAttribute a : attrs)
        if (a.getName().getValue().starts_with("llvm."))
          kept.push_back(a);
      if (kept.size() != attrs.size())
        fn.setArgAttrs(i, kept);
    }
  });
}
} // namespace

std::unique_ptr<llvm::Module> cscc::translateForHost(mlir::Operation *module,
                                                     llvm::LLVMContext &context,
                                                     llvm::TargetMachine &tm) {
  dropNonLLVMArgumentAttributes(module);
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
  optimizeForHost(*m, tm);
  // Only the C interfaces (`_mlir_ciface_NAME`) are called from outside:
  // every other function gets local linkage, after optimisation (so the
  // generated code is the same). MLIR's ExecutionEngine wraps each
  // externally visible function in a packed-argument wrapper (`_mlir_NAME`,
  // one unoptimised block of a load per argument); for the parts of a deep
  // model's train step (cscc-split-functions: hundreds of arguments each)
  // code generation of those unused wrappers was half of LLVM's time (26
  // of 53 s for the 56-layer plain network's train program).
  for (llvm::Function &f : *m)
    if (!f.isDeclaration() && !f.getName().starts_with("_mlir_ciface_"))
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  return m;
}

void cscc::optimizeForHost(llvm::Module &m, llvm::TargetMachine &tm) {
  // LLVM's O3 pipeline, as mlir::makeOptimizingTransformer(3, 0, &tm) runs
  // it, less CalledValuePropagation: it propagates function pointers
  // through every call argument to annotate indirect calls, and the
  // generated code's only ones are OpenMP's outlined regions. Over the
  // parts of a deep model (calls with hundreds of arguments) its solver
  // took most of the compile time (bench/results/compile-time.md).
  llvm::PassInstrumentationCallbacks instrumentation;
  instrumentation.registerShouldRunOptionalPassCallback(
      [](llvm::StringRef pass, llvm::Any) {
        return pass != "CalledValuePropagationPass";
      });
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = true;
  tuning.LoopInterleaving = true;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder builder(&tm, tuning, std::nullopt, &instrumentation);
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgsccs;
  llvm::ModuleAnalysisManager modules;
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgsccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgsccs, modules);
  llvm::ModulePassManager pipeline =
      builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  pipeline.run(m, modules);
}
