//===- Build.cpp - cscc build: a standalone training executable -----------===//
//
// The functions ProgramBuilder makes (@train_update, @evaluate) are lowered
// to LLVM IR and compiled to an object file for the host CPU (-O3, like the
// JIT), together with
//   cscc_program_info      the ProgramInfo as JSON (a C string)
//   cscc_program_entries   {name, void (*)(void **descriptors)} per function
//   cscc_program_entry_count
// The object is linked with the runtime's static libraries (the trainer,
// the data loaders, the oneDNN kernels) and the executable's main
// (runtime/lib/ExecutableMain.cpp), so the result needs neither cscc, MLIR
// nor the model file at run time; only the system's shared libraries
// (oneDNN, zlib, matio).
//
// --target cuda lowers the same functions through the CUDA pipeline
// (Pipeline.h: kernels compiled to a cubin by ptxas and embedded in the
// object, host code calling MLIR's GPU runtime ABI) and links the runtime's
// CUDA library too, which loads the driver (libcuda) and cuDNN with dlopen
// when the executable runs; cscc_program_device_check names its check, run
// before train, eval and predict.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include "cscc/Execution/Pipeline.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

using namespace cscc;

namespace {

/// `void cscc_packed_NAME(void **d)` calling `_mlir_ciface_NAME(d[0], ...)`:
/// one entry point of a fixed type per function, whatever its arity.
llvm::Function *packedWrapper(llvm::Module &m, const std::string &name) {
  llvm::Function *ciface = m.getFunction("_mlir_ciface_" + name);
  if (!ciface)
    throw std::runtime_error("the lowered module has no _mlir_ciface_" + name);
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *ptr = llvm::PointerType::get(ctx, 0);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
  auto *fn = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                    "cscc_packed_" + name, m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  std::vector<llvm::Value *> args;
  for (unsigned i = 0; i < ciface->arg_size(); ++i) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptr, fn->getArg(0), i);
    args.push_back(b.CreateLoad(ciface->getArg(i)->getType(), slot));
  }
  b.CreateCall(ciface, args);
  b.CreateRetVoid();
  return fn;
}

/// `deviceCheck`: the runtime function that says whether the device the
/// code was compiled for is there (nullptr when it returns nullptr), or ""
/// for code that runs on the host alone; `target` describes it for people.
void addProgramTables(llvm::Module &m, const rt::ProgramInfo &info,
                      const std::string &target,
                      const std::string &deviceCheck) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *ptr = llvm::PointerType::get(ctx, 0);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Constant *json = llvm::ConstantDataArray::getString(ctx, info.toJson());
  new llvm::GlobalVariable(m, json->getType(), true,
                           llvm::GlobalValue::ExternalLinkage, json,
                           "cscc_program_info");
  llvm::Constant *targetText = llvm::ConstantDataArray::getString(ctx, target);
  new llvm::GlobalVariable(m, targetText->getType(), true,
                           llvm::GlobalValue::ExternalLinkage, targetText,
                           "cscc_program_target");
  llvm::Constant *check = llvm::ConstantPointerNull::get(
      llvm::PointerType::get(ctx, 0));
  if (!deviceCheck.empty())
    check = llvm::cast<llvm::Constant>(
        m.getOrInsertFunction(deviceCheck,
                              llvm::FunctionType::get(ptr, {}, false))
            .getCallee());
  new llvm::GlobalVariable(m, ptr, true, llvm::GlobalValue::ExternalLinkage,
                           check, "cscc_program_device_check");
  auto *entryType = llvm::StructType::get(ctx, {ptr, ptr});
  std::vector<llvm::Constant *> entries;
  for (const rt::FunctionInfo &f : info.functions) {
    llvm::Constant *name = llvm::ConstantDataArray::getString(ctx, f.name);
    auto *nameVar = new llvm::GlobalVariable(
        m, name->getType(), true, llvm::GlobalValue::PrivateLinkage, name,
        "cscc_name_" + f.name);
    entries.push_back(llvm::ConstantStruct::get(
        entryType, {nameVar, packedWrapper(m, f.name)}));
  }
  auto *arrayType = llvm::ArrayType::get(entryType, entries.size());
  new llvm::GlobalVariable(m, arrayType, true,
                           llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantArray::get(arrayType, entries),
                           "cscc_program_entries");
  new llvm::GlobalVariable(m, i64, true, llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantInt::get(i64, entries.size()),
                           "cscc_program_entry_count");
}

/// The host's target machine, position-independent (the executable is a
/// PIE).
std::unique_ptr<llvm::TargetMachine> hostTargetMachine() {
  static bool ready = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)ready;
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    throw std::runtime_error("cannot detect the host CPU");
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeModel(llvm::CodeModel::Small);
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = builder->createTargetMachine();
  if (!tm)
    throw std::runtime_error("cannot create a target machine for the host");
  return std::move(*tm);
}

void writeObject(llvm::Module &m, llvm::TargetMachine &tm,
                 const std::string &path) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    throw std::runtime_error("cannot write '" + path + "': " + ec.message());
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr,
                             llvm::CodeGenFileType::ObjectFile))
    throw std::runtime_error("the target cannot emit object files");
  pm.run(m);
  os.flush();
}

/// The C++ compiler that links (CXX, else c++ on PATH).
std::string linker() {
  if (const char *cxx = std::getenv("CXX"); cxx && *cxx)
    return cxx;
  auto found = llvm::sys::findProgramByName("c++");
  if (!found)
    throw std::runtime_error("no C++ compiler to link with: install g++ "
                             "(scripts/setup.sh does) or set CXX");
  return *found;
}

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty())
      out.push_back(item);
  return out;
}

/// What an executable links: CSCC_EXECUTABLE_LIBS ('|'-separated, as CMake
/// found them, tools/cscc/CMakeLists.txt), with the runtime's static
/// libraries taken from PREFIX/lib/cscc when cscc runs installed as
/// PREFIX/bin/cscc (`cmake --install`), else from the build tree.
struct RuntimeLibraries {
  std::vector<std::string> libraries;
  std::string directory; ///< where the runtime's static libraries are
  bool installed = false;
};

RuntimeLibraries runtimeLibraries(bool cuda) {
  namespace fs = std::filesystem;
  RuntimeLibraries r;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  fs::path installed = self.parent_path().parent_path() / "lib" / "cscc";
  r.installed = !ec && fs::is_directory(installed, ec);
  std::vector<std::string> libraries = split(CSCC_EXECUTABLE_LIBS, '|');
#ifdef CSCC_CUDA_RUNTIME_LIB
  // The GPU runtime (MLIR's mgpu* ABI over the driver API, cuDNN) uses the
  // host runtime: before it in the link; libcuda and cuDNN are dlopen'ed.
  if (cuda) {
    auto host = std::find_if(libraries.begin(), libraries.end(),
                             [](const std::string &l) {
                               return l.find("libCsccRuntime.a") !=
                                      std::string::npos;
                             });
    libraries.insert(host, CSCC_CUDA_RUNTIME_LIB);
    libraries.push_back("-ldl");
  }
#else
  (void)cuda;
#endif
  for (std::string lib : libraries) {
    fs::path p(lib);
    if (p.extension() == ".a") {
      if (r.installed)
        p = installed / p.filename();
      r.directory = p.parent_path().string();
      lib = p.string();
    }
    r.libraries.push_back(lib);
  }
  return r;
}

} // namespace

/// What --target cuda needs on the machine that compiles, checked before
/// any work: the CUDA runtime library of cscc, ptxas and libdevice.
CudaOptions driver::cudaOptionsFor(const Options &opts) {
  namespace fs = std::filesystem;
#ifndef CSCC_CUDA_RUNTIME_LIB
  throw std::runtime_error(
      "--target cuda: this cscc was built without its CUDA runtime "
      "(CMake found no cuda.h or cudnn.h): install the CUDA toolkit and "
      "cuDNN headers (/usr/local/cuda) and rebuild cscc, or use --target "
      "cpu");
#endif
  CudaOptions co;
  co.chip = opts.cudaChip;
  co.toolkit = cudaToolkitPath(co);
  std::error_code ec;
  fs::path ptxas = fs::path(co.toolkit) / "bin" / "ptxas";
  if (!fs::exists(ptxas, ec))
    throw std::runtime_error(
        "--target cuda: no ptxas at " + ptxas.string() +
        " (it compiles the generated kernels to " + co.chip +
        " code): install the CUDA toolkit there or set CUDA_HOME to it");
  fs::path libdevice =
      fs::path(co.toolkit) / "nvvm" / "libdevice" / "libdevice.10.bc";
  if (!fs::exists(libdevice, ec))
    throw std::runtime_error(
        "--target cuda: no libdevice at " + libdevice.string() +
        " (the kernels' math functions): install the CUDA toolkit there or "
        "set CUDA_HOME to it");
  return co;
}

int driver::buildCommand(const Options &opts, const Model &model,
                         const SourceManager &sm, mlir::MLIRContext &context) {
  bool cuda = opts.target == "cuda";
  CudaOptions cudaOptions;
  if (cuda) {
    cudaOptions = cudaOptionsFor(opts);
    mlir::DialectRegistry registry;
    registerCudaExtensions(registry);
    context.appendDialectRegistry(registry);
  }
  rt::TrainSettings settings = settingsFor(opts, model);
  rt::ProgramInfo info;
  ProgramOptions options = programOptionsFor(opts, settings);
  options.batchStatsEval = true; // eval --bn-stats batch
  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildProgramModule(context, model, sm, options, info);
  if (!module)
    return 1;
  if (mlir::failed(runPipeline(*module,
                               cuda ? tensorLevelToCudaPipeline(cudaOptions)
                                    : tensorLevelToLLVMPipeline())))
    return 1;
  if (!cuda) // (registerCudaExtensions registered the CUDA target's)
    cscc::registerLLVMTranslations(context);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(*module, llvmContext, "cscc_model");
  if (!llvmModule)
    throw std::runtime_error("translating the model to LLVM IR failed");
  std::unique_ptr<llvm::TargetMachine> tm = hostTargetMachine();
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(tm->getTargetTriple());
  if (llvm::Error e = mlir::makeOptimizingTransformer(3, 0, tm.get())(
          llvmModule.get()))
    throw std::runtime_error("optimising the model failed: " +
                             llvm::toString(std::move(e)));
  addProgramTables(*llvmModule, info,
                   cuda ? "cuda (" + cudaOptions.chip + ")" : "cpu",
                   cuda ? "cscc_cuda_device_check" : "");

  namespace fs = std::filesystem;
  std::string object = opts.output + ".o.tmp";
  writeObject(*llvmModule, *tm, object);

  std::string cxx = linker();
  std::vector<std::string> argv{cxx, object, "-o", opts.output};
  RuntimeLibraries runtime = runtimeLibraries(cuda);
  for (const std::string &lib : runtime.libraries) {
    if (lib.find('/') != std::string::npos && !fs::exists(lib)) {
      std::error_code rmEc;
      fs::remove(object, rmEc);
      throw std::runtime_error(
          "the runtime library '" + lib + "' is missing; " +
          (runtime.installed
               ? "reinstall cscc (cmake --install BUILD_DIR --prefix " +
                     fs::path(runtime.directory).parent_path().parent_path()
                         .string() +
                     ")"
               : "cscc build links executables against the build tree cscc "
                 "was built in: rebuild cscc (scripts/build.sh)"));
    }
    argv.push_back(lib);
  }
  std::vector<llvm::StringRef> args(argv.begin(), argv.end());
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(cxx, args, std::nullopt, {}, 0, 0,
                                     &error);
  std::error_code ec;
  fs::remove(object, ec);
  if (rc != 0) {
    std::string cmd;
    for (const std::string &a : argv)
      cmd += a + " ";
    throw std::runtime_error("linking '" + opts.output + "' failed (" +
                             (error.empty() ? "exit " + std::to_string(rc)
                                            : error) +
                             "): " + cmd);
  }
  std::cout << "built " << opts.output << " for "
            << (cuda ? "CUDA (" + cudaOptions.chip + ")" : std::string("the CPU"))
            << ": model " << info.model << ", "
            << rt::wordOf(rt::kOptimizerWords, info.optimizer)
            << (info.nesterov ? " (Nesterov)" : "")
            << ", commands train, eval, predict, summary (runtime "
            << runtime.directory << ")\n";
  return 0;
}
