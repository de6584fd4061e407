//===- CudaTarget.cpp - NVIDIA GPUs: kernels, device buffers, cuDNN -------===//
//
// The shared buffers, then
//   cscc-parallel-loops{gpu}   one scf.parallel per loop nest, all of its
//                              parallel dimensions
//   cscc-parallel-to-gpu       each one a gpu.launch, a thread per point
//   cscc-device-buffers        buffers in GPU memory, entry arguments
//                              copied in and out, the host library's
//                              convolutions redirected to this target's
//                              (cuDNN)
//   gpu-kernel-outlining, nvvm-attach-target, convert-gpu-to-nvvm,
//   gpu-module-to-binary       kernels compiled to cubin (ptxas) or PTX
//   gpu-to-llvm, ...           host code calling MLIR's GPU runtime ABI
//                              (mgpuLaunchKernel, ...), implemented by
//                              cscc's runtime (CsccRuntimeCuda) with the
//                              CUDA driver API
//
//===----------------------------------------------------------------------===//
#include "CudaTarget.h"
#include "cscc/Execution/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

using namespace cscc;

namespace {

/// Everything the CUDA pipeline can be told (csc-opt's cscc-cst-to-cuda
/// sets each; cscc only the chip).
struct CudaOptions {
  std::string chip = "sm_90";      ///< nvvm-attach-target chip
  std::string features = "+ptx80"; ///< PTX version (CUDA 13's ptxas)
  std::string format = "bin";      ///< gpu-module-to-binary: bin | isa
  std::string toolkit;             ///< CUDA toolkit ("": CUDA_HOME or
                                   ///< /usr/local/cuda)
  int64_t blockSize = 256;         ///< threads per block
};

/// The CUDA toolkit directory `toolkit` names, else $CUDA_HOME, else
/// /usr/local/cuda.
std::string toolkitPath(const std::string &toolkit) {
  if (!toolkit.empty())
    return toolkit;
  if (const char *home = std::getenv("CUDA_HOME"); home && *home)
    return home;
  return "/usr/local/cuda";
}

struct CudaPipelineOptions : public mlir::PassPipelineOptions<CudaPipelineOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("GPU architecture"),
                           llvm::cl::init("sm_90")};
  Option<std::string> features{*this, "features",
                               llvm::cl::desc("PTX features"),
                               llvm::cl::init("+ptx80")};
  Option<std::string> format{*this, "format",
                             llvm::cl::desc("kernels as bin (cubin) or isa "
                                            "(PTX)"),
                             llvm::cl::init("bin")};
  Option<std::string> toolkit{*this, "toolkit",
                              llvm::cl::desc("CUDA toolkit directory"),
                              llvm::cl::init("")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("threads per block"),
                            llvm::cl::init(256)};
};

class CudaTarget : public Target {
public:
  explicit CudaTarget(CudaOptions options) : options(std::move(options)) {
    this->options.toolkit = toolkitPath(this->options.toolkit);
  }

  llvm::StringRef name() const override { return "cuda"; }
  llvm::StringRef summary() const override {
    return "NVIDIA GPUs: kernels as cubins (ptxas), cuDNN convolutions";
  }
  std::string qualifiedName() const override {
    return "cuda (" + options.chip + ")";
  }
  std::string description() const override {
    return "CUDA (" + options.chip + ")";
  }

  void checkToolchain() const override {
    namespace fs = std::filesystem;
#ifndef CSCC_CUDA_RUNTIME_LIB
    throw std::runtime_error(
        "--target cuda: this cscc was built without its CUDA runtime "
        "(CMake found no cuda.h or cudnn.h): install the CUDA toolkit and "
        "cuDNN headers (/usr/local/cuda) and rebuild cscc, or use --target "
        "cpu");
#endif
    std::error_code ec;
    fs::path ptxas = fs::path(options.toolkit) / "bin" / "ptxas";
    if (!fs::exists(ptxas, ec))
      throw std::runtime_error(
          "--target cuda: no ptxas at " + ptxas.string() +
          " (it compiles the generated kernels to " + options.chip +
          " code): install the CUDA toolkit there or set CUDA_HOME to it");
    fs::path libdevice =
        fs::path(options.toolkit) / "nvvm" / "libdevice" / "libdevice.10.bc";
    if (!fs::exists(libdevice, ec))
      throw std::runtime_error(
          "--target cuda: no libdevice at " + libdevice.string() +
          " (the kernels' math functions): install the CUDA toolkit there "
          "or set CUDA_HOME to it");
  }

  void registerExtensions(mlir::DialectRegistry &registry) const override {
    // The NVVM target's serialisation (gpu-module-to-binary), the GPU
    // dialect's offloading translation (gpu.binary, gpu.launch_func), and
    // the LLVM IR translations of builtin, LLVM, GPU and NVVM: for
    // gpu-module-to-binary's gpu.modules and for the host module.
    mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
    mlir::gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(
        registry);
    mlir::registerBuiltinDialectTranslation(registry);
    mlir::registerLLVMDialectTranslation(registry);
    mlir::registerGPUDialectTranslation(registry);
    mlir::registerNVVMDialectTranslation(registry);
  }

  void registerPassPipelines() const override {
    mlir::PassPipelineRegistration<CudaPipelineOptions>(
        "cscc-cst-to-cuda",
        "tensor-level ops -> LLVM dialect host code with embedded GPU "
        "kernels (CUDA)",
        [](mlir::OpPassManager &pm, const CudaPipelineOptions &o) {
          CudaOptions co;
          co.chip = o.chip;
          co.features = o.features;
          co.format = o.format;
          co.toolkit = o.toolkit;
          co.blockSize = o.blockSize;
          (void)addPipeline(pm, CudaTarget(co).tensorLevelToLLVMPipeline());
        });
  }

  std::string buffersToLLVMPipeline() const override {
    std::string target =
        "chip=" + options.chip + " features=" + options.features + " O=3";
    return deallocationPipeline() +
           // every loop nest one kernel, a thread per output point,
           // reductions sequential in the thread (registers, no jam: the
           // threads are the parallelism); a long reduction onto few
           // points (batch-norm statistics, the loss) split into parallel
           // chunks
           "func.func(cscc-copy-to-linalg," + gpuLoopsPass() +
           ","
           "cscc-parallel-to-gpu{block-size=" +
           std::to_string(options.blockSize) +
           "}),"
           "cscc-device-buffers{device-kernels=" + deviceKernels() + "},"
           // constants (trip counts, static sizes) moved into the kernels
           // rather than passed as arguments: the index arithmetic divides
           // by constants (shifts, multiplications) instead of by a 64-bit
           // argument (a software division per thread)
           "func.func(canonicalize,gpu-launch-sink-index-computations),"
           // every kernel in one module: one NVPTX compile and one ptxas
           // run per program rather than per kernel
           "gpu-kernel-outlining,cscc-merge-gpu-modules,"
           "func.func(gpu-async-region),lower-affine,"
           "nvvm-attach-target{" +
           target +
           "},"
           "gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm,canonicalize,"
           "cse,reconcile-unrealized-casts),"
           "gpu-module-to-binary{format=" +
           options.format + " toolkit=" + options.toolkit +
           "},"
           // the host: kernel launches and GPU memory through MLIR's GPU
           // runtime ABI (mgpu*), the rest as on the CPU without OpenMP
           "expand-strided-metadata,lower-affine,gpu-to-llvm,"
           "convert-math-to-llvm,"
           "finalize-memref-to-llvm{use-generic-functions=true},"
           "convert-scf-to-cf,"
           "convert-arith-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,"
           "convert-index-to-llvm,reconcile-unrealized-casts";
  }

  rt::KernelLibrary kernelLibrary() const override {
    return rt::KernelLibrary::Cuda;
  }

  std::vector<std::string> runtimeSymbols() const override {
    // Heap buffers through the runtime's checked allocation (AllocABI.h).
    std::vector<std::string> symbols(rt::allocationFunctions().begin(),
                                     rt::allocationFunctions().end());
    for (const char *name : rt::gpuRuntimeFunctions())
      symbols.push_back(name);
    for (const rt::Conv2dKernel &k : rt::conv2dKernels())
      symbols.push_back(std::string("_mlir_ciface_") +
                        rt::conv2dKernelSymbol(rt::KernelLibrary::Cuda,
                                               k.kind, k.dtype));
    for (const rt::ReplicaKernel &k : rt::replicaKernels())
      symbols.push_back(std::string("_mlir_ciface_") +
                        rt::replicaKernelSymbol(rt::KernelLibrary::Cuda,
                                                k.kind, k.dtype));
    return symbols;
  }

  std::vector<std::string> executableLibraries() const override {
#ifdef CSCC_CUDA_RUNTIME_LIB
    // The CUDA runtime uses the host runtime: before it in the link;
    // libcuda and cuDNN are loaded with dlopen.
    std::vector<std::string> libraries =
        hostExecutableLibraries({CSCC_CUDA_RUNTIME_LIB});
    libraries.push_back("-ldl");
    return libraries;
#else
    return hostExecutableLibraries(); // (checkToolchain refuses the target)
#endif
  }

  // The collectives on device memory over NCCL (the CUDA runtime's
  // cscc_cuda_replica_*, which cscc-device-buffers substitutes).
  bool dataParallel() const override { return true; }

private:
  /// cscc-device-buffers' map from each host kernel bufferization calls to
  /// this target's: "HOST:DEVICE,...".
  static std::string deviceKernels() {
    std::string map;
    for (const rt::Conv2dKernel &k : rt::conv2dKernels())
      map += std::string(map.empty() ? "" : ",") +
             rt::conv2dKernelSymbol(rt::KernelLibrary::Host, k.kind,
                                    k.dtype) +
             ":" +
             rt::conv2dKernelSymbol(rt::KernelLibrary::Cuda, k.kind,
                                    k.dtype);
    for (const rt::ReplicaKernel &k : rt::replicaKernels())
      map += std::string(",") +
             rt::replicaKernelSymbol(rt::KernelLibrary::Host, k.kind,
                                     k.dtype) +
             ":" +
             rt::replicaKernelSymbol(rt::KernelLibrary::Cuda, k.kind,
                                     k.dtype);
    return map;
  }

  CudaOptions options;
};

} // namespace

std::unique_ptr<Target> cscc::createCudaTarget(const TargetOptions &options) {
  CudaOptions co;
  if (!options.chip.empty())
    co.chip = options.chip;
  return std::make_unique<CudaTarget>(co);
}
