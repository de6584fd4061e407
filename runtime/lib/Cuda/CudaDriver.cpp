//===- CudaDriver.cpp - libcuda by dlopen, MLIR's GPU runtime ABI ---------===//
//
// The driver is loaded and initialised once, at the first call that needs
// it (never at program start: MLIR's global constructors call
// mgpuModuleLoad, which only records the binary). All work happens in the
// primary context of one device, made current on each thread that calls in.
// State lives in objects that are never destroyed, because MLIR's global
// destructors (mgpuModuleUnload) run after C++ static destructors at exit.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Cuda.h"

#include "CudaInternal.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <dlfcn.h>

namespace cscc::rt::cuda {

namespace {

const char *kNeedGpu =
    "code compiled with --target cuda needs an NVIDIA GPU and its driver: "
    "run it on a machine that has them, or compile it with --target cpu";

struct DriverState {
  std::once_flag once;
  bool ok = false;
  std::string error;
  void *library = nullptr;
  DriverApi api;
  int driverVersion = 0;
  int deviceCount = 0;
  int deviceIndex = 0;
  CUdevice device = 0;
  CUcontext context = nullptr;
  bool pooled = false; ///< mgpuMemAlloc/Free use the stream-ordered pool
  std::mutex managedMutex;
  std::unordered_set<void *> managed; ///< cuMemAllocManaged blocks
};

// Never destroyed (see the file comment).
DriverState &state() {
  static DriverState *s = new DriverState;
  return *s;
}

thread_local bool contextCurrent = false;

std::string versionText(int v) { // 13000 -> "13.0"
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

const char *fallbackErrorName(CUresult r) {
  switch (r) {
  case CUDA_SUCCESS: return "CUDA_SUCCESS";
  case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
  case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
  case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
  case CUDA_ERROR_DEINITIALIZED: return "CUDA_ERROR_DEINITIALIZED";
  case CUDA_ERROR_STUB_LIBRARY: return "CUDA_ERROR_STUB_LIBRARY";
  case CUDA_ERROR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
  case CUDA_ERROR_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
  case CUDA_ERROR_NO_BINARY_FOR_GPU: return "CUDA_ERROR_NO_BINARY_FOR_GPU";
  case CUDA_ERROR_INVALID_PTX: return "CUDA_ERROR_INVALID_PTX";
  case CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
    return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
  default: return nullptr;
  }
}

void loadDriver(DriverState &s) {
  const char *env = std::getenv("CSCC_CUDA_DRIVER");
  bool named = env && *env;
  std::string path = named ? env : "libcuda.so.1";
  std::string shown = named ? path + " (CSCC_CUDA_DRIVER)" : path;
  dlerror();
  s.library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!s.library) {
    const char *e = dlerror();
    s.error = "no NVIDIA driver: cannot load " + shown + " (" +
              (e ? e : "unknown dlopen error") + "); " + kNeedGpu;
    return;
  }
  DriverApi &api = s.api;
  api.cuInit = reinterpret_cast<decltype(api.cuInit)>(
      dlsym(s.library, CSCC_EXPANDED_NAME(cuInit)));
  api.cuDriverGetVersion = reinterpret_cast<decltype(api.cuDriverGetVersion)>(
      dlsym(s.library, CSCC_EXPANDED_NAME(cuDriverGetVersion)));
  api.cuGetErrorName = reinterpret_cast<decltype(api.cuGetErrorName)>(
      dlsym(s.library, CSCC_EXPANDED_NAME(cuGetErrorName)));
  api.cuGetErrorString = reinterpret_cast<decltype(api.cuGetErrorString)>(
      dlsym(s.library, CSCC_EXPANDED_NAME(cuGetErrorString)));
  if (!api.cuInit || !api.cuDriverGetVersion) {
    s.error = "no NVIDIA driver: " + shown +
              " is not the CUDA driver library (it has no cuInit); " + kNeedGpu;
    return;
  }
  CUresult r = api.cuInit(0);
  if (r == CUDA_ERROR_STUB_LIBRARY) {
    std::string where = path;
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(api.cuInit), &info) && info.dli_fname) {
      where = info.dli_fname;
      if (char *real = realpath(info.dli_fname, nullptr)) {
        if (where != real)
          where += " -> " + std::string(real);
        std::free(real);
      }
    }
    s.error = "no NVIDIA driver: " + path +
              " is the CUDA toolkit's stub library (" + where +
              "), not a driver (cuInit returned CUDA_ERROR_STUB_LIBRARY): "
              "take the toolkit's stubs directory out of LD_LIBRARY_PATH "
              "(or CSCC_CUDA_DRIVER); " +
              kNeedGpu;
    return;
  }
  if (api.cuDriverGetVersion(&s.driverVersion) != CUDA_SUCCESS)
    s.driverVersion = 0;
  std::string driverName =
      "the NVIDIA driver (" + shown +
      (s.driverVersion ? ", CUDA " + versionText(s.driverVersion) : "") + ")";
  if (r == CUDA_ERROR_NO_DEVICE) {
    s.error = "no CUDA device: " + driverName +
              " loads, but cuInit reports CUDA_ERROR_NO_DEVICE: no GPU is "
              "visible to this process (check nvidia-smi and "
              "CUDA_VISIBLE_DEVICES); or compile it with --target cpu";
    return;
  }
  if (r != CUDA_SUCCESS) {
    s.error = driverName + " failed to initialise: cuInit: " + errorText(r) +
              " (check nvidia-smi; is the kernel module loaded and does "
              "its version match the library?)";
    return;
  }
#define CSCC_RESOLVE(f)                                                        \
  api.f = reinterpret_cast<decltype(api.f)>(                                   \
      dlsym(s.library, CSCC_EXPANDED_NAME(f)));                                \
  if (!api.f) {                                                                \
    s.error = driverName + " has no function " CSCC_EXPANDED_NAME(f)          \
              ": it is older than this runtime needs; update the NVIDIA "      \
              "driver";                                                        \
    return;                                                                    \
  }
  CSCC_CUDA_DRIVER_FUNCTIONS(CSCC_RESOLVE)
#undef CSCC_RESOLVE
  r = api.cuDeviceGetCount(&s.deviceCount);
  if (r != CUDA_SUCCESS) {
    s.error = driverName + ": cuDeviceGetCount: " + errorText(r);
    return;
  }
  if (s.deviceCount < 1) {
    s.error = "no CUDA device: " + driverName +
              " sees no GPU (check nvidia-smi and CUDA_VISIBLE_DEVICES); or "
              "compile it with --target cpu";
    return;
  }
  if (const char *d = std::getenv("CSCC_CUDA_DEVICE"); d && *d) {
    char *end = nullptr;
    errno = 0;
    long v = std::strtol(d, &end, 10);
    if (errno || *end || v < 0 || v >= s.deviceCount) {
      s.error = "CSCC_CUDA_DEVICE=" + std::string(d) +
                " is not a device number: the driver sees " +
                std::to_string(s.deviceCount) + " device(s), numbered 0 to " +
                std::to_string(s.deviceCount - 1) +
                " (CUDA_VISIBLE_DEVICES renumbers them)";
      return;
    }
    s.deviceIndex = static_cast<int>(v);
  } else {
    // Data-parallel processes on one machine take one GPU each: the
    // process's rank on its machine, as mpirun numbers them (Open MPI,
    // MPICH's Hydra, Slurm).
    for (const char *name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID",
                             "SLURM_LOCALID"})
      if (const char *local = std::getenv(name); local && *local) {
        s.deviceIndex = std::atoi(local) % s.deviceCount;
        break;
      }
  }
  r = api.cuDeviceGet(&s.device, s.deviceIndex);
  if (r != CUDA_SUCCESS) {
    s.error = driverName + ": cuDeviceGet(" + std::to_string(s.deviceIndex) +
              "): " + errorText(r);
    return;
  }
  r = api.cuDevicePrimaryCtxRetain(&s.context, s.device);
  if (r != CUDA_SUCCESS) {
    s.error = "cannot use CUDA device " + std::to_string(s.deviceIndex) +
              ": cuDevicePrimaryCtxRetain: " + errorText(r) +
              " (is it in exclusive-process compute mode and used by another "
              "process, or out of memory? see nvidia-smi)";
    return;
  }
  // Buffers come from the device's stream-ordered pool (mgpuMemAlloc): a
  // train step allocates and frees every activation and gradient, and the
  // generated code frees each right after its last use, while the kernels
  // that use it may still be queued. cuMemFree would wait for the whole
  // device at each free; cuMemFreeAsync orders the free after them on the
  // stream. The pool keeps what it has (release threshold: never), so that
  // the next step reuses the same memory (PyTorch's caching allocator does
  // the same).
  int pools = 0;
  api.cuDeviceGetAttribute(&pools, CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED,
                           s.device);
  if (pools) {
    CUmemoryPool pool = nullptr;
    if (api.cuDeviceGetDefaultMemPool(&pool, s.device) == CUDA_SUCCESS) {
      cuuint64_t keep = ~cuuint64_t(0);
      s.pooled = api.cuMemPoolSetAttribute(
                     pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, &keep) ==
                 CUDA_SUCCESS;
    }
  }
  s.ok = true;
}

DriverState &initialized() {
  DriverState &s = state();
  std::call_once(s.once, [&] { loadDriver(s); });
  return s;
}

// Makes the primary context current without aborting (for unloading at
// exit, when the driver may already be shut down).
bool tryMakeCurrent() {
  DriverState &s = initialized();
  if (!s.ok)
    return false;
  if (!contextCurrent)
    contextCurrent = s.api.cuCtxSetCurrent(s.context) == CUDA_SUCCESS;
  return contextCurrent;
}

//===----------------------------------------------------------------------===//
// Lazily loaded modules
//===----------------------------------------------------------------------===//

struct LazyModule {
  const char *data = nullptr;
  size_t size = 0;
  bool jit = false; // PTX given to mgpuModuleLoadJIT
  int optLevel = -1;
  std::mutex mutex;
  bool loaded = false;
  CUmodule module = nullptr;
  std::unordered_map<std::string, CUfunction> functions;
};

std::string deviceName() {
  DriverState &s = state();
  char name[256] = {0};
  if (s.api.cuDeviceGetName(name, sizeof name - 1, s.device) != CUDA_SUCCESS)
    return "device " + std::to_string(s.deviceIndex);
  return name;
}

void loadModule(LazyModule &m) {
  ensureContext("mgpuModuleGetFunction");
  const DriverApi &api = state().api;
  char errorLog[16384] = {0};
  CUjit_option options[3] = {CU_JIT_ERROR_LOG_BUFFER,
                             CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                             CU_JIT_OPTIMIZATION_LEVEL};
  void *values[3] = {errorLog, reinterpret_cast<void *>(sizeof errorLog - 1),
                     nullptr};
  unsigned count = 2;
  if (m.jit && m.optLevel >= 0) {
    int level = m.optLevel > 4 ? 4 : m.optLevel;
    values[2] = reinterpret_cast<void *>(static_cast<intptr_t>(level));
    count = 3;
  }
  CUresult r = api.cuModuleLoadDataEx(&m.module, m.data, count, options,
                                      values);
  if (r == CUDA_SUCCESS) {
    m.loaded = true;
    return;
  }
  std::string note;
  if (r == CUDA_ERROR_NO_BINARY_FOR_GPU || r == CUDA_ERROR_INVALID_PTX ||
      r == CUDA_ERROR_UNSUPPORTED_PTX_VERSION ||
      r == CUDA_ERROR_INVALID_IMAGE) {
    std::string compiled = binaryTarget(m.data, m.size);
    std::string chip = deviceChip();
    int major = 0, minor = 0;
    api.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                             state().device);
    api.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                             state().device);
    std::string rebuild = "rebuild with `cscc build --target cuda "
                          "--cuda-chip " + chip + "`";
    if (r == CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
      note = "the kernels' PTX is newer than this driver (CUDA " +
             versionText(state().driverVersion) +
             ") can compile: update the NVIDIA driver, or " + rebuild +
             " (a cubin for this GPU needs no PTX compilation)";
    else
      note = "the model was compiled for " +
             (compiled.empty() ? std::string("another GPU") : compiled) +
             ", but this GPU (" + deviceName() + ") is " + chip +
             " (compute capability " + std::to_string(major) + "." +
             std::to_string(minor) + "): " + rebuild;
  }
  if (errorLog[0]) {
    if (!note.empty())
      note += "\n";
    note += "the driver's PTX compiler says: " + std::string(errorLog);
    while (!note.empty() && (note.back() == '\n' || note.back() == ' '))
      note.pop_back();
  }
  fatal("cuModuleLoadDataEx", r, note);
}

CUfunction getFunction(LazyModule &m, const char *name) {
  std::lock_guard<std::mutex> lock(m.mutex);
  if (!m.loaded)
    loadModule(m);
  auto it = m.functions.find(name);
  if (it != m.functions.end())
    return it->second;
  ensureContext("mgpuModuleGetFunction");
  CUfunction f = nullptr;
  CUresult r = state().api.cuModuleGetFunction(&f, m.module, name);
  if (r != CUDA_SUCCESS)
    fatal("cuModuleGetFunction(\"" + std::string(name) + "\")", r,
          r == CUDA_ERROR_NOT_FOUND
              ? "the module has no kernel of that name"
              : "");
  m.functions.emplace(name, f);
  return f;
}

} // namespace

//===----------------------------------------------------------------------===//
// Internal interface (CudaInternal.h)
//===----------------------------------------------------------------------===//

std::string errorText(CUresult r) {
  const char *name = nullptr, *text = nullptr;
  DriverState &s = state();
  if (s.api.cuGetErrorName && s.api.cuGetErrorName(r, &name) != CUDA_SUCCESS)
    name = nullptr;
  if (s.api.cuGetErrorString &&
      s.api.cuGetErrorString(r, &text) != CUDA_SUCCESS)
    text = nullptr;
  if (!name)
    name = fallbackErrorName(r);
  std::string out = name ? name : "CUresult " + std::to_string(int(r));
  if (text)
    out += std::string(": ") + text;
  return out;
}

void fatalMessage(const std::string &what) {
  std::fprintf(stderr, "cscc runtime: error: CUDA: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

void fatal(const std::string &what, CUresult r, const std::string &note) {
  std::fprintf(stderr, "cscc runtime: error: CUDA: %s: %s\n", what.c_str(),
               errorText(r).c_str());
  if (!note.empty())
    std::fprintf(stderr, "cscc runtime: note: %s\n", note.c_str());
  std::fflush(stderr);
  std::abort();
}

const DriverApi &driver(const char *where) {
  DriverState &s = initialized();
  if (!s.ok)
    fatalMessage(std::string(where) + ": " + s.error);
  return s.api;
}

void ensureContext(const char *where) {
  if (contextCurrent)
    return;
  const DriverApi &api = driver(where);
  CUresult r = api.cuCtxSetCurrent(state().context);
  if (r != CUDA_SUCCESS)
    fatal(std::string(where) + ": cuCtxSetCurrent", r);
  contextCurrent = true;
}

std::string deviceChip() {
  DriverState &s = state();
  int major = 0, minor = 0;
  s.api.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                             s.device);
  s.api.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                             s.device);
  return "sm_" + std::to_string(major) + std::to_string(minor);
}

//===----------------------------------------------------------------------===//
// Public C++ interface (Cuda.h)
//===----------------------------------------------------------------------===//

const char *driverError() {
  DriverState &s = initialized();
  return s.ok ? nullptr : s.error.c_str();
}

std::string deviceDescription() {
  DriverState &s = initialized();
  if (!s.ok)
    return s.error;
  return deviceName() + " (device " + std::to_string(s.deviceIndex) + " of " +
         std::to_string(s.deviceCount) + ", " + deviceChip() +
         ", driver CUDA " + versionText(s.driverVersion) + ")";
}

std::string binaryTarget(const void *data, size_t size) {
  if (!data)
    return "";
  const auto *b = static_cast<const unsigned char *>(data);
  // A cubin: a 64-bit ELF file for EM_CUDA (190). The SM is in e_flags:
  // bits 8-15 from ELF ABI version 8 on (CUDA 12.8+), with 0x8 marking an
  // accelerator variant (sm_90a); bits 0-7 before, with 0x800 for it (as
  // LLVM's BinaryFormat/ELF.h describes them).
  if (size >= 64 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' &&
      b[3] == 'F' && b[4] == 2 && b[5] == 1) {
    unsigned machine = b[18] | (b[19] << 8);
    uint32_t flags = uint32_t(b[48]) | uint32_t(b[49]) << 8 |
                     uint32_t(b[50]) << 16 | uint32_t(b[51]) << 24;
    if (machine != 190)
      return "";
    bool v2 = b[8] >= 8;
    unsigned sm = v2 ? (flags >> 8) & 0xff : flags & 0xff;
    bool accel = v2 ? (flags & 0x8) != 0 : (flags & 0x800) != 0;
    return sm ? "sm_" + std::to_string(sm) + (accel ? "a" : "") : "";
  }
  // PTX text: ".target sm_90[a][, ...]".
  const char *text = static_cast<const char *>(data);
  size_t n = size ? size : std::strlen(text);
  static const char kTarget[] = ".target";
  for (size_t i = 0; i + sizeof kTarget < n; ++i) {
    if (std::memcmp(text + i, kTarget, sizeof kTarget - 1) != 0)
      continue;
    size_t j = i + sizeof kTarget - 1;
    if (text[j] != ' ' && text[j] != '\t')
      continue;
    while (j < n && (text[j] == ' ' || text[j] == '\t'))
      ++j;
    size_t k = j;
    while (k < n && (std::isalnum(static_cast<unsigned char>(text[k])) ||
                     text[k] == '_'))
      ++k;
    return std::string(text + j, k - j);
  }
  return "";
}

} // namespace cscc::rt::cuda

using namespace cscc::rt::cuda;

//===----------------------------------------------------------------------===//
// extern "C": the device check and MLIR's GPU runtime ABI
//===----------------------------------------------------------------------===//

extern "C" {

const char *cscc_cuda_device_check(void) {
  if (const char *e = driverError())
    return e;
  return cudnnError();
}

const char *cscc_cuda_device_description(void) {
  static const std::string text =
      deviceDescription() + ", " + cudnnDescription();
  return text.c_str();
}

void *mgpuModuleLoad(void *data, size_t gpuBlobSize) {
  auto *m = new LazyModule;
  m->data = static_cast<const char *>(data);
  m->size = gpuBlobSize;
  return m;
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  auto *m = new LazyModule;
  m->data = static_cast<const char *>(data);
  m->size = data ? std::strlen(m->data) + 1 : 0;
  m->jit = true;
  m->optLevel = optLevel;
  return m;
}

void mgpuModuleUnload(void *module) {
  if (!module)
    return;
  auto *m = static_cast<LazyModule *>(module);
  {
    std::lock_guard<std::mutex> lock(m->mutex);
    // At exit the driver may already be shut down: errors are ignored.
    if (m->loaded && tryMakeCurrent())
      state().api.cuModuleUnload(m->module);
  }
  delete m;
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  if (!module || !name)
    fatalMessage("mgpuModuleGetFunction: called with a null module or name");
  return getFunction(*static_cast<LazyModule *>(module), name);
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  ensureContext("mgpuLaunchKernel");
  const DriverApi &api = state().api;
  auto f = static_cast<CUfunction>(function);
  auto s = static_cast<CUstream>(stream);
  if (smem > 48 * 1024) {
    CUresult r = api.cuFuncSetAttribute(
        f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem);
    if (r != CUDA_SUCCESS)
      fatal("cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES, " +
                std::to_string(smem) + ")",
            r);
  }
  auto dims = [](intptr_t x, intptr_t y, intptr_t z) {
    return std::to_string(x) + "x" + std::to_string(y) + "x" +
           std::to_string(z);
  };
  if (gridX < 1 || gridY < 1 || gridZ < 1 || blockX < 1 || blockY < 1 ||
      blockZ < 1 || gridX > UINT_MAX || gridY > UINT_MAX || gridZ > UINT_MAX ||
      blockX > UINT_MAX || blockY > UINT_MAX || blockZ > UINT_MAX)
    fatalMessage("mgpuLaunchKernel: invalid launch shape: grid " +
                 dims(gridX, gridY, gridZ) + ", block " +
                 dims(blockX, blockY, blockZ));
  CUresult r = api.cuLaunchKernel(
      f, unsigned(gridX), unsigned(gridY), unsigned(gridZ), unsigned(blockX),
      unsigned(blockY), unsigned(blockZ), unsigned(smem), s, params, extra);
  if (r != CUDA_SUCCESS)
    fatal("cuLaunchKernel", r,
          "grid " + dims(gridX, gridY, gridZ) + ", block " +
              dims(blockX, blockY, blockZ) + ", " + std::to_string(smem) +
              " bytes of dynamic shared memory");
}

void *mgpuStreamCreate(void) {
  ensureContext("mgpuStreamCreate");
  CUstream s = nullptr;
  // Blocking (not CU_STREAM_NON_BLOCKING): work on it is ordered with the
  // legacy default stream, where the convolutions run.
  check(state().api.cuStreamCreate(&s, CU_STREAM_DEFAULT), "cuStreamCreate");
  return s;
}

void mgpuStreamDestroy(void *stream) {
  if (!stream)
    return;
  ensureContext("mgpuStreamDestroy");
  check(state().api.cuStreamDestroy(static_cast<CUstream>(stream)),
        "cuStreamDestroy");
}

void mgpuStreamSynchronize(void *stream) {
  ensureContext("mgpuStreamSynchronize");
  CUresult r = state().api.cuStreamSynchronize(static_cast<CUstream>(stream));
  if (r != CUDA_SUCCESS)
    fatal("cuStreamSynchronize", r,
          "a kernel or copy on this stream failed (errors of earlier "
          "launches show here); to find which, run under compute-sanitizer "
          "or with CUDA_LAUNCH_BLOCKING=1");
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  ensureContext("mgpuStreamWaitEvent");
  check(state().api.cuStreamWaitEvent(static_cast<CUstream>(stream),
                                      static_cast<CUevent>(event), 0),
        "cuStreamWaitEvent");
}

void *mgpuEventCreate(void) {
  ensureContext("mgpuEventCreate");
  CUevent e = nullptr;
  check(state().api.cuEventCreate(&e, CU_EVENT_DISABLE_TIMING),
        "cuEventCreate");
  return e;
}

void mgpuEventDestroy(void *event) {
  if (!event)
    return;
  ensureContext("mgpuEventDestroy");
  check(state().api.cuEventDestroy(static_cast<CUevent>(event)),
        "cuEventDestroy");
}

void mgpuEventSynchronize(void *event) {
  ensureContext("mgpuEventSynchronize");
  CUresult r = state().api.cuEventSynchronize(static_cast<CUevent>(event));
  if (r != CUDA_SUCCESS)
    fatal("cuEventSynchronize", r,
          "a kernel or copy before this event failed; to find which, run "
          "under compute-sanitizer or with CUDA_LAUNCH_BLOCKING=1");
}

void mgpuEventRecord(void *event, void *stream) {
  ensureContext("mgpuEventRecord");
  check(state().api.cuEventRecord(static_cast<CUevent>(event),
                                  static_cast<CUstream>(stream)),
        "cuEventRecord");
}

void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared) {
  if (sizeBytes == 0)
    return nullptr;
  ensureContext("mgpuMemAlloc");
  DriverState &s = state();
  const DriverApi &api = s.api;
  CUdeviceptr p = 0;
  const char *call = "cuMemAlloc";
  CUresult r;
  if (isHostShared) {
    call = "cuMemAllocManaged";
    r = api.cuMemAllocManaged(&p, sizeBytes, CU_MEM_ATTACH_GLOBAL);
    if (r == CUDA_SUCCESS) {
      std::lock_guard<std::mutex> lock(s.managedMutex);
      s.managed.insert(reinterpret_cast<void *>(p));
    }
  } else if (s.pooled) {
    // Stream-ordered (a null stream is the legacy default stream).
    call = "cuMemAllocAsync";
    r = api.cuMemAllocAsync(&p, sizeBytes, static_cast<CUstream>(stream));
  } else {
    r = api.cuMemAlloc(&p, sizeBytes);
  }
  if (r != CUDA_SUCCESS)
    fatal(call, r,
          "allocating " + std::to_string(sizeBytes) + " bytes" +
              (r == CUDA_ERROR_OUT_OF_MEMORY
                   ? " (use a smaller batch, or a GPU with more memory)"
                   : ""));
  return reinterpret_cast<void *>(p);
}

void mgpuMemFree(void *ptr, void *stream) {
  if (!ptr)
    return;
  ensureContext("mgpuMemFree");
  DriverState &s = state();
  bool managed;
  {
    std::lock_guard<std::mutex> lock(s.managedMutex);
    managed = s.managed.erase(ptr) > 0;
  }
  // Without the pool everything came from cuMemAlloc(-Managed).
  if (managed || !s.pooled)
    check(s.api.cuMemFree(reinterpret_cast<CUdeviceptr>(ptr)), "cuMemFree");
  else
    check(s.api.cuMemFreeAsync(reinterpret_cast<CUdeviceptr>(ptr),
                               static_cast<CUstream>(stream)),
          "cuMemFreeAsync");
}

void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  if (sizeBytes == 0)
    return;
  ensureContext("mgpuMemcpy");
  check(state().api.cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                  reinterpret_cast<CUdeviceptr>(src),
                                  sizeBytes, static_cast<CUstream>(stream)),
        "cuMemcpyAsync");
}

void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  if (count == 0)
    return;
  ensureContext("mgpuMemset32");
  check(state().api.cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst),
                                     value, count,
                                     static_cast<CUstream>(stream)),
        "cuMemsetD32Async");
}

void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  void *stream) {
  if (count == 0)
    return;
  ensureContext("mgpuMemset16");
  check(state().api.cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst),
                                     value, count,
                                     static_cast<CUstream>(stream)),
        "cuMemsetD16Async");
}

} // extern "C"

const std::vector<cscc::rt::RuntimeSymbol> &cscc::rt::cudaSymbols() {
  static const std::vector<RuntimeSymbol> symbols = {
#define CSCC_SYMBOL(NAME)                                                      \
  {CSCC_SYMBOL_STRING(NAME), reinterpret_cast<void *>(&NAME)},
#define CSCC_DEVICE_FUNCTION(LIBRARY, ROLE, NAME) CSCC_SYMBOL(NAME)
#include "cscc/Runtime/Kernels.def"
#define CSCC_GPU_RUNTIME_FUNCTION(NAME) CSCC_SYMBOL(NAME)
#include "cscc/Runtime/Kernels.def"
#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  CSCC_SYMBOL(CSCC_CIFACE(CSCC_CUDA_CONV2D_SYMBOL(OP, ELEM)))
#include "cscc/Runtime/Kernels.def"
#define CSCC_REPLICA_KERNEL(KIND, OP, DTYPE, ELEM, T)                          \
  CSCC_SYMBOL(CSCC_CIFACE(CSCC_CUDA_REPLICA_SYMBOL(OP, ELEM)))
#include "cscc/Runtime/Kernels.def"
#undef CSCC_SYMBOL
  };
  return symbols;
}
