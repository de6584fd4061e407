//===- Replicas.cpp - the processes that train one model together --------===//
#include "cscc/Runtime/Replicas.h"
#include "cscc/Runtime/ReplicaABI.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <type_traits>
#include <vector>

#ifdef CSCC_HAVE_MPI
#include <mpi.h>
#endif

using namespace cscc::rt;

namespace {

/// Whether an MPI launcher started this process: Open MPI's mpirun sets
/// OMPI_COMM_WORLD_SIZE, PMIx-based launchers (Open MPI 5, Slurm's srun
/// --mpi=pmix) PMIX_RANK, MPICH's Hydra and Slurm's PMI PMI_SIZE.
bool launchedByMpi() {
  for (const char *name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(name))
      return true;
  return false;
}

#ifdef CSCC_HAVE_MPI
void check(int rc, const char *what) {
  if (rc == MPI_SUCCESS)
    return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, text, &length);
  std::fprintf(stderr, "cscc runtime: error: %s failed: %.*s\n", what, length,
               text);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort();
}
#endif

/// Adds a collective's call, bytes and time to `traffic` when it goes out
/// of scope (a started mean's wait adds its time, not another call).
class Timed {
public:
  Timed(Replicas::Traffic &traffic, double bytes, int calls = 1)
      : traffic_(traffic), bytes_(bytes), calls_(calls),
        start_(std::chrono::steady_clock::now()) {}
  ~Timed() {
    traffic_.calls += calls_;
    traffic_.bytes += bytes_;
    traffic_.seconds += std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start_)
                            .count();
  }

private:
  Replicas::Traffic &traffic_;
  double bytes_;
  int calls_;
  std::chrono::steady_clock::time_point start_;
};

} // namespace

struct Replicas::Pending {
  const void *data;
#ifdef CSCC_HAVE_MPI
  MPI_Request request;
#endif
};

bool Replicas::available() {
#ifdef CSCC_HAVE_MPI
  return true;
#else
  return false;
#endif
}

Replicas &Replicas::world() {
  static Replicas replicas;
  return replicas;
}

Replicas::Replicas() {
  if (!launchedByMpi())
    return;
#ifdef CSCC_HAVE_MPI
  // Generated code calls the collectives from the main thread, between its
  // parallel regions; the data loader's thread never does.
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided),
        "MPI_Init_thread");
  joined_ = true;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
#else
  // The process count where the launcher names it (PMIx does not; under
  // Slurm's srun --mpi=pmix the step's task count does).
  const char *n = nullptr;
  for (const char *name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
                           "SLURM_STEP_NUM_TASKS"})
    if (!n)
      n = std::getenv(name);
  if (n && std::string(n) == "1")
    return; // one process under mpirun: nothing to share
  throw std::runtime_error(
      "this process was started by mpirun (or another MPI launcher), but "
      "this cscc was built without MPI, so its processes cannot train "
      "together; install Open MPI (apt-get install libopenmpi-dev "
      "openmpi-bin; scripts/setup.sh does) and build cscc again "
      "(scripts/build.sh), or run a single process without mpirun");
#endif
}

Replicas::~Replicas() {
#ifdef CSCC_HAVE_MPI
  int finalized = 0;
  if (joined_ && MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized)
    MPI_Finalize();
#endif
}

std::string Replicas::where() const {
  if (!distributed())
    return "";
  return "rank " + std::to_string(rank_) + " of " + std::to_string(size_);
}

void Replicas::setShare(int64_t local, int64_t global) {
  share_ = global > 0 ? static_cast<double>(local) / global : 0.0;
}

namespace {
template <typename T> void scaleBy(T *x, int64_t count, double share) {
  const T s = static_cast<T>(share);
  for (int64_t i = 0; i < count; ++i)
    x[i] *= s;
}

#ifdef CSCC_HAVE_MPI
template <typename T> MPI_Datatype mpiTypeOf() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  return std::is_same_v<T, float> ? MPI_FLOAT : MPI_DOUBLE;
}
#endif

/// x <- the sum over the processes of x, in place (MPI_Allreduce).
template <typename T> void sumOverProcesses(T *x, int64_t count,
                                            const char *what) {
#ifdef CSCC_HAVE_MPI
  MPI_Datatype type = mpiTypeOf<T>();
  check(MPI_Allreduce(MPI_IN_PLACE, x, static_cast<int>(count), type,
                      MPI_SUM, MPI_COMM_WORLD),
        what);
#else
  (void)x;
  (void)count;
  (void)what;
#endif
}
} // namespace

template <typename T> void Replicas::mean(T *x, int64_t count) {
  if (!distributed())
    return;
  Timed timed(traffic_, double(count * sizeof(T)));
  scaleBy(x, count, share_);
  sumOverProcesses(x, count, "MPI_Allreduce (replica mean)");
}

template <typename T> void Replicas::sum(T *x, int64_t count) {
  if (!distributed())
    return;
  Timed timed(traffic_, double(count * sizeof(T)));
  sumOverProcesses(x, count, "MPI_Allreduce (sum)");
}

template <typename T> void Replicas::startMean(T *x, int64_t count) {
  if (!distributed())
    return;
  Timed timed(traffic_, double(count * sizeof(T)));
  scaleBy(x, count, share_);
#ifdef CSCC_HAVE_MPI
  Pending p{x, MPI_REQUEST_NULL};
  check(MPI_Iallreduce(MPI_IN_PLACE, x, static_cast<int>(count), mpiTypeOf<T>(),
                       MPI_SUM, MPI_COMM_WORLD, &p.request),
        "MPI_Iallreduce (replica mean)");
  pending_.push_back(p);
#endif
}

template <typename T> void Replicas::waitMean(T *x, int64_t count) {
  if (!distributed())
    return;
  Timed timed(traffic_, 0, /*calls=*/0);
  (void)x;
  (void)count;
#ifdef CSCC_HAVE_MPI
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const Pending &p) { return p.data == x; });
  if (it == pending_.end()) {
    // The compiler pairs each start with a wait on the same buffer; a
    // copy between them would make the mean land elsewhere.
    std::fprintf(stderr, "cscc runtime: error: internal: waiting for a "
                         "replica mean that was never started on this "
                         "buffer (%s)\n",
                 where().c_str());
    abortAll(1);
  }
  check(MPI_Wait(&it->request, MPI_STATUS_IGNORE), "MPI_Wait (replica mean)");
  pending_.erase(it);
#endif
}

template void Replicas::mean(float *, int64_t);
template void Replicas::mean(double *, int64_t);
template void Replicas::sum(float *, int64_t);
template void Replicas::sum(double *, int64_t);
template void Replicas::startMean(float *, int64_t);
template void Replicas::startMean(double *, int64_t);
template void Replicas::waitMean(float *, int64_t);
template void Replicas::waitMean(double *, int64_t);

int Replicas::max(int value) {
  if (!distributed())
    return value;
  Timed timed(traffic_, double(sizeof(int)));
#ifdef CSCC_HAVE_MPI
  check(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT, MPI_MAX,
                      MPI_COMM_WORLD),
        "MPI_Allreduce (max)");
#endif
  return value;
}

void Replicas::barrier() {
  if (!distributed())
    return;
  Timed timed(traffic_, double(0));
#ifdef CSCC_HAVE_MPI
  check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
#endif
}

void Replicas::broadcast(void *data, size_t bytes) {
  if (!distributed())
    return;
  Timed timed(traffic_, double(bytes));
#ifdef CSCC_HAVE_MPI
  // In pieces below 2^31 bytes (MPI counts are int).
  auto *p = static_cast<char *>(data);
  constexpr size_t kPiece = size_t(1) << 30;
  for (size_t done = 0; done < bytes; done += kPiece)
    check(MPI_Bcast(p + done, static_cast<int>(std::min(kPiece, bytes - done)),
                    MPI_BYTE, 0, MPI_COMM_WORLD),
          "MPI_Bcast");
#else
  (void)data;
  (void)bytes;
#endif
}

bool Replicas::same(uint64_t value) {
  if (!distributed())
    return true;
  Timed timed(traffic_, double(2 * sizeof(uint64_t)));
#ifdef CSCC_HAVE_MPI
  uint64_t lo = value, hi = value;
  check(MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_UINT64_T, MPI_MIN,
                      MPI_COMM_WORLD),
        "MPI_Allreduce (min)");
  check(MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_UINT64_T, MPI_MAX,
                      MPI_COMM_WORLD),
        "MPI_Allreduce (max)");
  return lo == hi;
#else
  (void)value;
  return true;
#endif
}

void Replicas::abortAll(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
#ifdef CSCC_HAVE_MPI
  if (joined_)
    MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::_Exit(code);
}

std::pair<int64_t, int64_t> cscc::rt::replicaShare(int64_t n, int rank,
                                                   int size) {
  int64_t base = n / size, extra = n % size;
  int64_t begin = rank * base + std::min<int64_t>(rank, extra);
  int64_t end = begin + base + (rank < extra ? 1 : 0);
  return {begin, end};
}

//===----------------------------------------------------------------------===//
// The entry points generated code calls (ReplicaABI.h)
//===----------------------------------------------------------------------===//

namespace {
template <ReplicaCollective Kind, typename T>
void runCollective(MemRefDescriptor<T, 1> *x) {
  Replicas &g = Replicas::world();
  T *data = x->aligned + x->offset;
  switch (Kind) {
  case ReplicaCollective::Mean:
    return g.mean(data, x->sizes[0]);
  case ReplicaCollective::Sum:
    return g.sum(data, x->sizes[0]);
  case ReplicaCollective::MeanStart:
    return g.startMean(data, x->sizes[0]);
  case ReplicaCollective::MeanWait:
    return g.waitMean(data, x->sizes[0]);
  }
}
} // namespace

extern "C" {
#define CSCC_REPLICA_KERNEL(KIND, OP, DTYPE, ELEM, T)                          \
  void CSCC_CIFACE(CSCC_REPLICA_SYMBOL(OP, ELEM))(                            \
      cscc::rt::MemRefDescriptor<T, 1> * x) {                                  \
    runCollective<ReplicaCollective::KIND>(x);                                 \
  }
#include "cscc/Runtime/Kernels.def"
} // extern "C"

const std::vector<RuntimeSymbol> &cscc::rt::replicaSymbols() {
  static const std::vector<RuntimeSymbol> symbols = {
#define CSCC_REPLICA_KERNEL(KIND, OP, DTYPE, ELEM, T)                          \
  {CSCC_SYMBOL_STRING(CSCC_CIFACE(CSCC_REPLICA_SYMBOL(OP, ELEM))),             \
   reinterpret_cast<void *>(&CSCC_CIFACE(CSCC_REPLICA_SYMBOL(OP, ELEM)))},
#include "cscc/Runtime/Kernels.def"
  };
  return symbols;
}
