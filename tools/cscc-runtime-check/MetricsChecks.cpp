//===- MetricsChecks.cpp - cscc-runtime-check: metrics, curves, progress ----===//
//
// metrics.jsonl records and their curves from closed-form values
// (metricsDemoRecord, repeated in the tests' Python helpers), and the
// progress display on a fake clock.
//
//===----------------------------------------------------------------------===//
#include "Checks.h"

#include "cscc/Runtime/Metrics.h"
#include "cscc/Runtime/Progress.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>
#include <unistd.h>

using namespace cscc::rt;
using namespace runtime_check;

namespace {

//===----------------------------------------------------------------------===//
// Metrics and curves
//===----------------------------------------------------------------------===//

// The record of epoch e in variant v (repeated in Inputs/train_util.py).
EpochRecord metricsDemoRecord(int64_t e, int64_t v, bool val,
                              int64_t testEvery) {
  EpochRecord r;
  double E = static_cast<double>(e), V = static_cast<double>(v);
  r.epoch = e;
  r.step = e * 50;
  r.lr = 0.1 * std::pow(0.5, E - 1);
  r.seconds = 10 + E + 0.25 * V;
  r.imagesPerSecond = 1000 + 10 * E + V;
  r.trainLoss = 2.3 / (1 + 0.5 * E) + 0.01 * V;
  r.trainAccuracy = 1 - 0.9 / (1 + 0.4 * E) - 0.001 * V;
  if (val) {
    r.valLoss = r.trainLoss + 0.05;
    r.valAccuracy = r.trainAccuracy - 0.02;
  }
  if (testEvery > 0 && e % testEvery == 0) {
    r.testLoss = r.trainLoss + 0.08;
    r.testAccuracy = r.trainAccuracy - 0.03;
  }
  r.sparsity = {{"g.1", 0.25 + 0.01 * E}, {"g.0", 0.5}, {"a.z", 0.125 * V}};
  return r;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

int cmdMetricsDemo(int argc, char **argv) {
  CommandLine a = CommandLine::fromArgv(argc, argv, 1, {"--resume", "--no-val"});
  a.allowOnly({"--epochs", "--keep", "--variant", "--test-every", "--resume",
           "--no-val"});
  a.expectPositionals(1, "metrics-demo RUN_DIR");
  std::string range = a.get("--epochs");
  size_t colon = range.find(':');
  if (colon == std::string::npos)
    throw std::runtime_error("--epochs wants A:B");
  int64_t from = parseInteger(range.substr(0, colon), "epoch");
  int64_t to = parseInteger(range.substr(colon + 1), "epoch");
  int64_t variant = parseInteger(a.get("--variant", "0"), "variant");
  int64_t testEvery = parseInteger(a.get("--test-every", "1"), "test-every");
  MetricsLog log(a.positionals()[0], a.has("--resume"),
                 parseInteger(a.get("--keep", "0"), "keep"));
  std::printf("kept:");
  for (const EpochRecord &r : log.records())
    std::printf(" %lld", static_cast<long long>(r.epoch));
  std::printf("\n");
  for (int64_t e = from; e <= to; ++e)
    log.append(metricsDemoRecord(e, variant, !a.has("--no-val"), testEvery));
  std::printf("records:");
  for (const EpochRecord &r : log.records())
    std::printf(" %lld", static_cast<long long>(r.epoch));
  std::printf("\n");
  return 0;
}

int cmdMetricsRead(int argc, char **argv) {
  CommandLine a = CommandLine::fromArgv(argc, argv, 1);
  a.allowOnly({});
  a.expectPositionals(1, "metrics-read FILE");
  for (const EpochRecord &r : readMetricsFile(a.positionals()[0])) {
    std::printf("epoch %lld step %lld lr %s seconds %s img/s %s train %s %s "
                "val %s %s test %s %s sparsity",
                static_cast<long long>(r.epoch),
                static_cast<long long>(r.step), num(r.lr).c_str(),
                num(r.seconds).c_str(), num(r.imagesPerSecond).c_str(),
                num(r.trainLoss).c_str(), num(r.trainAccuracy).c_str(),
                num(r.valLoss).c_str(), num(r.valAccuracy).c_str(),
                num(r.testLoss).c_str(), num(r.testAccuracy).c_str());
    for (const auto &[n, f] : r.sparsity)
      std::printf(" %s=%s", n.c_str(), num(f).c_str());
    std::printf("\n");
  }
  return 0;
}

int cmdCurves(int argc, char **argv) {
  CommandLine a = CommandLine::fromArgv(argc, argv, 1);
  a.allowOnly({"--title", "-o"});
  a.expectPositionals(1, "curves RUN_DIR");
  std::string dir = a.positionals()[0];
  std::vector<EpochRecord> records = readMetricsFile(dir + "/metrics.jsonl");
  std::string out = a.get("-o", dir + "/curves.svg");
  writeCurves(out, records, a.get("--title", "training"));
  std::printf("wrote %s: %zu epochs\n", out.c_str(), records.size());
  return 0;
}

//===----------------------------------------------------------------------===//
// Progress
//===----------------------------------------------------------------------===//

int cmdProgress(int argc, char **argv) {
  CommandLine a = CommandLine::fromArgv(argc, argv, 1, {"--real-clock"});
  a.allowOnly({"--mode", "--epochs", "--batches", "--batch-size",
           "--seconds-per-batch", "--note-at", "--first-batch",
           "--real-clock"});
  a.expectPositionals(0, "no positional arguments");
  Progress::Mode mode;
  if (!Progress::parseMode(a.get("--mode", "auto"), mode))
    throw std::runtime_error("unknown --mode '" + a.get("--mode") +
                             "' (auto, bar, plain)");
  int64_t epochs = parseInteger(a.get("--epochs", "1"), "epochs");
  int64_t batches = parseInteger(a.get("--batches", "10"), "batches");
  int64_t batchSize = parseInteger(a.get("--batch-size", "64"), "batch size");
  double perBatch = parseReal(a.get("--seconds-per-batch", "0.05"), "seconds");
  int64_t noteAt = parseInteger(a.get("--note-at", "-1"), "note-at");
  // The first epoch resumed at this batch: the batches before it count in
  // the sums (as a checkpoint restores them), not in the rate or the ETA.
  int64_t firstBatch = parseInteger(a.get("--first-batch", "0"), "first batch");
  Progress p(stdout, mode);
  double now = 0;
  if (!a.has("--real-clock"))
    p.setClock([&now] { return now; });
  std::fprintf(stderr, "mode %s\n",
               p.mode() == Progress::Mode::Bar ? "bar" : "plain");
  for (int64_t e = 1; e <= epochs; ++e) {
    int64_t first = e == 1 ? firstBatch : 0;
    p.startEpoch(e, epochs, batches, first);
    double lossSum = 0, accSum = 0;
    for (int64_t b = 1; b <= batches; ++b) {
      double g = static_cast<double>((e - 1) * batches + b);
      lossSum += 2.0 / (1 + 0.1 * g);
      accSum += 1 - 0.9 / (1 + 0.05 * g);
      if (b <= first)
        continue;
      now += perBatch;
      p.update(b, (b - first) * batchSize, lossSum / b, accSum / b);
      if (b == noteAt)
        p.note("note after batch " + std::to_string(b));
    }
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "epoch %lld/%lld: loss %.3f acc %.3f %.1f s",
                  static_cast<long long>(e), static_cast<long long>(epochs),
                  lossSum / batches, accSum / batches,
                  perBatch * (batches - first));
    p.endEpoch(buf);
  }
  return 0;
}

} // namespace

CheckFamily runtime_check::metricsChecks() {
  CheckFamily family;
  family.usage = R"(  metrics-demo RUN_DIR --epochs A:B [--resume --keep K] [--variant V]
               [--no-val] [--test-every N]
      append records for epochs A..B (values: metricsDemoRecord) to
      RUN_DIR/metrics.jsonl; print the epochs of records()
  metrics-read FILE                   read a metrics.jsonl, print each record
  curves RUN_DIR [--title T] [-o OUT.svg]
      RUN_DIR/metrics.jsonl -> RUN_DIR/curves.svg (or OUT.svg)
  progress --mode auto|bar|plain --epochs E --batches B [--batch-size N]
           [--seconds-per-batch S] [--note-at B] [--real-clock]
      simulated epochs on stdout, on a fake clock advanced S seconds a batch
)";
  family.checks = {
      {"metrics-demo", cmdMetricsDemo},
      {"metrics-read", cmdMetricsRead},
      {"curves", cmdCurves},
      {"progress", cmdProgress},
  };
  return family;
}
