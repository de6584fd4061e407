//===- Replicas.h - the processes that train one model together -*- C++ -*-===//
//
// Data-parallel training (docs/training.md, "More than one process"): R
// processes started by mpirun each run the same compiled program on their
// share of every global batch. Their gradients are averaged inside the
// generated train step (cst.replica_mean, ReplicaABI.h), so every process
// applies the same update and keeps the same weights; the trainer splits
// the batches, broadcasts rank 0's initial weights, sums the metrics and
// lets rank 0 alone write.
//
// Open MPI (or any MPI) carries the collectives when cscc was built with
// it (CSCC_HAVE_MPI, found by CMake); a process that was not started by
// mpirun is one replica and never calls MPI, so a single process runs
// exactly as without it.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_REPLICAS_H
#define CSCC_RUNTIME_REPLICAS_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cscc::rt {

/// The gradients' all-reduce buckets of data-parallel training, KiB
/// (`allreduce_bucket_kb`): PyTorch DDP's first bucket (1 MiB). Below
/// about that, an all-reduce's time is its latency (tens of microseconds
/// per step of the ring between GPUs on a network), so smaller buckets
/// only add calls; the paper's models have 0.1-7 MB of gradients, so
/// their larger ones get several buckets to overlap with the backward
/// pass, and a small model one (docs/scaling.md).
inline constexpr int64_t kDefaultAllreduceBucketKb = 1024;

class Replicas {
public:
  /// This process's group: on first use, joins the others (MPI_Init) when
  /// mpirun (or another MPI launcher) started it, else a group of one.
  /// Throws std::runtime_error when started by a launcher but built
  /// without MPI (saying how to build with it).
  static Replicas &world();

  int rank() const { return rank_; }
  int size() const { return size_; }
  /// More than one process: collectives communicate.
  bool distributed() const { return size_ > 1; }
  /// Whether this cscc was built with MPI.
  static bool available();
  /// "rank 1 of 4" (for messages); "" for one process.
  std::string where() const;

  /// This process's share of the current global batch: `local` of
  /// `global` images, the weight of its values in a replica mean.
  void setShare(int64_t local, int64_t global);
  double share() const { return share_; }
  /// x <- sum_r (n_r / N) x_r on every process, in place (the global
  /// batch's mean from each share's mean). Identity for one process. T is
  /// float or double.
  template <typename T> void mean(T *x, int64_t count);
  /// x <- sum_r x_r on every process.
  template <typename T> void sum(T *x, int64_t count);
  /// mean(x, count) in two calls: startMean begins it (MPI_Iallreduce) and
  /// returns; waitMean(x, count) on the same buffer returns when x holds
  /// the mean. Nothing may read or write x in between; several means may
  /// be under way at once, and every process starts them in the same
  /// order. The generated train step starts each gradient bucket as soon
  /// as the backward pass has produced it (docs/compiler.md).
  template <typename T> void startMean(T *x, int64_t count);
  template <typename T> void waitMean(T *x, int64_t count);
  /// The largest `value` any process passed, on every process.
  int max(int value);
  /// Returns when every process has called it (before a stopping process
  /// exits: mpirun ends the others once one exits with a failure status,
  /// and rank 0 may still be writing its checkpoint).
  void barrier();
  /// Rank 0's `bytes` bytes at `data` on every process.
  void broadcast(void *data, size_t bytes);
  /// Whether every process passed the same value.
  bool same(uint64_t value);
  /// What the collectives cost this process since resetTraffic(): calls,
  /// bytes reduced or broadcast (this process's buffers), and seconds
  /// spent in them (waiting for the slowest process included).
  struct Traffic {
    int64_t calls = 0;
    double bytes = 0, seconds = 0;
  };
  Traffic traffic() const { return traffic_; }
  void resetTraffic() { traffic_ = Traffic(); }

  /// Ends every process of the group with exit status `code` (MPI_Abort):
  /// after an error on one process, the others may wait in a collective.
  [[noreturn]] void abortAll(int code);

  ~Replicas();
  Replicas(const Replicas &) = delete;
  Replicas &operator=(const Replicas &) = delete;

private:
  Replicas();
  int rank_ = 0, size_ = 1;
  double share_ = 1;
  bool joined_ = false; ///< MPI_Init was called
  Traffic traffic_;
  /// The means started and not yet waited for (MPI requests, by buffer).
  struct Pending;
  std::vector<Pending> pending_;
};

/// The rows [begin, end) of a batch of `n` that replica `rank` of `size`
/// takes: contiguous, in rank order, sizes differing by at most one (the
/// first n % size replicas take one more).
std::pair<int64_t, int64_t> replicaShare(int64_t n, int rank, int size);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_REPLICAS_H
