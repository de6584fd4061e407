//===- CudaChecks.cpp - cscc-runtime-check: the CUDA runtime ----------------===//
//
// Subcommands for CsccRuntimeCuda (cscc/Runtime/Cuda.h): the device check
// (lit's feature `cuda-device` is "cuda-device-check exits 0"), cuDNN's
// discovery, lazy module loading and kernel launches through MLIR's GPU ABI
// (mgpu*). Without the CUDA runtime (cuda.h or cudnn.h missing when the
// build was configured) every one of them says so and fails.
//
//===----------------------------------------------------------------------===//
#include "Checks.h"

#if CSCC_HAVE_CUDA_RUNTIME
#include "cscc/Runtime/Cuda.h"
#endif

#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

using namespace cscc::rt;
using namespace runtime_check;

namespace {

#if CSCC_HAVE_CUDA_RUNTIME

int cmdDeviceCheck(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1);
  args.allowOnly({});
  if (!args.positionals().empty())
    throw UsageError("cuda-device-check takes no arguments");
  if (const char *e = cscc_cuda_device_check()) {
    std::printf("%s\n", e);
    return 1;
  }
  std::printf("cuda: usable: %s; %s\n", cuda::deviceDescription().c_str(),
              cuda::cudnnDescription().c_str());
  return 0;
}

int cmdNcclCheck(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1);
  args.allowOnly({});
  if (!args.positionals().empty())
    throw UsageError("cuda-nccl-check takes no arguments");
  if (const char *e = cuda::ncclError()) {
    std::printf("%s\n", e);
    return 1;
  }
  std::printf("nccl: %s\n", cuda::ncclDescription().c_str());
  return 0;
}

int cmdSymbols(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1);
  args.allowOnly({});
  if (!args.positionals().empty())
    throw UsageError("cuda-symbols takes no arguments");
  int nulls = 0;
  for (const RuntimeSymbol &s : cudaSymbols()) {
    std::printf("%s\n", s.name);
    nulls += s.address == nullptr;
  }
  std::printf("%zu symbols, %d null\n", cudaSymbols().size(), nulls);
  return nulls ? 1 : 0;
}

int cmdCudnnCheck(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {"--dirs"});
  args.allowOnly({"--dirs"});
  if (!args.positionals().empty())
    throw UsageError("cuda-cudnn-check takes no arguments");
  if (args.has("--dirs"))
    for (const std::string &d : cuda::cudnnSearchDirectories())
      std::printf("search: %s\n", d.c_str());
  if (const char *e = cuda::cudnnError()) {
    std::printf("%s\n", e);
    return 1;
  }
  std::printf("cudnn: %s\n", cuda::cudnnDescription().c_str());
  return 0;
}

int cmdModuleCheck(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {"--jit"});
  args.allowOnly({"--jit", "--get-function", "--opt"});
  args.expectPositionals(1, "cuda-module-check FILE [--jit] [--opt N] "
                      "[--get-function NAME]");
  std::vector<char> data = readFile(args.positionals()[0]);
  bool jit = args.has("--jit");
  if (jit)
    data.push_back('\0');
  std::string target = cuda::binaryTarget(data.data(), data.size());
  std::printf("target: %s\n", target.empty() ? "unknown" : target.c_str());
  void *m = jit ? mgpuModuleLoadJIT(data.data(),
                                    static_cast<int>(parseInteger(
                                        args.get("--opt", "3"), "--opt")))
                : mgpuModuleLoad(data.data(), data.size());
  std::printf("module recorded (%zu bytes%s)\n", data.size(),
              jit ? ", PTX for the JIT" : "");
  std::fflush(stdout);
  if (args.has("--get-function")) {
    std::string name = args.get("--get-function");
    void *f = mgpuModuleGetFunction(m, name.c_str());
    std::printf("function %s: %s\n", name.c_str(), f ? "found" : "null");
    // Again: the module is loaded once, the function cached.
    if (mgpuModuleGetFunction(m, name.c_str()) != f)
      throw std::runtime_error("a second mgpuModuleGetFunction returned "
                               "another function");
  }
  mgpuModuleUnload(m);
  std::printf("module unloaded\n");
  return 0;
}

int cmdLaunchCheck(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {"--trap"});
  args.allowOnly({"--trap"});
  args.expectPositionals(1, "cuda-launch-check KERNELS.ptx [--trap]");
  std::vector<char> ptx = readFile(args.positionals()[0]);
  ptx.push_back('\0');
  void *jitModule = mgpuModuleLoadJIT(ptx.data(), 3);
  void *dataModule = mgpuModuleLoad(ptx.data(), ptx.size());
  if (args.has("--trap")) {
    void *f = mgpuModuleGetFunction(jitModule, "cscc_test_trap");
    void *s = mgpuStreamCreate();
    mgpuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 0, s, nullptr, nullptr, 0);
    std::printf("launched cscc_test_trap\n");
    std::fflush(stdout);
    mgpuStreamSynchronize(s); // must abort
    std::printf("error: the trap went unnoticed\n");
    return 1;
  }
  void *fJit = mgpuModuleGetFunction(jitModule, "cscc_test_axpy");
  void *fData = mgpuModuleGetFunction(dataModule, "cscc_test_axpy");
  const int n = 100000;
  std::vector<float> x(n), y(n), out(n);
  for (int i = 0; i < n; ++i)
    x[i] = float(i % 97) * 0.5f, y[i] = float(i % 13) - 6.0f;
  void *s1 = mgpuStreamCreate(), *s2 = mgpuStreamCreate();
  void *ev = mgpuEventCreate();
  size_t bytes = n * sizeof(float);
  void *dx = mgpuMemAlloc(bytes, s1, false);
  void *dy = mgpuMemAlloc(bytes, s1, false);
  void *managed = mgpuMemAlloc(bytes, s1, true);
  mgpuMemcpy(dx, x.data(), bytes, s1);
  mgpuMemcpy(dy, y.data(), bytes, s1);
  float a = 2.5f;
  int count = n;
  void *params[] = {&dy, &dx, &a, &count};
  intptr_t blocks = (n + 255) / 256;
  // y = a x + y on s1 (JIT module), then, after the event, again on s2
  // (the other module): y = 2 a x + y0.
  mgpuLaunchKernel(fJit, blocks, 1, 1, 256, 1, 1, 0, s1, params, nullptr, 4);
  mgpuEventRecord(ev, s1);
  mgpuStreamWaitEvent(s2, ev);
  mgpuLaunchKernel(fData, blocks, 1, 1, 256, 1, 1, 0, s2, params, nullptr, 4);
  mgpuMemcpy(out.data(), dy, bytes, s2);
  mgpuStreamSynchronize(s2);
  mgpuEventSynchronize(ev);
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    float want = y[i] + a * x[i];
    want = want + a * x[i];
    if (out[i] != want && ++bad <= 5)
      std::printf("axpy: y[%d] = %g, want %g\n", i, double(out[i]),
                  double(want));
  }
  // Memset32 and Memset16 (0x3f80 0x0000 halves make 1.0f words), and
  // managed memory read back through mgpuMemcpy.
  mgpuMemset32(managed, 0x40490fdbu, n, s1); // 3.14159274f
  mgpuMemcpy(out.data(), managed, bytes, s1);
  mgpuStreamSynchronize(s1);
  for (int i = 0; i < n; ++i)
    if (out[i] != 3.14159274f && ++bad <= 10)
      std::printf("memset32: [%d] = %g\n", i, double(out[i]));
  std::vector<unsigned short> halves(2 * n);
  mgpuMemset16(dx, 0x3f80, 2 * size_t(n), s1);
  mgpuMemcpy(halves.data(), dx, bytes, s1);
  mgpuStreamSynchronize(s1);
  for (int i = 0; i < 2 * n; ++i)
    if (halves[i] != 0x3f80 && ++bad <= 15)
      std::printf("memset16: [%d] = %#x\n", i, unsigned(halves[i]));
  mgpuMemFree(dx, s1);
  mgpuMemFree(dy, s1);
  mgpuMemFree(managed, s1);
  mgpuEventDestroy(ev);
  mgpuStreamDestroy(s1);
  mgpuStreamDestroy(s2);
  mgpuModuleUnload(jitModule);
  mgpuModuleUnload(dataModule);
  std::printf("launch-check: %d mismatches\n", bad);
  return bad ? 1 : 0;
}

#else

int cmdDeviceCheck(int, char **) {
  std::printf("this cscc-runtime-check was built without the CUDA runtime "
              "(cuda.h or cudnn.h was not found when the build was "
              "configured)\n");
  return 1;
}

int cmdNotBuilt(int, char **) { cudaRuntimeNotBuilt(); }
int (*const cmdSymbols)(int, char **) = cmdNotBuilt;
int (*const cmdCudnnCheck)(int, char **) = cmdNotBuilt;
int (*const cmdModuleCheck)(int, char **) = cmdNotBuilt;
int (*const cmdLaunchCheck)(int, char **) = cmdNotBuilt;

#endif // CSCC_HAVE_CUDA_RUNTIME

} // namespace

CheckFamily runtime_check::cudaChecks() {
  CheckFamily family;
  family.usage = R"(
CUDA runtime (libcuda and cuDNN are loaded at run time; no GPU is needed to
run these, only to pass them):
  cuda-device-check                   print what cscc_cuda_device_check()
      says: 'cuda: usable: DEVICE; CUDNN' and exit 0, or its message and
      exit 1
  cuda-symbols                        the names cscc::rt::cudaSymbols() lists
                                      (for a JIT), then 'N symbols'
  cuda-cudnn-check [--dirs]           load cuDNN only (no driver needed):
      'cudnn: cuDNN X.Y.Z (PATH)' and exit 0, or the message and exit 1;
      --dirs first prints 'search: DIR' for each directory searched after
      the loader's own path
  cuda-nccl-check                     load NCCL only (no driver needed; what
      data-parallel runs on GPUs all-reduce with): 'nccl: NCCL X.Y.Z (PATH)'
      and exit 0, or the message and exit 1
  cuda-module-check FILE [--jit] [--opt N] [--get-function NAME]
      print 'target: ...' (the GPU FILE was compiled for), record it with
      mgpuModuleLoad (mgpuModuleLoadJIT with --jit: FILE is PTX), which must
      not touch the driver; with --get-function, mgpuModuleGetFunction
      (loads the module: errors abort with the runtime's message); then
      mgpuModuleUnload
  cuda-launch-check KERNELS.ptx [--trap]
      through mgpu* only: load the PTX (both ways), allocate, copy, set,
      launch cscc_test_axpy on two streams ordered by an event, copy back
      and compare; --trap launches cscc_test_trap, whose fault must abort
      at mgpuStreamSynchronize
  conv ... --device cuda [--host-pointers]
      (see conv) run the CUDA entry point on device copies of the three
      buffers (each whole, so that writes outside the output view show);
      --host-pointers passes the host buffers instead: only for calls the
      shape checks reject, or with an empty output
)";
  family.checks = {
      {"cuda-device-check", cmdDeviceCheck},
      {"cuda-symbols", cmdSymbols},
      {"cuda-cudnn-check", cmdCudnnCheck},
      {"cuda-nccl-check", cmdNcclCheck},
      {"cuda-module-check", cmdModuleCheck},
      {"cuda-launch-check", cmdLaunchCheck},
  };
  return family;
}
