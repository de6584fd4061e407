//===- ConvTrace.cpp - CSCC_CONV_TRACE: write and read the trace ----------===//
//
// The format is described in cscc/Runtime/ConvTrace.h. Writing costs one
// check of a cached flag per convolution when the variable is not set.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/ConvTrace.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace cscc::rt {

namespace {

const char *const kOperands[3][3] = {
    {"x", "w", "y"}, {"dy", "w", "dx"}, {"x", "dy", "dw"}};
const char *const kHeader = "# cscc conv trace 1";

struct Writer {
  std::mutex mutex;
  std::FILE *file = nullptr;
  bool failed = false;
  std::string path;
};

const char *tracePath() {
  static const char *path = [] {
    const char *p = std::getenv("CSCC_CONV_TRACE");
    return p && *p ? p : nullptr;
  }();
  return path;
}

Writer &writer() {
  static Writer *w = new Writer(); // never destroyed: calls may come at exit
  return *w;
}

// Writes one line (without its newline), opening the file first.
void writeLine(const std::string &line) {
  Writer &w = writer();
  std::lock_guard<std::mutex> lock(w.mutex);
  if (w.failed)
    return;
  if (!w.file) {
    w.file = std::fopen(tracePath(), "w");
    if (!w.file) {
      w.failed = true;
      std::fprintf(stderr,
                   "cscc runtime: warning: CSCC_CONV_TRACE: cannot write "
                   "'%s'; no convolution trace\n",
                   tracePath());
      return;
    }
    std::fprintf(w.file, "%s\n", kHeader);
  }
  std::fprintf(w.file, "%s\n", line.c_str());
  std::fflush(w.file);
}

std::string joined(const int64_t v[4]) {
  return std::to_string(v[0]) + "," + std::to_string(v[1]) + "," +
         std::to_string(v[2]) + "," + std::to_string(v[3]);
}

[[noreturn]] void bad(const std::string &path, int64_t line,
                      const std::string &what) {
  throw std::runtime_error("conv trace '" + path + "' line " +
                           std::to_string(line) + ": " + what);
}

} // namespace

const char *convTraceOpName(Conv2dKind op) {
#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  if (op == Conv2dKind::KIND)                                                  \
    return #OP;
#include "cscc/Runtime/Kernels.def"
  return "?";
}

bool convTraceEnabled() { return tracePath() != nullptr; }

std::string describeTracedConv(const TracedConv &c) {
  int o = static_cast<int>(c.op);
  std::string s = std::string(convTraceOpName(c.op)) + (c.f64 ? " f64" : " f32");
  for (int i = 0; i < 3; ++i)
    s += std::string(" ") + kOperands[o][i] + " " + joined(c.sizes[i]) + " " +
         joined(c.strides[i]);
  s += " stride " + std::to_string(c.params.stride) + " dilation " +
       std::to_string(c.params.dilation) + " padding " +
       std::to_string(c.params.padding) + " align " + std::to_string(c.align[0]) +
       "," + std::to_string(c.align[1]) + "," + std::to_string(c.align[2]);
  return s;
}

template <typename T>
void traceConv(Conv2dKind op, const TensorView<T> &a, const TensorView<T> &b,
               const TensorView<T> &c, const ConvParams &p) {
  if (!convTraceEnabled())
    return;
  TracedConv t;
  t.op = op;
  t.f64 = sizeof(T) == 8;
  const TensorView<T> *v[3] = {&a, &b, &c};
  for (int i = 0; i < 3; ++i) {
    for (int d = 0; d < 4; ++d) {
      t.sizes[i][d] = v[i]->sizes[d];
      t.strides[i][d] = v[i]->strides[d];
    }
    t.align[i] = static_cast<int64_t>(
        reinterpret_cast<std::uintptr_t>(v[i]->data) % 64);
  }
  t.params = p;
  writeLine("conv " + describeTracedConv(t));
}

template void traceConv<float>(Conv2dKind, const TensorView<float> &,
                               const TensorView<float> &,
                               const TensorView<float> &, const ConvParams &);
template void traceConv<double>(Conv2dKind, const TensorView<double> &,
                                const TensorView<double> &,
                                const TensorView<double> &, const ConvParams &);

void traceStepBegin(int64_t step) {
  if (convTraceEnabled())
    writeLine("step " + std::to_string(step) + " begin");
}

void traceStepEnd(int64_t step) {
  if (convTraceEnabled())
    writeLine("step " + std::to_string(step) + " end");
}

ConvTrace readConvTrace(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read conv trace '" + path + "'");
  ConvTrace trace;
  std::string text;
  int64_t line = 0;
  bool inStep = false;
  while (std::getline(in, text)) {
    ++line;
    if (text.empty() || text[0] == '#')
      continue;
    std::istringstream ls(text);
    std::string word;
    ls >> word;
    if (word == "step") {
      int64_t n = 0;
      std::string what, rest;
      if (!(ls >> n >> what) || (ls >> rest) ||
          (what != "begin" && what != "end"))
        bad(path, line, "expected 'step N begin' or 'step N end'");
      if (what == "begin") {
        if (inStep)
          bad(path, line, "step " + std::to_string(n) +
                              " begins inside step " +
                              std::to_string(trace.steps.back().step));
        trace.steps.push_back({n, {}});
        inStep = true;
      } else {
        if (!inStep || trace.steps.back().step != n)
          bad(path, line, "'step " + std::to_string(n) +
                              " end' without its begin");
        inStep = false;
      }
      continue;
    }
    if (word != "conv")
      bad(path, line, "expected 'conv', 'step' or '#', not '" + word + "'");
    TracedConv c;
    c.line = line;
    std::string op, dtype;
    ls >> op >> dtype;
    bool known = false;
    for (Conv2dKind kind : {Conv2dKind::Forward, Conv2dKind::BackwardData,
                            Conv2dKind::BackwardFilter})
      if (op == convTraceOpName(kind)) {
        c.op = kind;
        known = true;
      }
    if (!known)
      bad(path, line, "unknown operation '" + op +
                          "' (fwd, bwd_data, bwd_filter)");
    if (dtype != "f32" && dtype != "f64")
      bad(path, line, "unknown dtype '" + dtype + "' (f32, f64)");
    c.f64 = dtype == "f64";
    auto four = [&](int64_t out[4], const char *what) {
      std::string s;
      ls >> s;
      char tail = 0;
      long long v[4];
      if (std::sscanf(s.c_str(), "%lld,%lld,%lld,%lld%c", &v[0], &v[1], &v[2],
                      &v[3], &tail) != 4)
        bad(path, line, std::string("expected four comma-separated ") + what +
                            ", not '" + s + "'");
      for (int d = 0; d < 4; ++d)
        out[d] = v[d];
    };
    int o = static_cast<int>(c.op);
    for (int i = 0; i < 3; ++i) {
      std::string name;
      ls >> name;
      if (name != kOperands[o][i])
        bad(path, line, std::string("expected operand '") + kOperands[o][i] +
                            "' of " + op + ", not '" + name + "'");
      four(c.sizes[i], "sizes");
      four(c.strides[i], "strides");
      for (int d = 0; d < 4; ++d)
        if (c.sizes[i][d] < 0)
          bad(path, line, std::string("operand ") + name +
                              " has a negative size");
    }
    auto keyed = [&](const char *key, int64_t &v) {
      std::string k;
      long long x;
      if (!(ls >> k >> x) || k != key)
        bad(path, line, std::string("expected '") + key + " N'");
      v = x;
    };
    keyed("stride", c.params.stride);
    keyed("dilation", c.params.dilation);
    keyed("padding", c.params.padding);
    std::string k, a;
    if (ls >> k) { // align is optional
      ls >> a;
      long long v[3];
      char tail = 0;
      if (k != "align" ||
          std::sscanf(a.c_str(), "%lld,%lld,%lld%c", &v[0], &v[1], &v[2],
                      &tail) != 3)
        bad(path, line, "expected 'align A,B,C' at the end");
      for (int i = 0; i < 3; ++i)
        c.align[i] = v[i] % 64;
    }
    trace.calls.push_back(c);
    if (inStep)
      trace.steps.back().calls.push_back(c);
  }
  if (inStep) // the run stopped inside it: not a whole step
    trace.steps.pop_back();
  return trace;
}

} // namespace cscc::rt
