//===- ExecutableBuilder.cpp - A model as a standalone executable ---------===//
#include "cscc/Execution/ExecutableBuilder.h"
#include "cscc/Execution/HostCodegen.h"
#include "cscc/Execution/Pipeline.h"
#include "cscc/Target/Target.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

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

/// The tables ExecutableMain reads (ExecutableBuilder.h).
void addProgramTables(llvm::Module &m, const rt::ProgramInfo &info,
                      const Target &target) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *ptr = llvm::PointerType::get(ctx, 0);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Constant *json = llvm::ConstantDataArray::getString(ctx, info.toJson());
  new llvm::GlobalVariable(m, json->getType(), true,
                           llvm::GlobalValue::ExternalLinkage, json,
                           "cscc_program_info");
  llvm::Constant *targetText =
      llvm::ConstantDataArray::getString(ctx, target.qualifiedName());
  new llvm::GlobalVariable(m, targetText->getType(), true,
                           llvm::GlobalValue::ExternalLinkage, targetText,
                           "cscc_program_target");
  llvm::Constant *check = llvm::ConstantPointerNull::get(
      llvm::PointerType::get(ctx, 0));
  if (llvm::StringRef deviceCheck = target.deviceCheckSymbol();
      !deviceCheck.empty())
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

/// The target's executable libraries, with the runtime's static libraries
/// taken from PREFIX/lib/cscc when cscc runs installed as PREFIX/bin/cscc
/// (`cmake --install`), else from the build tree.
struct RuntimeLibraries {
  std::vector<std::string> libraries;
  std::string directory; ///< where the runtime's static libraries are
  bool installed = false;
};

RuntimeLibraries runtimeLibraries(const Target &target) {
  namespace fs = std::filesystem;
  RuntimeLibraries r;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  fs::path installed = self.parent_path().parent_path() / "lib" / "cscc";
  r.installed = !ec && fs::is_directory(installed, ec);
  for (std::string lib : target.executableLibraries()) {
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

/// Links `object` with the runtime into `output`; removes `object`.
void link(const std::string &object, const RuntimeLibraries &runtime,
          const std::string &output) {
  namespace fs = std::filesystem;
  std::string cxx = linker();
  std::vector<std::string> argv{cxx, object, "-o", output};
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
    throw std::runtime_error("linking '" + output + "' failed (" +
                             (error.empty() ? "exit " + std::to_string(rc)
                                            : error) +
                             "): " + cmd);
  }
}

} // namespace

mlir::FailureOr<BuiltExecutable>
cscc::buildExecutable(mlir::ModuleOp module, const rt::ProgramInfo &info,
                      const Target &target, const std::string &output) {
  mlir::MLIRContext &context = *module.getContext();
  {
    mlir::DialectRegistry registry;
    target.registerExtensions(registry);
    context.appendDialectRegistry(registry);
  }
  if (mlir::failed(runPipeline(module, target.tensorLevelToLLVMPipeline())))
    return mlir::failure();
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::TargetMachine> tm = hostTargetMachine();
  std::unique_ptr<llvm::Module> llvmModule =
      translateForHost(module, llvmContext, *tm);
  addProgramTables(*llvmModule, info, target);

  std::string object = output + ".o.tmp";
  writeObject(*llvmModule, *tm, object);
  RuntimeLibraries runtime = runtimeLibraries(target);
  link(object, runtime, output);
  return BuiltExecutable{runtime.directory};
}
