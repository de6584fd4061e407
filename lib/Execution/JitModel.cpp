//===- JitModel.cpp - A model compiled in memory for a target -------------===//
#include "cscc/Execution/JitModel.h"
#include "cscc/Execution/HostCodegen.h"
#include "cscc/Execution/Pipeline.h"
#include "cscc/Execution/RuntimeSymbols.h"
#include "cscc/Runtime/Program.h"
#include "cscc/Target/Target.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ExecutionEngine/SectionMemoryManager.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Memory.h"
#include "llvm/Support/Process.h"

#include <sys/mman.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

using namespace mlir;
using namespace cscc;

static std::vector<int64_t> shapeOf(Type t) {
  std::vector<int64_t> s;
  for (int64_t d : cast<ShapedType>(t).getShape())
    s.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return s;
}

ModelSignature ModelSignature::read(ModuleOp module, const std::string &entry) {
  auto fn = module.lookupSymbol<func::FuncOp>(entry);
  if (!fn)
    throw std::runtime_error("the module has no @" + entry + " function");
  ModelSignature sig;
  for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
    Type t = fn.getArgument(i).getType();
    auto name = fn.getArgAttrOfType<StringAttr>(i, "cst.param");
    if (!name) {
      if (i == 0) {
        sig.input = shapeOf(t);
        sig.f64 = cast<ShapedType>(t).getElementType().isF64();
      } else {
        sig.hasLabels = true;
      }
      continue;
    }
    ParamInfo p;
    p.name = name.str();
    if (auto init = fn.getArgAttrOfType<StringAttr>(i, "cst.init"))
      p.init = init.str();
    p.shape = shapeOf(t);
    p.state = static_cast<bool>(fn.getArgAttr(i, "cst.state"));
    sig.params.push_back(std::move(p));
  }
  for (auto [i, t] : llvm::enumerate(fn.getResultTypes())) {
    sig.results.push_back(shapeOf(t));
    auto of = fn.getResultAttrOfType<StringAttr>(i, "cst.grad");
    sig.resultGradOf.push_back(of ? of.str() : "");
  }
  return sig;
}

/// Where the JIT puts one module's code and data: every section inside one
/// reserved range of address space. The host target's small code model
/// reaches data, constants and the GOT behind the calls of external
/// functions through 32-bit PC-relative offsets, but SectionMemoryManager
/// maps code and data separately and nothing kept them within 2 GiB of each
/// other: in a process whose mappings are spread out (AddressSanitizer's,
/// found by tools/cscc-fuzz) they were terabytes apart, the offsets were
/// truncated and the first call of a runtime function jumped through an
/// unmapped address (SIGSEGV in the generated code).
class cscc::JitMemory final : public llvm::SectionMemoryManager::MemoryMapper {
public:
  /// Far more than any model's machine code; only address space (no
  /// memory) until used.
  static constexpr size_t kReserved = size_t(1) << 30;

  JitMemory() {
    void *p = mmap(nullptr, kReserved, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    base = p == MAP_FAILED ? nullptr : static_cast<char *>(p);
  }
  ~JitMemory() override {
    if (base)
      munmap(base, kReserved);
  }

  llvm::sys::MemoryBlock
  allocateMappedMemory(llvm::SectionMemoryManager::AllocationPurpose,
                       size_t numBytes, const llvm::sys::MemoryBlock *near,
                       unsigned flags, std::error_code &ec) override {
    // No reservation (a tight address-space limit): the default mapping.
    if (!base)
      return llvm::sys::Memory::allocateMappedMemory(numBytes, near, flags, ec);
    size_t page = llvm::sys::Process::getPageSizeEstimate();
    size_t size = (numBytes + page - 1) / page * page;
    if (size > kReserved - used) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return {};
    }
    llvm::sys::MemoryBlock block(base + used, size);
    if ((ec = llvm::sys::Memory::protectMappedMemory(block, flags)))
      return {};
    used += size;
    return block;
  }
  std::error_code protectMappedMemory(const llvm::sys::MemoryBlock &block,
                                      unsigned flags) override {
    return llvm::sys::Memory::protectMappedMemory(block, flags);
  }
  std::error_code releaseMappedMemory(llvm::sys::MemoryBlock &block) override {
    if (!base)
      return llvm::sys::Memory::releaseMappedMemory(block);
    // The pages go back to the system; the range stays reserved until the
    // model is destroyed.
    if (mprotect(block.base(), block.allocatedSize(), PROT_NONE) != 0 ||
        madvise(block.base(), block.allocatedSize(), MADV_DONTNEED) != 0)
      return std::error_code(errno, std::generic_category());
    block = llvm::sys::MemoryBlock();
    return {};
  }

private:
  char *base = nullptr;
  size_t used = 0;
};

JitModel::~JitModel() = default;

/// Fails with every diagnostic the pipeline emitted.
struct DiagnosticCollector {
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &d) {
          text += d.str() + "\n";
          return success();
        }) {}
  ScopedDiagnosticHandler handler;
  std::string text;
};

std::unique_ptr<JitModel> JitModel::compile(ModuleOp module,
                                            const std::string &entry,
                                            bool gpuLoops) {
  ModelSignature sig = ModelSignature::read(module, entry);
  TargetOptions options;
  options.gpuLoopLayout = gpuLoops;
  std::unique_ptr<JitModel> model =
      compileAll(module, *createHostTarget(options));
  model->sig = std::move(sig);
  model->entry = entry;
  return model;
}

std::unique_ptr<JitModel> JitModel::compileAll(ModuleOp module,
                                               const Target &target) {
  std::unique_ptr<JitModel> model(new JitModel());
  rt::keepFreedMemoryForGeneratedCode();
  // The runtime functions the generated code may call, by name.
  std::vector<std::pair<std::string, void *>> runtime;
  for (const std::string &name : target.runtimeSymbols()) {
    void *address = findRuntimeSymbol(name);
    if (!address)
      throw std::runtime_error(
          "--target " + target.name().str() + ": this cscc was built without "
          "the runtime function " + name + " its code calls");
    runtime.emplace_back(name, address);
  }

  MLIRContext *ctx = module.getContext();
  {
    DialectRegistry registry;
    target.registerExtensions(registry);
    ctx->appendDialectRegistry(registry);
  }
  // cscc-results-to-destinations gives @forward the C interface: each
  // memref a pointer to its descriptor.
  {
    DiagnosticCollector diags(ctx);
    if (failed(runPipeline(module, target.tensorLevelToLLVMPipeline())))
      throw std::runtime_error("lowering to LLVM for " +
                               target.description() + " failed:\n" +
                               diags.text);
  }
  // The same translation, optimisation and code generation as cscc build
  // (HostCodegen.h): the JIT's code is the executable's.
  std::unique_ptr<llvm::TargetMachine> tm = hostTargetMachine();
  llvm::TargetMachine &tmRef = *tm;
  auto buildModule = [&](Operation *op, llvm::LLVMContext &context) {
    return translateForHost(op, context, tmRef);
  };
  ExecutionEngineOptions options;
  options.llvmModuleBuilder = buildModule;
  model->memory = std::make_unique<JitMemory>();
  options.sectionMemoryMapper = model->memory.get();
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // MLIR's default perf listener writes a dump of every compiled module
  // under /tmp/.debug/jit (growing without bound, and failing the run under
  // a file-size limit or on a full disk).
  options.enablePerfNotificationListener = false;
  // CSCC_JIT_OBJECT=FILE writes the machine code the JIT made (to compare
  // with cscc build's: test/Train/jit-codegen.test).
  const char *objectPath = std::getenv("CSCC_JIT_OBJECT");
  options.enableObjectDump = objectPath && *objectPath;
  auto started = std::chrono::steady_clock::now();
  auto engine = ExecutionEngine::create(module, options, std::move(tm));
  if (!engine)
    throw std::runtime_error("JIT compilation failed: " +
                             llvm::toString(engine.takeError()));
  (*engine)->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap map;
    for (const auto &[name, address] : runtime)
      map[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                             llvm::JITSymbolFlags::Exported};
    return map;
  });
  // ORC compiles lazily, at the first lookup: have LLVM's codegen run
  // now, not inside the first training step (it made the first epoch's
  // images/s look a third slower, bench/results/train-cpu.md).
  for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
    if (!fn.isExternal() && fn.getName().starts_with("_mlir_ciface_"))
      if (auto sym = (*engine)->lookupPacked(fn.getName()); !sym)
        throw std::runtime_error("JIT compilation failed: " +
                                 llvm::toString(sym.takeError()));
  if (compileTimingRequested())
    llvm::errs() << llvm::format(
        "cscc: LLVM IR, -O3 and code generation: %.2f s\n",
        std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                      started)
            .count());
  // The module's global constructors, such as the GPU modules'
  // (mgpuModuleLoad: the runtime records each binary; the driver loads it
  // at the first launch). The engine's first invocation would run them
  // otherwise: now, so that the device check comes after them.
  (*engine)->initialize();
  if (options.enableObjectDump)
    (*engine)->dumpToObjectFile(objectPath);
  model->engine = std::move(*engine);
  return model;
}

void JitModel::invoke(const std::vector<Buffer> &args,
                      std::vector<Buffer> &results) {
  invoke(entry, args, results);
}

void JitModel::invoke(const std::string &entry, const std::vector<Buffer> &args,
                      const std::vector<Buffer> &results) {
  std::vector<std::vector<int64_t>> descs;
  for (const Buffer &b : args)
    descs.push_back(rt::denseMemRefDescriptor({b.data, b.shape}));
  for (const Buffer &b : results)
    descs.push_back(rt::denseMemRefDescriptor({b.data, b.shape}));
  // _mlir_ciface_<entry>(desc *...): the packed form takes a pointer to
  // each argument, here a pointer to each descriptor pointer.
  std::vector<void *> descPtrs, packed;
  for (auto &d : descs)
    descPtrs.push_back(d.data());
  for (auto &p : descPtrs)
    packed.push_back(&p);
  if (llvm::Error e = engine->invokePacked("_mlir_ciface_" + entry, packed))
    throw std::runtime_error("cannot call the compiled model: " +
                             llvm::toString(std::move(e)));
}
