//===- NcclReplicas.cpp - the data-parallel collectives on GPU memory -----===//
//
// The CUDA library's cscc_cuda_replica_{mean,sum}_{f32,f64} (Kernels.def):
// the buffer is device memory, reduced in place over the processes with
// NCCL's all-reduce on the legacy default stream (where the convolutions
// and kernels run), then that stream is synchronised. The started mean
// (cscc_cuda_replica_mean_{start,wait}_*) runs on a communication stream
// of its own (non-blocking, so the legacy stream does not serialise with
// it): the start makes it wait for the work queued so far on the legacy
// stream (an event), queues the all-reduce and records a second event; the
// wait makes the legacy stream wait for that event. Neither blocks the
// host, and the backward pass's kernels queued in between run while the
// bucket is reduced. The weighted mean is
// one all-reduce with NCCL's pre-multiplied sum (ncclRedOpCreatePreMulSum:
// each process's buffer times its share n_r / N, summed), so no kernel of
// ours scales it. One process alone (not started by mpirun): no NCCL at
// all, a no-op.
//
// NCCL is loaded with dlopen like cuDNN, so that cscc builds and runs
// without it: CSCC_NCCL_LIBRARY (a path), else libnccl.so.2 through the
// loader, else in the CUDA toolkit (lib64, lib) and pip's nvidia/nccl/lib
// (the directories cuDNN is looked for in, with nccl for cudnn). Its
// communicator is made at the first collective, bootstrapped over MPI:
// rank 0's ncclUniqueId broadcast by Replicas (the processes' MPI group),
// then ncclCommInitRank on each process's device (Cuda.h: the local rank's
// GPU unless CSCC_CUDA_DEVICE says otherwise).
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Cuda.h"
#include "cscc/Runtime/Replicas.h"

#include "CudaInternal.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <dlfcn.h>

#if __has_include(<nccl.h>)
#include <nccl.h>
#define CSCC_HAVE_NCCL_HEADER 1
#else
#define CSCC_HAVE_NCCL_HEADER 0
#endif

using namespace cscc::rt;
using namespace cscc::rt::cuda;

namespace {

#if CSCC_HAVE_NCCL_HEADER

// The NCCL functions the collectives call.
#define CSCC_NCCL_FUNCTIONS(X)                                                 \
  X(ncclGetVersion)                                                            \
  X(ncclGetErrorString)                                                        \
  X(ncclGetUniqueId)                                                           \
  X(ncclCommInitRank)                                                          \
  X(ncclAllReduce)                                                             \
  X(ncclRedOpCreatePreMulSum)                                                  \
  X(ncclRedOpDestroy)

struct NcclApi {
#define CSCC_DECLARE(f) decltype(&::f) f = nullptr;
  CSCC_NCCL_FUNCTIONS(CSCC_DECLARE)
#undef CSCC_DECLARE
};

struct NcclState {
  std::once_flag loadOnce, commOnce;
  std::string error; // why NCCL cannot be used ("" when it can)
  std::string path;
  int version = 0;
  NcclApi api;
  ncclComm_t comm = nullptr;
  CUstream commStream = nullptr; // the started means' stream
  /// The started means: the event their all-reduce records when done.
  std::vector<std::pair<const void *, CUevent>> pending;
};

NcclState &state() {
  static NcclState *s = new NcclState; // never destroyed
  return *s;
}

/// The directories NCCL is looked for in after the loader's path: cuDNN's
/// (the toolkit, pip's nvidia/cudnn/lib) with nccl for cudnn, and the
/// toolkit's lib (where CUDA 13's NCCL is).
std::vector<std::string> ncclSearchDirectories() {
  std::vector<std::string> dirs{"/usr/local/cuda/lib", "/usr/local/cuda/lib64"};
  for (std::string d : cudnnSearchDirectories()) {
    size_t at = d.find("nvidia/cudnn/lib");
    if (at != std::string::npos)
      d.replace(at, 16, "nvidia/nccl/lib");
    dirs.push_back(d);
  }
  return dirs;
}

void load() {
  NcclState &s = state();
  void *library = nullptr;
  std::string tried;
  if (const char *p = std::getenv("CSCC_NCCL_LIBRARY"); p && *p) {
    library = dlopen(p, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      s.error = std::string("CSCC_NCCL_LIBRARY=") + p +
                " does not load: " + dlerror();
      return;
    }
    s.path = loadedPath(library, p);
  } else {
    library = dlopen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
    if (library)
      s.path = loadedPath(library, "libnccl.so.2");
    for (const std::string &d : ncclSearchDirectories()) {
      if (library)
        break;
      std::string p = d + "/libnccl.so.2";
      if (!isFile(p))
        continue;
      tried += " " + p;
      library = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (library)
        s.path = loadedPath(library, p);
    }
    if (!library) {
      s.error = "NCCL (libnccl.so.2) not found by the loader" +
                (tried.empty() ? std::string(" or in the CUDA toolkit")
                               : ", nor loadable from" + tried) +
                "; the GPUs of a data-parallel run all-reduce with it: "
                "install it (pip install nvidia-nccl-cu13, or NVIDIA's "
                "libnccl2 package) or set CSCC_NCCL_LIBRARY to its path";
      return;
    }
  }
#define CSCC_RESOLVE(f)                                                        \
  s.api.f = reinterpret_cast<decltype(s.api.f)>(dlsym(library, #f));          \
  if (!s.api.f) {                                                              \
    s.error = s.path + " has no " #f " (NCCL 2.11 or newer is needed)";        \
    return;                                                                    \
  }
  CSCC_NCCL_FUNCTIONS(CSCC_RESOLVE)
#undef CSCC_RESOLVE
  if (s.api.ncclGetVersion(&s.version) != ncclSuccess) {
    s.error = s.path + ": ncclGetVersion failed";
    return;
  }
}

[[noreturn]] void fatalNccl(const char *what, ncclResult_t r) {
  fatalMessage(std::string("NCCL: ") + what + ": " +
               state().api.ncclGetErrorString(r) + " (" + Replicas::world().where() +
               "; NCCL_DEBUG=WARN says more)");
}

ncclComm_t communicator() {
  NcclState &s = state();
  std::call_once(s.loadOnce, load);
  if (!s.error.empty())
    fatalMessage(s.error);
  std::call_once(s.commOnce, [&] {
    Replicas &g = Replicas::world();
    ncclUniqueId id{};
    if (g.rank() == 0)
      if (ncclResult_t r = s.api.ncclGetUniqueId(&id); r != ncclSuccess)
        fatalNccl("ncclGetUniqueId", r);
    g.broadcast(&id, sizeof(id));
    if (ncclResult_t r = s.api.ncclCommInitRank(&s.comm, g.size(), id, g.rank());
        r != ncclSuccess)
      fatalNccl("ncclCommInitRank", r);
  });
  return s.comm;
}

template <typename T> ncclDataType_t ncclTypeOf();
template <> ncclDataType_t ncclTypeOf<float>() { return ncclFloat32; }
template <> ncclDataType_t ncclTypeOf<double>() { return ncclFloat64; }

/// Queues the all-reduce of x (the weighted mean, or the sum) on `stream`.
template <typename T>
void queueAllReduce(MemRefDescriptor<T, 1> *x, bool mean, CUstream stream) {
  Replicas &g = Replicas::world();
  ncclComm_t comm = communicator();
  const NcclApi &api = state().api;
  ncclRedOp_t op = ncclSum;
  T share = static_cast<T>(g.share());
  if (mean)
    if (ncclResult_t r = api.ncclRedOpCreatePreMulSum(
            &op, &share, ncclTypeOf<T>(), ncclScalarHostImmediate, comm);
        r != ncclSuccess)
      fatalNccl("ncclRedOpCreatePreMulSum", r);
  T *data = x->aligned + x->offset;
  if (ncclResult_t r = api.ncclAllReduce(data, data, x->sizes[0],
                                         ncclTypeOf<T>(), op, comm, stream);
      r != ncclSuccess)
    fatalNccl("ncclAllReduce", r);
  // NCCL allows destroying an operator once the calls using it returned.
  if (mean)
    api.ncclRedOpDestroy(op, comm);
}

template <typename T>
void reduceOverReplicas(MemRefDescriptor<T, 1> *x, ReplicaCollective kind,
                        const char *where) {
  if (!Replicas::world().distributed())
    return;
  ensureContext(where);
  const DriverApi &cu = driver(where);
  NcclState &s = state();
  switch (kind) {
  case ReplicaCollective::Mean:
  case ReplicaCollective::Sum:
    queueAllReduce(x, kind == ReplicaCollective::Mean,
                   /*legacy default stream*/ nullptr);
    check(cu.cuStreamSynchronize(nullptr), "cuStreamSynchronize");
    return;
  case ReplicaCollective::MeanStart: {
    if (!s.commStream)
      check(cu.cuStreamCreate(&s.commStream, CU_STREAM_NON_BLOCKING),
            "cuStreamCreate");
    CUevent ready = nullptr, done = nullptr;
    check(cu.cuEventCreate(&ready, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
    check(cu.cuEventCreate(&done, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
    check(cu.cuEventRecord(ready, nullptr), "cuEventRecord");
    check(cu.cuStreamWaitEvent(s.commStream, ready, 0), "cuStreamWaitEvent");
    queueAllReduce(x, /*mean=*/true, s.commStream);
    check(cu.cuEventRecord(done, s.commStream), "cuEventRecord");
    // Destroying a recorded event is deferred until it completes.
    check(cu.cuEventDestroy(ready), "cuEventDestroy");
    s.pending.emplace_back(x->aligned + x->offset, done);
    return;
  }
  case ReplicaCollective::MeanWait: {
    const void *data = x->aligned + x->offset;
    auto it = std::find_if(s.pending.begin(), s.pending.end(),
                           [&](const auto &p) { return p.first == data; });
    if (it == s.pending.end())
      fatalMessage(std::string("internal: ") + where +
                   ": no replica mean was started on this buffer");
    check(cu.cuStreamWaitEvent(nullptr, it->second, 0), "cuStreamWaitEvent");
    check(cu.cuEventDestroy(it->second), "cuEventDestroy");
    s.pending.erase(it);
    return;
  }
  }
}

#else // no nccl.h when cscc was built

template <typename T>
void reduceOverReplicas(MemRefDescriptor<T, 1> *, ReplicaCollective,
                        const char *) {
  if (!Replicas::world().distributed())
    return;
  fatalMessage("this cscc was built without NCCL's header (nccl.h), so its "
               "GPU processes cannot all-reduce: install NCCL's development "
               "files (or a CUDA toolkit that has nccl.h) and build cscc "
               "again");
}

#endif

} // namespace

const char *cscc::rt::cuda::ncclError() {
#if CSCC_HAVE_NCCL_HEADER
  NcclState &s = state();
  std::call_once(s.loadOnce, load);
  return s.error.empty() ? nullptr : s.error.c_str();
#else
  return "this cscc was built without nccl.h";
#endif
}

std::string cscc::rt::cuda::ncclDescription() {
#if CSCC_HAVE_NCCL_HEADER
  const NcclState &s = state();
  int v = s.version; // NCCL >= 2.9: major * 10000 + minor * 100 + patch
  return "NCCL " + std::to_string(v / 10000) + "." +
         std::to_string(v / 100 % 100) + "." + std::to_string(v % 100) +
         " (" + s.path + ")";
#else
  return "";
#endif
}

extern "C" {
#define CSCC_REPLICA_KERNEL(KIND, OP, DTYPE, ELEM, T)                          \
  void CSCC_CIFACE(CSCC_CUDA_REPLICA_SYMBOL(OP, ELEM))(                       \
      cscc::rt::MemRefDescriptor<T, 1> * x) {                                  \
    reduceOverReplicas<T>(                                                     \
        x, cscc::rt::ReplicaCollective::KIND,                                  \
        CSCC_SYMBOL_STRING(CSCC_CUDA_REPLICA_SYMBOL(OP, ELEM)));               \
  }
#include "cscc/Runtime/Kernels.def"
} // extern "C"
